package io.metaproxy.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.script.testing.TestFilterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptSettingsTest {
  @TempDir Path dir;

  private ScriptSettings parse(Map<String, Object> settings) {
    return ScriptSettings.parse(TestFilterConfig.of("lua", settings, dir));
  }

  @Test
  void inlineSourceWithDefaults() {
    ScriptSettings settings = parse(Map.of("source", "x = 1"));
    assertThat(settings.scriptName()).isEqualTo("<inline>");
    assertThat(settings.path()).isNull();
    assertThat(settings.text()).isEqualTo("x = 1");
    assertThat(settings.onError()).isEqualTo(OnError.REPLY);
    assertThat(settings.budget()).isEqualTo(Duration.ofMillis(50));
    assertThat(settings.loadBudget()).isEqualTo(ScriptSettings.MIN_LOAD_BUDGET);
  }

  @Test
  void fileIsResolvedAndReadAndNamedAsWritten() throws Exception {
    Files.createDirectories(dir.resolve("filters"));
    Files.writeString(dir.resolve("filters/a.lua"), "-- a");
    ScriptSettings settings = parse(Map.of("file", "filters/a.lua", "on_error", "continue", "budget", "5ms"));
    assertThat(settings.scriptName()).isEqualTo("filters/a.lua");
    assertThat(settings.text()).isEqualTo("-- a");
    assertThat(settings.cacheKey()).isEqualTo(dir.resolve("filters/a.lua").toAbsolutePath().normalize().toString());
    assertThat(settings.onError()).isEqualTo(OnError.CONTINUE);
    assertThat(settings.budget()).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void sameContentSameHashOtherContentOtherHash() {
    assertThat(parse(Map.of("source", "a")).contentHash()).isEqualTo(parse(Map.of("source", "a")).contentHash());
    assertThat(parse(Map.of("source", "a")).contentHash()).isNotEqualTo(parse(Map.of("source", "b")).contentHash());
  }

  @Test
  void durations() {
    assertThat(Durations.parse("budget", "500us")).isEqualTo(Duration.ofNanos(500_000));
    assertThat(Durations.parse("budget", "3s")).isEqualTo(Duration.ofSeconds(3));
    assertThat(Durations.parse("budget", "1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse("budget", "250ns")).isEqualTo(Duration.ofNanos(250));
    for (Object bad : new Object[] {"10", "ms", "-1ms", "1.5s", 10L, "0s"}) {
      assertThatThrownBy(() -> Durations.parse("budget", bad))
          .as("%s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("budget:");
    }
  }

  @Test
  void engineSettingsAreAcceptedOnlyWhenDeclared() {
    Map<String, Object> settings = Map.of("source", "x", "abi", "proxy-wasm");
    assertThatThrownBy(() -> parse(settings)).hasMessageContaining("unknown setting 'abi'");
    assertThat(ScriptSettings.parse(TestFilterConfig.of("wasm", settings, dir), Set.of("abi")).text()).isEqualTo("x");
  }

  @Test
  void wrongTypesAreRejectedByName() {
    assertThatThrownBy(() -> parse(Map.of("file", 5L))).hasMessageStartingWith("file:");
    assertThatThrownBy(() -> parse(Map.of("file", " "))).hasMessageStartingWith("file:");
    assertThatThrownBy(() -> parse(Map.of("source", true))).hasMessageStartingWith("source:");
    assertThatThrownBy(() -> parse(Map.of("source", "x", "on_error", true))).hasMessageStartingWith("on_error:");
  }
}

package io.metaproxy.filter.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strict settings validation: each mistake is an IllegalArgumentException naming the setting (the host prefixes the
 * file, line and filter), and no message ever contains a token.
 */
class HeaderAuthSettingsTest {
  private static final String SECRET = "t0p-s3cret";

  private static String errorOf(Map<String, Object> settings, Path baseDir) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
        () -> new HeaderAuthFilterFactory().create(new TestContext.Config(settings, baseDir)));
    assertThat(thrown).as("settings %s", settings).isInstanceOf(IllegalArgumentException.class);
    assertThat(thrown.getMessage()).doesNotContain(SECRET);
    return thrown.getMessage();
  }

  private static Map<String, Object> settings(Object... keysAndValues) {
    Map<String, Object> settings = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      settings.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return settings;
  }

  static Stream<Arguments> badSettings() {
    List<String> tokens = List.of("alice:" + SECRET);
    return Stream.of(
        Arguments.of(settings("header", "x-token", "tokens", tokens, "token", "x"),
            "unknown setting 'token'; allowed: header, tokens, tokens_file, methods, strip, on_fail_message"),
        Arguments.of(settings("tokens", tokens),
            "header: required (the metadata key carrying the token, e.g. x-token)"),
        Arguments.of(settings("header", "", "tokens", tokens), "header: expected a non-empty string"),
        Arguments.of(settings("header", List.of("x-token"), "tokens", tokens), "header: expected a non-empty string"),
        Arguments.of(settings("header", "x-auth-user", "tokens", tokens),
            "header: must not be x-auth-user, which this filter sets to the user's label"),
        Arguments.of(settings("header", "x-token"),
            "tokens: required (a list of accepted tokens), or tokens_file (a file with one per line)"),
        Arguments.of(settings("header", "x-token", "tokens", tokens, "tokens_file", "t.txt"),
            "tokens, tokens_file: set one of them, not both"),
        Arguments.of(settings("header", "x-token", "tokens", List.of()),
            "tokens: must not be empty (list at least one accepted token)"),
        Arguments.of(settings("header", "x-token", "tokens", SECRET), "tokens: expected a list"),
        Arguments.of(settings("header", "x-token", "tokens", List.of(SECRET, 83L)),
            "tokens[1]: expected a string, got a number (quote it in YAML)"),
        Arguments.of(settings("header", "x-token", "tokens", List.of(SECRET, " ")), "tokens[1]: must not be empty"),
        Arguments.of(settings("header", "x-token", "tokens", List.of(":" + SECRET)),
            "tokens[0]: empty label before ':' (write label:token, or the token alone)"),
        Arguments.of(settings("header", "x-token", "tokens", List.of("bob:")), "tokens[0]: empty token after 'bob:'"),
        Arguments.of(settings("header", "x-token", "tokens", List.of("a", "alice:" + SECRET, "bob:" + SECRET)),
            "tokens[2]: the same token as tokens[1]"),
        Arguments.of(settings("header", "x-token", "tokens", tokens, "methods", List.of()),
            "methods: must not be empty (omit it to check every request)"),
        Arguments.of(settings("header", "x-token", "tokens", tokens, "methods", "sayHello"), "methods: expected a list"),
        Arguments.of(settings("header", "x-token", "tokens", tokens, "strip", "yes"),
            "strip: expected true or false, got 'yes'"),
        Arguments.of(settings("header", "x-token", "tokens", tokens, "on_fail_message", ""),
            "on_fail_message: expected a non-empty string (the reply text for a refused request)"),
        Arguments.of(settings("header", "x-token", "tokens_file", 3L), "tokens_file: expected a file name"));
  }

  @ParameterizedTest
  @MethodSource("badSettings")
  void eachMistakeIsNamed(Map<String, Object> settings, String expected) {
    assertThat(errorOf(settings, Path.of("."))).startsWith(expected);
  }

  @Test
  void aMissingTokensFileIsNamedWithItsResolvedPath(@TempDir Path configDir) {
    String message = errorOf(settings("header", "x-token", "tokens_file", "auth/none.txt"), configDir);

    assertThat(message)
        .isEqualTo("tokens_file: cannot read " + configDir.resolve("auth/none.txt") + " (NoSuchFileException)");
  }

  @Test
  void aTokensFileWithOnlyCommentsHoldsNoTokens(@TempDir Path configDir) throws Exception {
    Files.writeString(configDir.resolve("t.txt"), "# nobody yet\n\n   \n");

    assertThat(errorOf(settings("header", "x-token", "tokens_file", "t.txt"), configDir))
        .isEqualTo("tokens_file: " + configDir.resolve("t.txt") + " holds no tokens");
  }

  @Test
  void tokensFileErrorsNameTheLine(@TempDir Path configDir) throws Exception {
    Path file = configDir.resolve("t.txt");
    Files.writeString(file, "# header\nalice:" + SECRET + "\n\ncarol:\n");
    assertThat(errorOf(settings("header", "x-token", "tokens_file", "t.txt"), configDir))
        .isEqualTo("tokens_file " + file + " line 4: empty token after 'carol:'");

    Files.writeString(file, "alice:" + SECRET + "\n# alice again\n" + SECRET + "\n");
    assertThat(errorOf(settings("header", "x-token", "tokens_file", "t.txt"), configDir))
        .isEqualTo("tokens_file " + file + " line 3: the same token as tokens_file " + file + " line 1");
  }

  @Test
  void everyDocumentedSettingIsAccepted() {
    assertThat(new HeaderAuthFilterFactory().create(new TestContext.Config(settings(
            "header", "x-token", "tokens", List.of("alice:" + SECRET), "methods", List.of("sayHello"), "strip", false,
            "on_fail_message", "no")))).isInstanceOf(HeaderAuthFilter.class);
    assertThat(HeaderAuthSettings.ALLOWED)
        .containsExactly("header", "tokens", "tokens_file", "methods", "strip", "on_fail_message");
  }

  @Test
  void theFactoryIsCalledHeaderAuthAndIsAPf4jExtension() {
    assertThat(new HeaderAuthFilterFactory().name()).isEqualTo("header_auth");
    assertThat(HeaderAuthFilterFactory.class.isAnnotationPresent(org.pf4j.Extension.class)).isTrue();
  }

  @Test
  void settingsAreNotChangedByTheCaller() {
    List<String> methods = new java.util.ArrayList<>(List.of("a"));
    HeaderAuthSettings parsed = HeaderAuthSettings.parse(new TestContext.Config(
        settings("header", "x-token", "tokens", List.of(SECRET), "methods", methods)));
    methods.add("b");

    assertThat(parsed.methods()).containsExactly("a");
    assertThatThrownBy(() -> parsed.methods().add("c")).isInstanceOf(UnsupportedOperationException.class);
  }
}

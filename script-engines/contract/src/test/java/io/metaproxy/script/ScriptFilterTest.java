package io.metaproxy.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.script.testing.RecordingFilterContext;
import io.metaproxy.script.testing.TestFilterConfig;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The outcome mapping every engine inherits, driven by a Java "script". */
class ScriptFilterTest {

  private static final class JavaScriptFilter extends ScriptFilter {
    private final Consumer<ScriptContext> body;

    JavaScriptFilter(String onError, Consumer<ScriptContext> body) {
      super(ScriptSettings.parse(TestFilterConfig.of("java", Map.of("source", "-", "on_error", onError), Path.of("."))));
      this.body = body;
    }

    @Override
    protected boolean handles(Phase phase) {
      return phase == Phase.REQUEST;
    }

    @Override
    protected void call(Phase phase) {
      body.accept(scriptContext());
    }
  }

  @Test
  void normalReturnContinuesAndReplyStops() {
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(new JavaScriptFilter("reply", ctx -> ctx.set("k", "v")).onRequest(context)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(context.mutation().get("k")).isEqualTo("v");

    RecordingFilterContext replied = RecordingFilterContext.request();
    String[] returned = new String[1];
    JavaScriptFilter filter = new JavaScriptFilter("reply", ctx -> returned[0] = ctx.reply("unauthorized", "no"));
    assertThat(filter.onRequest(replied)).isEqualTo(FilterStatus.STOP);
    assertThat(returned[0]).isEqualTo("stop");
    // the next message starts without the previous one's reply
    assertThat(new JavaScriptFilter("reply", ctx -> {}).onRequest(RecordingFilterContext.request()))
        .isEqualTo(FilterStatus.CONTINUE);
  }

  @Test
  void failuresBecomeScriptErrorsOrPass() {
    for (RuntimeException failure : new RuntimeException[] {new ScriptFailure("s:3: boom"), new IllegalStateException("bug")}) {
      RecordingFilterContext context = RecordingFilterContext.request();
      assertThat(new JavaScriptFilter("reply", ctx -> { throw failure; }).onRequest(context)).isEqualTo(FilterStatus.STOP);
      assertThat(context.replies()).singleElement().satisfies(reply -> {
        assertThat(reply.error()).isEqualTo(ErrorType.SCRIPT_ERROR);
        assertThat(reply.message()).contains(failure.getMessage());
      });

      RecordingFilterContext passed = RecordingFilterContext.request();
      assertThat(new JavaScriptFilter("continue", ctx -> { throw failure; }).onRequest(passed))
          .isEqualTo(FilterStatus.CONTINUE);
      assertThat(passed.replies()).isEmpty();
      assertThat(passed.logs()).singleElement().satisfies(line -> assertThat(line.message()).contains(failure.getMessage()));
    }
  }

  @Test
  void stackOverflowIsAScriptError() {
    RecordingFilterContext context = RecordingFilterContext.request();
    assertThat(new JavaScriptFilter("reply", ctx -> { throw new StackOverflowError(); }).onRequest(context))
        .isEqualTo(FilterStatus.STOP);
    assertThat(context.replies()).singleElement().satisfies(reply -> assertThat(reply.message()).contains("StackOverflowError"));
  }

  @Test
  void ctxOutsideACallIsAnError() {
    ScriptContext[] kept = new ScriptContext[1];
    new JavaScriptFilter("reply", ctx -> kept[0] = ctx).onRequest(RecordingFilterContext.request());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> kept[0].get("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("outside");
  }

  @Test
  void scriptContextHasEveryOperationOfFilterContextByName() {
    for (String operation : ScriptApi.OPERATIONS) {
      Method api = Arrays.stream(FilterContext.class.getMethods()).filter(m -> m.getName().equals(operation)).findFirst().orElseThrow();
      assertThat(Arrays.stream(ScriptContext.class.getMethods()))
          .as("ScriptContext.%s", operation)
          .anySatisfy(method -> {
            assertThat(method.getName()).isEqualTo(operation);
            assertThat(method.getParameterCount()).isEqualTo(api.getParameterCount());
          });
    }
  }

  @Test
  void numbersBecomeTextTheSameWayEverywhere() {
    assertThat(ScriptContext.numberText(5)).isEqualTo("5");
    assertThat(ScriptContext.numberText(-3)).isEqualTo("-3");
    assertThat(ScriptContext.numberText(1.5)).isEqualTo("1.5");
    assertThat(ScriptContext.numberText(1234567890123.0)).isEqualTo("1234567890123");
  }
}

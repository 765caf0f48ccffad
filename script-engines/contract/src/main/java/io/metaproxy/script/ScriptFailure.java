package io.metaproxy.script;

/**
 * A script call failed: it threw, ran past its budget, or misused the API. The message is what the client and the
 * log see, {@code <script>:<line>: <reason>} (or {@code <script>: <reason>} when no line is known), e.g. {@code
 * filters/canary.lua:12: attempt to index a nil value}.
 *
 * <p>An expected outcome on the message path, so it carries no stack trace.
 */
public final class ScriptFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ScriptFailure(String message) {
    super(message, null, false, false);
  }

  public ScriptFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** {@code <scriptName>:<line>: <reason>}, or {@code <scriptName>: <reason>} when {@code line} is not positive. */
  public static String format(String scriptName, int line, String reason) {
    return line > 0 ? scriptName + ':' + line + ": " + reason : scriptName + ": " + reason;
  }
}

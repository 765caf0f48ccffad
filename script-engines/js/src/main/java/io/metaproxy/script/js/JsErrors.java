package io.metaproxy.script.js;

import io.metaproxy.script.ScriptFailure;
import java.util.regex.Pattern;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SourceSection;

/** Turns a GraalJS failure into the message every engine uses: {@code <script>:<line>: <reason>}. */
final class JsErrors {
  private JsErrors() {}

  /**
   * @param scriptName the script's name, also the name of its Source
   * @param budgetText the budget in force, for an interrupted call
   */
  static String describe(String scriptName, PolyglotException e, String budgetText) {
    return ScriptFailure.format(scriptName, line(scriptName, e), reason(scriptName, e, budgetText));
  }

  private static String reason(String scriptName, PolyglotException e, String budgetText) {
    if (e.isInterrupted()) {
      return "exceeded its budget of " + budgetText;
    }
    if (e.isCancelled()) {
      return "cancelled: the filter was closed";
    }
    if (e.isHostException()) {
      Throwable host = e.asHostException(); // from JsCtx: a bad argument, an unknown error type, ...
      return host.getMessage() != null ? host.getMessage() : host.toString();
    }
    String message = String.valueOf(e.getMessage());
    if (e.isSyntaxError()) {
      // "SyntaxError: name:3:7 Expected ...\n<source line>\n   ^": the position is said once, in front.
      message = message.lines().findFirst().orElse(message);
      message = message.replaceFirst(Pattern.quote(scriptName) + ":\\d+:\\d+ ", "");
    }
    return message;
  }

  /** The line in the script where it failed: the innermost frame of the script's own source; 0 when none. */
  private static int line(String scriptName, PolyglotException e) {
    SourceSection location = e.getSourceLocation();
    if (isInScript(scriptName, location)) {
      return location.getStartLine();
    }
    for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
      if (!frame.isHostFrame() && isInScript(scriptName, frame.getSourceLocation())) {
        return frame.getSourceLocation().getStartLine();
      }
    }
    return 0;
  }

  private static boolean isInScript(String scriptName, SourceSection location) {
    return location != null && location.isAvailable() && scriptName.equals(location.getSource().getName());
  }
}

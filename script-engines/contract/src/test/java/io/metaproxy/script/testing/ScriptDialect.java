package io.metaproxy.script.testing;

import java.util.List;

/**
 * How to say a few things in one script language, so that {@link ScriptEngineContract} can write the same behaviour
 * in every language. Expressions and statements are source text; {@code ctx} is the handler's parameter.
 */
public interface ScriptDialect {

  /** The usual file extension, without the dot: {@code lua}, {@code mjs}. */
  String fileExtension();

  /**
   * A whole script whose request handler runs {@code onRequestBody} and whose response handler runs {@code
   * onResponseBody}; a null body means the script does not define that handler. Bodies are statements separated by
   * newlines; the script keeps each body line on a line of its own.
   */
  String script(String onRequestBody, String onResponseBody);

  /** An expression calling operation {@code name} of {@code ctx} with the given argument expressions. */
  String call(String name, String... arguments);

  /** A string literal (the contract only passes plain ASCII without quotes or backslashes). */
  String string(String value);

  /** The language's "no value" literal ({@code nil}, {@code undefined}). */
  String absent();

  /** {@code expression} used as a statement. */
  String statement(String expression);

  /** An expression turning any non-null value into a string ({@code tostring}, {@code String}). */
  String text(String expression);

  /** A boolean expression: whether {@code expression} is the language's nil/null/undefined. */
  String isAbsent(String expression);

  /** An expression joining a list of strings (what {@code keys} returns) with commas. */
  String join(String listExpression);

  /** A boolean expression: whether {@code ctx} has a function named {@code member}. */
  String isFunction(String member);

  /** A statement that raises an error with {@code message}. */
  String raise(String message);

  /** A statement that never ends. */
  String loopForever();

  /** Statements incrementing a counter that lives in the script's VM (global state) and setting {@code key} to it. */
  String countInGlobal(String key);

  /** A whole script that does not compile because of its third line. */
  String syntaxErrorOnLine3();

  /** Statements each of which would reach outside the sandbox (files, processes, host classes, loading code). */
  List<String> sandboxEscapes();
}

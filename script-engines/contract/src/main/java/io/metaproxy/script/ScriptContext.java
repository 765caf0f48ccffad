package io.metaproxy.script;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import java.util.List;
import java.util.Locale;

/**
 * The {@link FilterContext} as every script language sees it: the same operation names, with enums as lower-case
 * strings ({@code "request"}, {@code "over_limit"}) and {@link #reply} returning {@code "stop"}. Engine bindings
 * convert arguments and results between their language and Java and call these methods, so the semantics (argument
 * checks, error texts, what reply does) are written once.
 *
 * <p>One instance per script filter, pointed at the message being handled for the duration of one script call by
 * {@link ScriptFilter}. A script that keeps {@code ctx} and uses it outside a call gets an error. Not thread-safe: it
 * belongs to the filter's event loop.
 *
 * <p>Arguments are never null here: bindings reject a missing value with {@link #badArgument} before calling.
 */
public final class ScriptContext {
  private static final String[] MESSAGE_TYPE_NAMES = lowerCaseNames(MessageType.values());
  private static final String STOP = FilterStatus.STOP.name().toLowerCase(Locale.ROOT);

  private FilterContext context;
  private boolean replied;

  // ---- read -------------------------------------------------------------------------------------------------------

  /** See {@link FilterContext#get}. */
  public String get(String key) {
    return current().get(key);
  }

  /** See {@link FilterContext#keys}. */
  public List<String> keys() {
    return current().keys();
  }

  /** The message type's lower-case name: {@code request}, {@code response}, {@code oneway}, ... */
  public String messageType() {
    return MESSAGE_TYPE_NAMES[current().messageType().ordinal()];
  }

  /** See {@link FilterContext#requestId}. Scripts see a number: exact up to 2^53. */
  public long requestId() {
    return current().requestId();
  }

  /** See {@link FilterContext#operation}. */
  public String operation() {
    return current().operation();
  }

  /** See {@link FilterContext#peerAddress}. */
  public String peerAddress() {
    return current().peerAddress();
  }

  /** See {@link FilterContext#listener}. */
  public String listener() {
    return current().listener();
  }

  /** See {@link FilterContext#route}. */
  public String route() {
    return current().route();
  }

  /** See {@link FilterContext#cluster}. */
  public String cluster() {
    return current().cluster();
  }

  // ---- write ------------------------------------------------------------------------------------------------------

  /** See {@link FilterContext#set}. */
  public void set(String key, String value) {
    current().set(key, value);
  }

  /** See {@link FilterContext#remove}. */
  public void remove(String key) {
    current().remove(key);
  }

  /**
   * Answers with the error reply for {@code errorType} (a lower-case {@link ErrorType} name) and {@code message}. The
   * chain ends when the script returns, whatever it returns.
   *
   * @return {@code "stop"}, so that {@code return ctx:reply(...)} reads like the Java API
   * @throws IllegalArgumentException for an unknown error type, naming the accepted ones
   */
  public String reply(String errorType, String message) {
    ErrorType type = ErrorType.fromName(errorType);
    current().reply(type, message);
    replied = true;
    return STOP;
  }

  /** See {@link FilterContext#routeTo}. */
  public void routeTo(String cluster) {
    current().routeTo(cluster);
  }

  /** See {@link FilterContext#resume}. */
  public void resume() {
    current().resume();
  }

  // ---- per request ------------------------------------------------------------------------------------------------

  /** See {@link FilterContext#state}. */
  public String state(String key) {
    return current().state(key);
  }

  /** See {@link FilterContext#setState}. */
  public void setState(String key, String value) {
    current().setState(key, value);
  }

  // ---- utilities --------------------------------------------------------------------------------------------------

  /** See {@link FilterContext#log}: {@code level} is debug, info, warn or error. */
  public void log(String level, String message) {
    current().log(level, message);
  }

  /** See {@link FilterContext#count}. */
  public void count(String metric, long delta) {
    current().count(metric, delta);
  }

  /** See {@link FilterContext#now}. */
  public long now() {
    return current().now();
  }

  // ---- for bindings -----------------------------------------------------------------------------------------------

  /**
   * The error a binding raises (in its language) for an argument of the wrong type, worded the same in every
   * language: {@code bad argument #2 to 'set' (string expected, got nil)}. Positions count from 1 and do not count
   * {@code ctx} itself.
   */
  public static IllegalArgumentException badArgument(String operation, int position, String expected, String got) {
    return new IllegalArgumentException(
        "bad argument #" + position + " to '" + operation + "' (" + expected + " expected, got " + got + ")");
  }

  /**
   * How a number passed where a string is expected becomes text, the same in every language: integers without a
   * fraction ({@code 5}, not {@code 5.0}), other values in the shortest form that reads back the same.
   */
  public static String numberText(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /**
   * The integer a number argument must be ({@code count}'s delta).
   *
   * @throws IllegalArgumentException via {@link #badArgument} when it has a fraction or is out of range
   */
  public static long integerArgument(String operation, int position, double value) {
    if (value != Math.rint(value) || Math.abs(value) > 0x1p53) {
      throw badArgument(operation, position, "integer", numberText(value));
    }
    return (long) value;
  }

  // ---- for ScriptFilter -------------------------------------------------------------------------------------------

  FilterContext context() {
    return context;
  }

  boolean replied() {
    return replied;
  }

  void enter(FilterContext context, boolean replied) {
    this.context = context;
    this.replied = replied;
  }

  private FilterContext current() {
    FilterContext current = context;
    if (current == null) {
      throw new IllegalStateException("ctx used outside on_request/on_response; it is valid only during the call");
    }
    return current;
  }

  private static String[] lowerCaseNames(Enum<?>[] constants) {
    String[] names = new String[constants.length];
    for (Enum<?> constant : constants) {
      names[constant.ordinal()] = constant.name().toLowerCase(Locale.ROOT);
    }
    return names;
  }
}

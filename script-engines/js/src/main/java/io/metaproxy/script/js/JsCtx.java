package io.metaproxy.script.js;

import io.metaproxy.script.ScriptContext;
import java.util.Collections;
import java.util.List;
import org.graalvm.polyglot.HostAccess;

/**
 * The {@code ctx} a JS script is given: the FilterContext operations under their Java names, each a thin conversion
 * over {@link ScriptContext}. Only the methods annotated {@link HostAccess.Export} are visible to scripts.
 *
 * <p>Conversions: strings in and out; a number where a string is expected becomes its text ({@link
 * ScriptContext#numberText}); a Java null becomes {@code null}; {@code keys()} is a read-only array; {@code requestId()}
 * and {@code now()} are numbers. Arguments arrive as Object so that wrong ones get the same message in every
 * language; errors reach the script as exceptions it may catch ({@code e.message}), and an uncaught one names the
 * script line.
 */
public final class JsCtx {
  private final ScriptContext context;

  JsCtx(ScriptContext context) {
    this.context = context;
  }

  @HostAccess.Export
  public String get(Object key) {
    return context.get(string("get", 1, key));
  }

  @HostAccess.Export
  public List<String> keys() {
    return Collections.unmodifiableList(context.keys());
  }

  @HostAccess.Export
  public String messageType() {
    return context.messageType();
  }

  @HostAccess.Export
  public long requestId() {
    return context.requestId();
  }

  @HostAccess.Export
  public String operation() {
    return context.operation();
  }

  @HostAccess.Export
  public String peerAddress() {
    return context.peerAddress();
  }

  @HostAccess.Export
  public String listener() {
    return context.listener();
  }

  @HostAccess.Export
  public String route() {
    return context.route();
  }

  @HostAccess.Export
  public String cluster() {
    return context.cluster();
  }

  @HostAccess.Export
  public void set(Object key, Object value) {
    context.set(string("set", 1, key), string("set", 2, value));
  }

  @HostAccess.Export
  public void remove(Object key) {
    context.remove(string("remove", 1, key));
  }

  @HostAccess.Export
  public String reply(Object errorType, Object message) {
    return context.reply(string("reply", 1, errorType), string("reply", 2, message));
  }

  @HostAccess.Export
  public void routeTo(Object cluster) {
    context.routeTo(string("routeTo", 1, cluster));
  }

  @HostAccess.Export
  public void resume() {
    context.resume();
  }

  @HostAccess.Export
  public String state(Object key) {
    return context.state(string("state", 1, key));
  }

  @HostAccess.Export
  public void setState(Object key, Object value) {
    context.setState(string("setState", 1, key), string("setState", 2, value));
  }

  @HostAccess.Export
  public void log(Object level, Object message) {
    context.log(string("log", 1, level), string("log", 2, message));
  }

  @HostAccess.Export
  public void count(Object metric, Object delta) {
    context.count(string("count", 1, metric), integer("count", 2, delta));
  }

  @HostAccess.Export
  public long now() {
    return context.now();
  }

  @Override
  public String toString() {
    return "ctx";
  }

  private static String string(String operation, int position, Object value) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof Number number) {
      return ScriptContext.numberText(number.doubleValue());
    }
    throw ScriptContext.badArgument(operation, position, "string", typeName(value));
  }

  private static long integer(String operation, int position, Object value) {
    if (value instanceof Number number) {
      return ScriptContext.integerArgument(operation, position, number.doubleValue());
    }
    throw ScriptContext.badArgument(operation, position, "integer", typeName(value));
  }

  /** JS's name for the type of a value the polyglot layer handed over ({@code null} and {@code undefined} alike). */
  private static String typeName(Object value) {
    if (value == null) {
      return "undefined";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    return "object";
  }
}

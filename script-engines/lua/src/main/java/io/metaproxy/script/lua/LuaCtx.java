package io.metaproxy.script.lua;

import io.metaproxy.script.ScriptContext;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.LibFunction;

/**
 * The {@code ctx} a Lua script is given: a userdata whose methods are the FilterContext operations under their Java
 * names, each a thin conversion between Lua values and {@link ScriptContext}. The userdata is read-only and its
 * metatable hidden; the same one is passed to every call of the VM (nothing is allocated per call).
 *
 * <p>Conversions: strings in and out (through the VM's {@link LuaStrings}, so repeated keys and values
 * allocate nothing, and keys arrive interned); a number where a string is expected becomes its text ({@link
 * ScriptContext#numberText}); a Java null becomes nil; {@code keys()} becomes a new array table; {@code requestId()} and
 * {@code now()} become numbers. Any error (a wrong argument, an unknown error type) is raised as a Lua error, so the
 * script may {@code pcall} it and an uncaught one names the script line.
 */
final class LuaCtx {
  private LuaCtx() {}

  /** A body of one operation, given its (up to two) arguments after {@code ctx}. */
  @FunctionalInterface
  private interface Body {
    LuaValue apply(LuaValue first, LuaValue second);
  }

  /** Builds the {@code ctx} userdata over {@code context}. */
  static LuaUserdata bind(ScriptContext context) {
    LuaTable methods = new LuaTable();
    LuaTable metatable = new LuaTable();
    LuaUserdata ctx = new CtxUserdata(context, metatable, methods);
    LuaStrings strings = new LuaStrings();

    method(methods, ctx, "get", (key, unused) -> strings.toLua(context.get(key(strings, "get", 1, key))));
    method(methods, ctx, "keys", (unused1, unused2) -> list(context.keys()));
    method(methods, ctx, "messageType", (unused1, unused2) -> LuaValue.valueOf(context.messageType()));
    method(methods, ctx, "requestId", (unused1, unused2) -> LuaInteger.valueOf(context.requestId()));
    method(methods, ctx, "operation", (unused1, unused2) -> strings.toLua(context.operation()));
    method(methods, ctx, "peerAddress", (unused1, unused2) -> strings.toLua(context.peerAddress()));
    method(methods, ctx, "listener", (unused1, unused2) -> strings.toLua(context.listener()));
    method(methods, ctx, "route", (unused1, unused2) -> strings.toLua(context.route()));
    method(methods, ctx, "cluster", (unused1, unused2) -> strings.toLua(context.cluster()));
    method(methods, ctx, "set", (key, value) -> {
      context.set(key(strings, "set", 1, key), string(strings, "set", 2, value));
      return LuaValue.NONE;
    });
    method(methods, ctx, "remove", (key, unused) -> {
      context.remove(key(strings, "remove", 1, key));
      return LuaValue.NONE;
    });
    method(methods, ctx, "reply", (error, message) ->
        LuaValue.valueOf(
            context.reply(string(strings, "reply", 1, error), string(strings, "reply", 2, message))));
    method(methods, ctx, "routeTo", (cluster, unused) -> {
      context.routeTo(string(strings, "routeTo", 1, cluster));
      return LuaValue.NONE;
    });
    method(methods, ctx, "resume", (unused1, unused2) -> {
      context.resume();
      return LuaValue.NONE;
    });
    method(methods, ctx, "state", (key, unused) -> strings.toLua(context.state(key(strings, "state", 1, key))));
    method(methods, ctx, "setState", (key, value) -> {
      context.setState(key(strings, "setState", 1, key), string(strings, "setState", 2, value));
      return LuaValue.NONE;
    });
    method(methods, ctx, "log", (level, message) -> {
      context.log(string(strings, "log", 1, level), string(strings, "log", 2, message));
      return LuaValue.NONE;
    });
    method(methods, ctx, "count", (metric, delta) -> {
      context.count(string(strings, "count", 1, metric), integer("count", 2, delta));
      return LuaValue.NONE;
    });
    method(methods, ctx, "now", (unused1, unused2) -> LuaInteger.valueOf(context.now()));

    metatable.set(LuaValue.INDEX, methods);
    metatable.set(LuaValue.NEWINDEX, new LibFunction() {
      @Override
      public LuaValue call(LuaValue self, LuaValue key, LuaValue value) {
        throw new LuaError("ctx is read-only (cannot set '" + key.tojstring() + "')");
      }
    });
    metatable.set(LuaValue.TOSTRING, new LibFunction() {
      @Override
      public LuaValue call(LuaValue self) {
        return LuaValue.valueOf("ctx");
      }
    });
    metatable.set(LuaValue.METATABLE, LuaValue.FALSE);
    return ctx;
  }

  /**
   * The {@code ctx} userdata. Reading a field ({@code ctx:get(...)} is {@code ctx.get} then a call) goes straight to
   * the methods, where luaj's userdata would first look {@code __index} up in the metatable and then the name in the
   * table it names: that was about a sixth of a small filter's time. Writes still go through the metatable, which
   * refuses them.
   *
   * <p>The names a script uses are constants of its compiled functions, the same {@link LuaString} instance on every
   * call, so the last few names looked up are remembered by identity: a hit costs a few reference compares instead
   * of hashing and comparing the bytes. A miss (a new name, or more names than slots) is an ordinary table lookup.
   */
  private static final class CtxUserdata extends LuaUserdata {
    private static final int REMEMBERED = 16;

    private final LuaTable methods;
    private final LuaValue[] rememberedNames = new LuaValue[REMEMBERED];
    private final LuaValue[] rememberedMethods = new LuaValue[REMEMBERED];
    private int nextSlot;

    CtxUserdata(ScriptContext context, LuaTable metatable, LuaTable methods) {
      super(context, metatable);
      this.methods = methods;
    }

    @Override
    public LuaValue get(LuaValue key) {
      for (int i = 0; i < REMEMBERED; i++) {
        if (rememberedNames[i] == key) {
          return rememberedMethods[i];
        }
      }
      LuaValue method = methods.rawget(key);
      if (!method.isnil()) {
        rememberedNames[nextSlot] = key;
        rememberedMethods[nextSlot] = method;
        nextSlot = (nextSlot + 1) % REMEMBERED;
      }
      return method;
    }
  }

  private static void method(LuaTable methods, LuaUserdata ctx, String name, Body body) {
    methods.set(name, new Method(name, ctx, body));
  }

  /** One operation. Checks that it was called with {@code ctx:} and turns Java exceptions into Lua errors. */
  private static final class Method extends LibFunction {
    private final LuaUserdata self;
    private final Body body;

    Method(String name, LuaUserdata self, Body body) {
      this.name = name;
      this.self = self;
      this.body = body;
    }

    @Override
    public LuaValue call() {
      return run(NIL, NIL, NIL);
    }

    @Override
    public LuaValue call(LuaValue ctx) {
      return run(ctx, NIL, NIL);
    }

    @Override
    public LuaValue call(LuaValue ctx, LuaValue first) {
      return run(ctx, first, NIL);
    }

    @Override
    public LuaValue call(LuaValue ctx, LuaValue first, LuaValue second) {
      return run(ctx, first, second);
    }

    @Override
    public Varargs invoke(Varargs args) {
      return run(args.arg1(), args.arg(2), args.arg(3));
    }

    private LuaValue run(LuaValue ctx, LuaValue first, LuaValue second) {
      if (ctx != self) {
        throw new LuaError("call ctx:" + name + "(...) with a colon");
      }
      try {
        return body.apply(first, second);
      } catch (LuaError e) {
        throw e;
      } catch (RuntimeException e) {
        throw new LuaError(e.getMessage() != null ? e.getMessage() : e.toString());
      }
    }
  }

  /** A key argument: as {@link #string}, interned (see {@link LuaStrings#toJavaKey}). */
  private static String key(LuaStrings strings, String operation, int position, LuaValue value) {
    return value instanceof LuaString text ? strings.toJavaKey(text) : string(strings, operation, position, value);
  }

  private static String string(LuaStrings strings, String operation, int position, LuaValue value) {
    return switch (value.type()) {
      case LuaValue.TSTRING -> value instanceof LuaString text ? strings.toJava(text) : value.tojstring();
      case LuaValue.TNUMBER -> ScriptContext.numberText(value.todouble());
      default -> throw ScriptContext.badArgument(operation, position, "string", value.typename());
    };
  }

  private static long integer(String operation, int position, LuaValue value) {
    if (value.type() != LuaValue.TNUMBER) {
      throw ScriptContext.badArgument(operation, position, "integer", value.typename());
    }
    return ScriptContext.integerArgument(operation, position, value.todouble());
  }

  private static LuaValue list(List<String> values) {
    LuaValue[] items = new LuaValue[values.size()];
    for (int i = 0; i < items.length; i++) {
      items[i] = LuaValue.valueOf(values.get(i));
    }
    return LuaValue.listOf(items);
  }
}

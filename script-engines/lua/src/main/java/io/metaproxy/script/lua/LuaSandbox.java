package io.metaproxy.script.lua;

import java.util.List;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;

import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * What a script's VM contains: the base functions, {@code string}, {@code table}, {@code math} and {@code bit32};
 * nothing that reaches outside the VM.
 *
 * <p>Left out: {@code io}, {@code os} (time comes from {@code ctx:now()}), {@code luajava} (host classes), {@code
 * debug} (it could remove the budget hook or read other frames), {@code coroutine} (luaj runs each coroutine on a
 * Java thread of its own), {@code require}/{@code package}, {@code dofile}/{@code loadfile} (files), {@code load}
 * (code from strings, e.g. a header value), {@code print} (stdout; use {@code ctx:log}) and {@code collectgarbage}.
 *
 * <p>luaj keeps the metatable of strings (what makes {@code s:upper()} work) in one static field for the whole JVM;
 * by default it is the first VM's writable {@code string} table, so one script could change string methods for all
 * the others, from several threads. This class installs, once, a metatable whose {@code __index} is a string library
 * no script holds, and whose {@code __metatable} field hides it from {@code getmetatable("")}.
 */
final class LuaSandbox {
  private static final List<String> REMOVED_GLOBALS =
      List.of("dofile", "loadfile", "load", "loadstring", "require", "package", "module", "print", "collectgarbage");

  static {
    Globals scratch = new Globals();
    scratch.load(new PackageLib());
    LuaValue sharedStringLibrary = scratch.load(new StringLib());
    LuaString.s_metatable =
        LuaValue.tableOf(new LuaValue[] {LuaValue.INDEX, sharedStringLibrary, LuaValue.METATABLE, LuaValue.FALSE});
  }

  private LuaSandbox() {}

  /** A fresh VM with the sandboxed libraries and no compiler (scripts arrive compiled). */
  static Globals newGlobals() {
    Globals globals = new Globals();
    globals.load(new BaseLib());
    globals.load(new PackageLib()); // the other libraries register in package.loaded; removed again below
    globals.load(new Bit32Lib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new JseMathLib());
    for (String name : REMOVED_GLOBALS) {
      globals.set(name, LuaValue.NIL);
    }
    return globals;
  }
}

package io.metaproxy.script.lua;

import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.testing.ScriptDialect;
import io.metaproxy.script.testing.ScriptEngineContract;

/** The shared script engine contract, in Lua. */
class LuaEngineContractTest extends ScriptEngineContract {
  @Override
  protected FilterFactory factory() {
    return new LuaFilterFactory();
  }

  @Override
  protected ScriptDialect dialect() {
    return new LuaDialect();
  }

  @Override
  protected String expectedName() {
    return "lua";
  }

  @Override
  protected long compilations() {
    return LuaFilterFactory.compilations();
  }
}

package io.metaproxy.script.lua;

import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.testing.SampleFiltersContract;
import java.nio.file.Path;

/** The Lua samples in sample-filters/lua. */
class LuaSampleFiltersTest extends SampleFiltersContract {
  @Override
  protected FilterFactory factory() {
    return new LuaFilterFactory();
  }

  @Override
  protected Path samples() {
    return Path.of("../../sample-filters/lua"); // tests run in the module's folder
  }

  @Override
  protected String extension() {
    return "lua";
  }
}

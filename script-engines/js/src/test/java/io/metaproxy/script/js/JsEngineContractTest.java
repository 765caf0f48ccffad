package io.metaproxy.script.js;

import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.testing.ScriptDialect;
import io.metaproxy.script.testing.ScriptEngineContract;

/** The shared script engine contract, in JavaScript. */
class JsEngineContractTest extends ScriptEngineContract {
  @Override
  protected FilterFactory factory() {
    return new JsFilterFactory();
  }

  @Override
  protected ScriptDialect dialect() {
    return new JsDialect();
  }

  @Override
  protected String expectedName() {
    return "js";
  }

  @Override
  protected long compilations() {
    return JsFilterFactory.compilations();
  }
}

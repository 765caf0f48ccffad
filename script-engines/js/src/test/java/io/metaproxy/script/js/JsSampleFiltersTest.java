package io.metaproxy.script.js;

import io.metaproxy.api.FilterFactory;
import io.metaproxy.script.testing.SampleFiltersContract;
import java.nio.file.Path;

/** The JavaScript samples in sample-filters/js. */
class JsSampleFiltersTest extends SampleFiltersContract {
  @Override
  protected FilterFactory factory() {
    return new JsFilterFactory();
  }

  @Override
  protected Path samples() {
    return Path.of("../../sample-filters/js"); // tests run in the module's folder
  }

  @Override
  protected String extension() {
    return "mjs";
  }
}

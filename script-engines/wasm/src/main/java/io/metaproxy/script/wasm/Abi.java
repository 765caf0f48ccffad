package io.metaproxy.script.wasm;

import java.util.Locale;

/** The two host interfaces a module can be written against; the {@code abi:} setting, or detected from its exports. */
enum Abi {
  /** metaproxy's own: imports from module {@code metaproxy}, exports {@code on_request} / {@code on_response}. */
  METAPROXY("metaproxy"),
  /** proxy-wasm ABI v0.2.x (Envoy's): imports from module {@code env}, exports {@code proxy_on_*}. */
  PROXY_WASM("proxy-wasm");

  /** The setting's name. */
  static final String SETTING = "abi";

  private final String settingName;

  Abi(String settingName) {
    this.settingName = settingName;
  }

  String settingName() {
    return settingName;
  }

  /** Parses the {@code abi:} setting; null means "detect". */
  static Abi parse(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      for (Abi abi : values()) {
        if (abi.settingName.equals(text.strip().toLowerCase(Locale.ROOT))) {
          return abi;
        }
      }
    }
    throw new IllegalArgumentException("abi: expected metaproxy or proxy-wasm, got '" + value + "'");
  }
}

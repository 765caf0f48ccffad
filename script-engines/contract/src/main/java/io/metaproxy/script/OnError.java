package io.metaproxy.script;

import java.util.Locale;

/** What a script filter does when its script fails (throws, runs past its budget, misuses the API). */
public enum OnError {
  /** Answer the request with a {@code script_error} reply naming the script, line and reason (the default). */
  REPLY,
  /** Log the failure and let the message go on, with whatever changes the script made before it failed. */
  CONTINUE;

  /** The name configuration uses. */
  public String settingName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static OnError parse(Object value) {
    if (value instanceof String text) {
      for (OnError mode : values()) {
        if (mode.settingName().equals(text)) {
          return mode;
        }
      }
    }
    throw new IllegalArgumentException("on_error: expected reply or continue, got '" + value + "'");
  }
}

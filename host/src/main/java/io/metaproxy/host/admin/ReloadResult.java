package io.metaproxy.host.admin;

import java.util.Objects;

/**
 * The outcome of {@link AdminBackend#reload()}.
 *
 * @param success whether the new snapshot now serves; when false the old one still does
 * @param message for people: what was reloaded, or why the new configuration was rejected (file, line, field)
 */
public record ReloadResult(boolean success, String message) {
  public ReloadResult {
    Objects.requireNonNull(message, "message");
  }
}

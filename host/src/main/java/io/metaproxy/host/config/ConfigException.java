package io.metaproxy.host.config;

/** A configuration error; the message reads {@code file:line: field: what is wrong}. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Location location;

  public ConfigException(Location location, String message) {
    super(location.describe() + ": " + message);
    this.location = location;
  }

  /** Where the error is. */
  public Location location() {
    return location;
  }
}

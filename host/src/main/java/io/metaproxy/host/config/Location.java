package io.metaproxy.host.config;

import java.nio.file.Path;

/**
 * Where a piece of configuration was written: file, 1-based line, and the field path (for example {@code
 * listeners[0].filters[2].config}), so that errors found after parsing can still point at the source.
 */
public record Location(Path file, int line, String field) {
  /**
   * {@code file:line: field} as errors print it. The line is left out when unknown (zero) and the field when empty
   * (a YAML syntax error belongs to no field).
   */
  public String describe() {
    StringBuilder out = new StringBuilder().append(file);
    if (line > 0) {
      out.append(':').append(line);
    }
    if (!field.isEmpty()) {
      out.append(": ").append(field);
    }
    return out.toString();
  }

  /** An error at this location. */
  public ConfigException error(String message) {
    return new ConfigException(this, message);
  }
}

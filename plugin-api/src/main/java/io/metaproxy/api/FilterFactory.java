package io.metaproxy.api;

import org.pf4j.ExtensionPoint;

/**
 * Makes filters of one kind. A plugin publishes it with PF4J's {@code @Extension}; listeners name it in their
 * {@code filters:} list ({@code - name: header_auth}).
 */
public interface FilterFactory extends ExtensionPoint {

  /** The name configuration uses, lower case with underscores, e.g. {@code header_auth}. */
  String name();

  /**
   * Makes a filter for one event loop of one configuration snapshot. The host calls it while building a snapshot
   * (at start, {@code validate} and reload), so a bad setting is reported before anything serves with it.
   *
   * @throws IllegalArgumentException when the settings are invalid; the message should name the setting, e.g.
   *     {@code "header: required"}, and the host adds the file, line and filter it came from
   */
  Filter create(FilterConfig config);
}

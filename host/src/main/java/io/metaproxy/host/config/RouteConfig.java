package io.metaproxy.host.config;

import java.util.List;

/** A named, ordered list of routes; the first whose match holds wins. */
public record RouteConfig(String name, List<RouteSpec> routes) {
  public RouteConfig {
    routes = List.copyOf(routes);
  }
}

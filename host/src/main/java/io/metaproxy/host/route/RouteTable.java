package io.metaproxy.host.route;

import io.metaproxy.host.config.RouteConfig;
import io.metaproxy.host.config.RouteSpec;
import java.util.List;

/** A listener's routes in order; the first that matches wins. Immutable. */
public final class RouteTable {
  private final String name;
  private final Route[] routes;

  public RouteTable(RouteConfig config) {
    this.name = config.name();
    List<RouteSpec> specs = config.routes();
    this.routes = new Route[specs.size()];
    for (int i = 0; i < routes.length; i++) {
      routes[i] = new Route(specs.get(i));
    }
  }

  public String name() {
    return name;
  }

  /** The first route whose matchers hold for {@code view}, or null. Allocates nothing. */
  public Route match(MetadataView view) {
    for (Route route : routes) {
      if (route.matches(view)) {
        return route;
      }
    }
    return null;
  }

  public List<Route> routes() {
    return List.of(routes);
  }
}

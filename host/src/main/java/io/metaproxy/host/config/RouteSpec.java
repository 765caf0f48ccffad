package io.metaproxy.host.config;

import java.util.List;

/**
 * A route: matchers that must all hold (an empty list matches everything), where to send the request, and the
 * key/values to set on the request and on the response.
 */
public record RouteSpec(
    String name,
    List<MetadataMatcher> match,
    RouteAction action,
    List<HeaderValue> requestMutation,
    List<HeaderValue> responseMutation,
    Location location) {
  public RouteSpec {
    match = List.copyOf(match);
    requestMutation = List.copyOf(requestMutation);
    responseMutation = List.copyOf(responseMutation);
  }
}

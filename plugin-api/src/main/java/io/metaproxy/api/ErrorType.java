package io.metaproxy.api;

import java.util.Locale;

/**
 * Why the proxy answers a request itself instead of the upstream. Every failure reaches the client as the
 * protocol's own error reply through {@link Codec#onError}. Scripts name these by {@link #scriptName()}, the
 * lower-case constant name (for example {@code "route_not_found"}).
 */
public enum ErrorType {
  /** No route of the listener matched the request's metadata. */
  ROUTE_NOT_FOUND,
  /** The matched route (or a filter's {@code routeTo}) names a cluster the configuration does not have. */
  CLUSTER_NOT_FOUND,
  /** The cluster has no endpoint that is up, or its circuit breaker is open. */
  NO_HEALTHY_UPSTREAM,
  /** The upstream connection failed: connect refused, reset, or closed before the response. */
  UPSTREAM_FAILURE,
  /** The route's timeout passed before the response arrived. */
  TIMEOUT,
  /** A rate limit or circuit breaker refused the request. */
  OVER_LIMIT,
  /** An authorization filter refused the request. */
  UNAUTHORIZED,
  /** The request could not be understood (for example a frame larger than the listener allows). */
  BAD_REQUEST,
  /** A script filter threw, ran past its budget, or returned something invalid. */
  SCRIPT_ERROR,
  /** Anything else. */
  UNSPECIFIED;

  private final String scriptName = name().toLowerCase(Locale.ROOT);

  /** The lower-case name scripts and configuration use, e.g. {@code over_limit}. */
  public String scriptName() {
    return scriptName;
  }

  /**
   * Parses a script name or a constant name, ignoring case.
   *
   * @throws IllegalArgumentException naming the accepted values when {@code name} is none of them
   */
  public static ErrorType fromName(String name) {
    for (ErrorType type : values()) {
      if (type.name().equalsIgnoreCase(name)) {
        return type;
      }
    }
    StringBuilder accepted = new StringBuilder();
    for (ErrorType type : values()) {
      accepted.append(accepted.isEmpty() ? "" : ", ").append(type.scriptName);
    }
    throw new IllegalArgumentException("unknown error type '" + name + "'; expected one of " + accepted);
  }
}

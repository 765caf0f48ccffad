package io.metaproxy.host.route;

import io.metaproxy.host.config.HeaderValue;
import io.metaproxy.host.config.MetadataMatcher;
import io.metaproxy.host.config.RouteAction;
import io.metaproxy.host.config.RouteSpec;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** One compiled route. Immutable; shared across event loops. */
public final class Route {
  /** Envoy's default route timeout. */
  public static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

  private final String name;
  private final MetadataMatcher[] matchers;
  private final String[] clusters;
  private final int[] cumulativeWeights;
  private final int totalWeight;
  private final long timeoutNanos;
  private final int retryAttempts;
  private final boolean retryOnConnectFailure;
  private final boolean retryOnTimeout;
  private final boolean retryOnReset;
  private final HeaderValue[] requestMutation;
  private final HeaderValue[] responseMutation;
  private final RouteSpec spec;
  private final String[] hashPolicy;
  private final String mirrorCluster;
  private final double mirrorFraction;

  public Route(RouteSpec spec) {
    this.spec = spec;
    this.name = spec.name();
    this.matchers = spec.match().toArray(MetadataMatcher[]::new);
    RouteAction action = spec.action();
    if (action.cluster() != null) {
      clusters = new String[] {action.cluster()};
      cumulativeWeights = new int[] {1};
      totalWeight = 1;
    } else {
      List<RouteAction.WeightedCluster> weighted = action.weightedClusters();
      clusters = new String[weighted.size()];
      cumulativeWeights = new int[weighted.size()];
      int sum = 0;
      for (int i = 0; i < weighted.size(); i++) {
        clusters[i] = weighted.get(i).name();
        sum += weighted.get(i).weight();
        cumulativeWeights[i] = sum;
      }
      totalWeight = sum;
    }
    long timeout = action.timeout() == null ? 0 : action.timeout().toNanos();
    this.timeoutNanos = timeout > 0 ? timeout : DEFAULT_TIMEOUT_NANOS;
    RouteAction.RetryPolicy retry = action.retry();
    this.retryAttempts = retry == null ? 0 : retry.attempts();
    this.retryOnConnectFailure = retry != null && (retry.on().isEmpty() || retry.on().contains("connect_failure"));
    this.retryOnTimeout = retry != null && retry.on().contains("timeout");
    this.retryOnReset = retry != null && retry.on().contains("reset");
    this.requestMutation = spec.requestMutation().toArray(HeaderValue[]::new);
    this.responseMutation = spec.responseMutation().toArray(HeaderValue[]::new);
    this.hashPolicy = action.hashPolicy().toArray(String[]::new);
    this.mirrorCluster = action.mirror() == null ? null : action.mirror().cluster();
    this.mirrorFraction = action.mirror() == null ? 0 : action.mirror().fraction();
  }

  /** Metadata keys whose values pick the endpoint under ring_hash and maglev; empty when none. */
  public String[] hashPolicy() {
    return hashPolicy;
  }

  /** The cluster requests are copied to, or null. */
  public String mirrorCluster() {
    return mirrorCluster;
  }

  /** Whether this request should be copied to the mirror cluster (drawn with the configured fraction). */
  public boolean drawMirror() {
    return mirrorCluster != null && (mirrorFraction >= 1 || ThreadLocalRandom.current().nextDouble() < mirrorFraction);
  }

  public String name() {
    return name;
  }

  public RouteSpec spec() {
    return spec;
  }

  /** Whether every matcher holds for {@code view}. */
  public boolean matches(MetadataView view) {
    for (MetadataMatcher matcher : matchers) {
      if (!matcher.matches(view.get(matcher.name()))) {
        return false;
      }
    }
    return true;
  }

  /** The cluster for one request: the only one, or one drawn by weight. */
  public String pickCluster() {
    if (clusters.length == 1) {
      return clusters[0];
    }
    int draw = ThreadLocalRandom.current().nextInt(totalWeight);
    for (int i = 0; i < cumulativeWeights.length; i++) {
      if (draw < cumulativeWeights[i]) {
        return clusters[i];
      }
    }
    return clusters[clusters.length - 1];
  }

  /** Every cluster this route may pick. */
  public String[] clusters() {
    return clusters.clone();
  }

  /** How many clusters this route may pick; with {@link #cluster(int)}, a read with no array copy. */
  public int clusterCount() {
    return clusters.length;
  }

  public String cluster(int index) {
    return clusters[index];
  }

  public long timeoutNanos() {
    return timeoutNanos;
  }

  /** Extra attempts after the first (0 when the route has no retry policy). */
  public int retryAttempts() {
    return retryAttempts;
  }

  public boolean retryOnConnectFailure() {
    return retryOnConnectFailure;
  }

  /** Retry when the upstream connection closed or reset before the response (the request may have been seen). */
  public boolean retryOnReset() {
    return retryOnReset;
  }

  public boolean retryOnTimeout() {
    return retryOnTimeout;
  }

  /** Key/values set on every request this route sends. */
  public HeaderValue[] requestMutation() {
    return requestMutation;
  }

  /** Key/values set on every response to a request of this route. */
  public HeaderValue[] responseMutation() {
    return responseMutation;
  }

  @Override
  public String toString() {
    return "Route{" + name + "}";
  }
}

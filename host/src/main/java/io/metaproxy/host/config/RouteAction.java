package io.metaproxy.host.config;

import java.time.Duration;
import java.util.List;

/**
 * Where a matched request goes: exactly one of {@code cluster} and {@code weightedClusters}.
 *
 * @param cluster the single cluster, or null when weighted
 * @param weightedClusters empty when {@code cluster} is set
 * @param timeout how long to wait for the response; zero means the default (15s as in Envoy)
 * @param retry null when not configured
 * @param mirror null when not configured
 * @param hashPolicy metadata keys hashed for ring_hash/maglev load balancing; empty when none
 */
public record RouteAction(
    String cluster,
    List<WeightedCluster> weightedClusters,
    Duration timeout,
    RetryPolicy retry,
    MirrorPolicy mirror,
    List<String> hashPolicy) {
  public RouteAction {
    weightedClusters = List.copyOf(weightedClusters);
    hashPolicy = List.copyOf(hashPolicy);
  }

  /** {@code { name: greet-v1, weight: 80 }}; weights are positive integers. */
  public record WeightedCluster(String name, int weight) {}

  /** {@code retry: { attempts: 2, on: [ connect_failure, timeout ] }}. */
  public record RetryPolicy(int attempts, List<String> on) {
    public RetryPolicy {
      on = List.copyOf(on);
    }
  }

  /** {@code mirror: { cluster: greet-shadow, fraction: 0.1 }}. */
  public record MirrorPolicy(String cluster, double fraction) {}
}

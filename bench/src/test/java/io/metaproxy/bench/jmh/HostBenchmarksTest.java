package io.metaproxy.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.Filter;
import io.metaproxy.bench.jmh.host.BenchFilters;
import io.metaproxy.bench.protocol.DubboProtocol;
import io.metaproxy.host.route.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host-level micro-benchmarks measure what their Javadoc says: one operation each, run a few times with the
 * benchmarks' own set-up, and checked through the real host's results (the route matched, the filters called, the
 * reply written, every buffer released). No timing.
 */
class HostBenchmarksTest {

  @ParameterizedTest
  @ValueSource(strings = {"exact", "prefix", "regex"})
  void routeMatchFindsTheFirstTheMiddleAndNoRoute(String matcher) throws Exception {
    assertThat(matchedRoute(matcher, "first")).isEqualTo("route-0");
    assertThat(matchedRoute(matcher, "middle")).isEqualTo("route-50");
    assertThat(matchedRoute(matcher, "none")).isNull();
  }

  private static String matchedRoute(String matcher, String target) throws Exception {
    RouteMatchBenchmark benchmark = new RouteMatchBenchmark();
    benchmark.routes = 100;
    benchmark.matcher = matcher;
    benchmark.target = target;
    benchmark.setUp();
    try {
      Route route = benchmark.match();
      return route == null ? null : route.name();
    } finally {
      benchmark.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"noop", "read", "write"})
  void filterChainRunsEveryFilterOnBothPathsThenTheLocalReply(String kind) throws Exception {
    FilterChainBenchmark benchmark = new FilterChainBenchmark();
    benchmark.filters = 3;
    benchmark.kind = kind;
    benchmark.setUp();
    try {
      for (int i = 0; i < 10; i++) {
        benchmark.exchange();
      }
      Filter[] filters = benchmark.host().filters();
      assertThat(filters).hasSize(4);
      for (int i = 0; i < 3; i++) {
        BenchFilters.Counting filter = (BenchFilters.Counting) filters[i];
        assertThat(filter.requests()).as("filter %d requests", i).isEqualTo(10);
        assertThat(filter.responses()).as("filter %d responses", i).isEqualTo(10);
      }
      BenchFilters.Counting reply = (BenchFilters.Counting) filters[3];
      assertThat(reply.requests()).isEqualTo(10);
      assertThat(reply.responses()).as("the replying filter's own response side does not run").isZero();

      assertThat(benchmark.downstream().frames()).isEqualTo(10);
      assertThat(benchmark.downstream().exchangesDone()).isEqualTo(10);
      assertThat(benchmark.downstream().lastRequestId()).isEqualTo(42);
      assertThat(benchmark.downstream().lastStatus()).isNotEqualTo(DubboProtocol.STATUS_OK);
      assertThat(benchmark.request().frameReferences()).as("every request frame released").isEqualTo(1);
      assertThat(benchmark.host().snapshot().inFlight()).isZero();
    } finally {
      benchmark.tearDown();
    }
  }

  @Test
  void filterChainRunsTheLuaEngineWhenAsked() throws Exception {
    FilterChainBenchmark benchmark = new FilterChainBenchmark();
    benchmark.filters = 2;
    benchmark.kind = "lua";
    benchmark.setUp();
    try {
      for (int i = 0; i < 5; i++) {
        benchmark.exchange();
      }
      Filter[] filters = benchmark.host().filters();
      assertThat(filters).hasSize(3);
      assertThat(filters[0].getClass().getName()).startsWith("io.metaproxy.script.lua.");
      assertThat(filters[1].getClass().getName()).startsWith("io.metaproxy.script.lua.");
      assertThat(((BenchFilters.Counting) filters[2]).requests()).as("both Lua filters continued").isEqualTo(5);
      assertThat(benchmark.downstream().frames()).isEqualTo(5);
      assertThat(benchmark.request().frameReferences()).isEqualTo(1);
    } finally {
      benchmark.tearDown();
    }
  }

  @Test
  void filterChainWithoutFiltersOnlyReplies() throws Exception {
    FilterChainBenchmark benchmark = new FilterChainBenchmark();
    benchmark.filters = 0;
    benchmark.kind = "noop";
    benchmark.setUp();
    try {
      long bytes = benchmark.exchange();
      assertThat(bytes).isGreaterThan(DubboProtocol.HEADER_LENGTH);
      assertThat(benchmark.host().filters()).hasSize(1);
      assertThat(benchmark.request().frameReferences()).isEqualTo(1);
    } finally {
      benchmark.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3})
  void proxyRoundTripGoesThroughTheProxyAndItsFilters(int filters) throws Exception {
    ProxyRoundTripBenchmark benchmark = new ProxyRoundTripBenchmark();
    benchmark.filters = filters;
    benchmark.kind = "noop";
    benchmark.payload = 1024;
    benchmark.setUp();
    try {
      for (int i = 0; i < 5; i++) {
        // call() throws unless the answer is a successful response to that very request
        assertThat(benchmark.roundTrip()).isGreaterThan(1024);
      }
      Filter[] chain = benchmark.proxy().current().listener("bench").chain().forLoop(0);
      assertThat(chain).hasSize(filters);
      for (Filter filter : chain) {
        assertThat(((BenchFilters.Counting) filter).requests()).isEqualTo(5);
        assertThat(((BenchFilters.Counting) filter).responses()).isEqualTo(5);
      }
    } finally {
      benchmark.tearDown();
    }
  }
}

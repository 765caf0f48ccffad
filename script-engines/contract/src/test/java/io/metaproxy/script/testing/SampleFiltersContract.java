package io.metaproxy.script.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterFactory;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the sample filters in {@code sample-filters/<language>/} do, the same in every language: each engine's test
 * extends this with its factory and folder, so the Lua and JS samples cannot drift apart either.
 */
public abstract class SampleFiltersContract {
  private final List<Filter> filters = new ArrayList<>();

  /** The engine's factory. */
  protected abstract FilterFactory factory();

  /** The folder holding the samples, e.g. {@code ../../sample-filters/lua}. */
  protected abstract Path samples();

  /** The samples' file extension, without the dot. */
  protected abstract String extension();

  @AfterEach
  void closeFilters() {
    filters.forEach(Filter::close);
  }

  private Filter sample(String name) {
    Path file = samples().resolve(name + "." + extension());
    assertThat(file).as("sample %s", file.toAbsolutePath()).isRegularFile();
    // A relaxed budget: the test machine's speed is no part of what the samples do.
    Filter filter =
        factory().create(TestFilterConfig.of(factory().name(), Map.of("file", file.getFileName().toString(), "budget", "5s"), samples()));
    filters.add(filter);
    return filter;
  }

  @Test
  void addHeadersMarksRequestsAndResponses() {
    Filter filter = sample("add_headers");
    RecordingFilterContext request = RecordingFilterContext.request();
    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(request.mutation().get("x-proxied-by")).isEqualTo("metaproxy");
    assertThat(request.mutation().get("x-request-start")).isEqualTo(Long.toString(RecordingFilterContext.NOW));

    RecordingFilterContext response = request.response();
    assertThat(filter.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(response.mutation().get("x-upstream-cluster")).isEqualTo("greet-v1");

    RecordingFilterContext local = RecordingFilterContext.request().cluster(null).response();
    filter.onResponse(local);
    assertThat(local.mutation().touches("x-upstream-cluster")).isFalse();
  }

  @Test
  void canaryRoutesFlaggedRequestsAndMarksTheirResponses() {
    Filter filter = sample("canary");
    RecordingFilterContext flagged = RecordingFilterContext.request().with("x-canary", "true");
    assertThat(filter.onRequest(flagged)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(flagged.routedTo()).isEqualTo("greet-v2");
    RecordingFilterContext response = flagged.response();
    filter.onResponse(response);
    assertThat(response.mutation().get("x-canary-served-by")).isEqualTo("greet-v2");

    RecordingFilterContext plain = RecordingFilterContext.request().with("x-canary", "false");
    filter.onRequest(plain);
    assertThat(plain.routedTo()).isNull();
    RecordingFilterContext plainResponse = plain.response();
    filter.onResponse(plainResponse);
    assertThat(plainResponse.mutation().isEmpty()).isTrue();
  }

  @Test
  void canaryRoutesAStableShareOfUsers() {
    Filter filter = sample("canary");
    String canaryUser = null;
    String stableUser = null;
    for (int i = 0; canaryUser == null || stableUser == null; i++) {
      String user = "user-" + i + "-é"; // a non-ASCII id: both languages hash its UTF-8 bytes
      if (bucket(user) < 10) {
        canaryUser = canaryUser == null ? user : canaryUser;
      } else {
        stableUser = stableUser == null ? user : stableUser;
      }
    }
    RecordingFilterContext canary = RecordingFilterContext.request().with("user-id", canaryUser);
    filter.onRequest(canary);
    assertThat(canary.routedTo()).as("user %s", canaryUser).isEqualTo("greet-v2");
    RecordingFilterContext stable = RecordingFilterContext.request().with("user-id", stableUser);
    filter.onRequest(stable);
    assertThat(stable.routedTo()).as("user %s", stableUser).isNull();
  }

  /** The bucket the canary samples compute, written once more in Java to check both against. */
  private static int bucket(String text) {
    long hash = 0;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash = (hash * 31 + (b & 0xff)) % 1000003;
    }
    return (int) (hash % 100);
  }

  @Test
  void tokenAuthRejectsMissingAndUnknownTokensAndStripsGoodOnes() {
    Filter filter = sample("token_auth");
    RecordingFilterContext missing = RecordingFilterContext.request();
    assertThat(filter.onRequest(missing)).isEqualTo(FilterStatus.STOP);
    assertThat(missing.replies()).containsExactly(new RecordingFilterContext.Reply(ErrorType.UNAUTHORIZED, "missing token"));
    assertThat(missing.counters()).containsEntry("auth_rejected", 1L);

    RecordingFilterContext unknown = RecordingFilterContext.request().with("token", "guess");
    assertThat(filter.onRequest(unknown)).isEqualTo(FilterStatus.STOP);
    assertThat(unknown.replies()).containsExactly(new RecordingFilterContext.Reply(ErrorType.UNAUTHORIZED, "bad token"));

    RecordingFilterContext good = RecordingFilterContext.request().with("token", "s3cr3t-alice");
    assertThat(filter.onRequest(good)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(good.replies()).isEmpty();
    assertThat(good.get("token")).as("the token does not travel on").isNull();
    assertThat(good.mutation().get("x-user")).isEqualTo("alice");
  }

  @Test
  void methodCounterCountsCallsAndErrorsPerMethod() {
    Filter filter = sample("method_counter");
    RecordingFilterContext request = RecordingFilterContext.request().with("method", "sayHello");
    filter.onRequest(request);
    assertThat(request.counters()).containsExactly(Map.entry("method_calls_sayHello", 1L));
    RecordingFilterContext failed = request.response().messageType(MessageType.ERROR);
    filter.onResponse(failed);
    assertThat(failed.counters()).containsExactly(Map.entry("method_errors_sayHello", 1L));
    RecordingFilterContext succeeded = request.response();
    filter.onResponse(succeeded);
    assertThat(succeeded.counters()).isEmpty();

    RecordingFilterContext noMethodKey = RecordingFilterContext.request();
    filter.onRequest(noMethodKey);
    assertThat(noMethodKey.counters()).containsExactly(Map.entry("method_calls_org_example_Greeter_sayHello", 1L));
  }

  /** Every sample in the folder is covered by a test here. */
  @Test
  void everySampleIsTested() throws Exception {
    try (var files = Files.list(samples())) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "add_headers." + extension(), "canary." + extension(), "token_auth." + extension(), "method_counter." + extension());
    }
  }
}

package io.metaproxy.filter.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.filter.example.TestContext.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code header_auth} does to requests: allow, deny, the methods filter, strip, tokens_file. */
class HeaderAuthFilterTest {
  private static final String ALICE = "al1ce-s3cret";
  private static final String SHARED = "shared-t0ken";

  private static Filter filter(Map<String, Object> settings) {
    return new HeaderAuthFilterFactory().create(new TestContext.Config(settings));
  }

  private static final Filter DEFAULT = filter(Map.of("header", "x-token", "tokens", List.of("alice:" + ALICE, SHARED)));

  @Test
  void aLabelledTokenPassesAsItsUserAndIsNotSentUpstream() {
    TestContext request = TestContext.request("method", "sayHello", "x-token", ALICE);

    assertThat(DEFAULT.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);

    assertThat(request.replies).isEmpty();
    assertThat(request.state).containsEntry("auth.user", "alice");
    assertThat(request.get("x-auth-user")).isEqualTo("alice");
    assertThat(request.mutation.touches("x-token")).isTrue();
    assertThat(request.get("x-token")).isNull();
    assertThat(request.counters).containsExactly(Map.entry("auth_allowed", 1L));
  }

  @Test
  void anUnlabelledTokenPassesAsOk() {
    TestContext request = TestContext.request("x-token", SHARED);

    assertThat(DEFAULT.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);

    assertThat(request.state).containsEntry("auth.user", "ok");
    assertThat(request.get("x-auth-user")).isEqualTo("ok");
  }

  @Test
  void aUserNameTheClientSentIsReplacedByTheTokensLabel() {
    TestContext request = TestContext.request("x-auth-user", "admin", "x-token", ALICE);

    DEFAULT.onRequest(request);

    assertThat(request.get("x-auth-user")).isEqualTo("alice");
  }

  @Test
  void aMissingTokenIsRefusedNamingTheHeader() {
    TestContext request = TestContext.request("method", "sayHello");

    assertThat(DEFAULT.onRequest(request)).isEqualTo(FilterStatus.STOP);

    assertThat(request.replies)
        .containsExactly(new Reply(ErrorType.UNAUTHORIZED, "unauthorized: the request has no 'x-token'"));
    assertThat(request.mutation.isEmpty()).isTrue();
    assertThat(request.state).isEmpty();
    assertThat(request.counters).containsExactly(Map.entry("auth_denied", 1L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"wrong", "", "al1ce-s3cre", "al1ce-s3cretX", "AL1CE-S3CRET", "alice:al1ce-s3cret", "alice", "ok"})
  void anyOtherTokenIsRefusedWithoutEchoingIt(String presented) {
    TestContext request = TestContext.request("x-token", presented);

    assertThat(DEFAULT.onRequest(request)).isEqualTo(FilterStatus.STOP);

    assertThat(request.replies).hasSize(1);
    Reply reply = request.replies.get(0);
    assertThat(reply.error()).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(reply.message()).isEqualTo("unauthorized: 'x-token' holds no accepted token");
    assertThat(request.mutation.isEmpty()).isTrue();
    assertThat(request.state).isEmpty();
    assertThat(request.counters).containsExactly(Map.entry("auth_denied", 1L));
  }

  @Test
  void theHeaderKeyIsCaseSensitiveLikeAllMetadataKeys() {
    TestContext request = TestContext.request("X-Token", ALICE);

    assertThat(DEFAULT.onRequest(request)).isEqualTo(FilterStatus.STOP);
  }

  @Test
  void nonAsciiTokensCompareByTheirUtf8Bytes() {
    Filter filter = filter(Map.of("header", "x-token", "tokens", List.of("zoë:пароль-✓")));

    TestContext good = TestContext.request("x-token", "пароль-✓");
    TestContext bad = TestContext.request("x-token", "пароль-x");

    assertThat(filter.onRequest(good)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(good.state).containsEntry("auth.user", "zoë");
    assertThat(filter.onRequest(bad)).isEqualTo(FilterStatus.STOP);
  }

  @Test
  void onFailMessageReplacesBothReplies() {
    Filter filter = filter(Map.of("header", "x-token", "tokens", List.of(SHARED), "on_fail_message", "ask the admin"));

    TestContext missing = TestContext.request();
    TestContext wrong = TestContext.request("x-token", "nope");
    filter.onRequest(missing);
    filter.onRequest(wrong);

    assertThat(missing.replies).containsExactly(new Reply(ErrorType.UNAUTHORIZED, "ask the admin"));
    assertThat(wrong.replies).containsExactly(new Reply(ErrorType.UNAUTHORIZED, "ask the admin"));
  }

  @Test
  void withStripFalseTheTokenTravelsUpstream() {
    Filter filter = filter(Map.of("header", "x-token", "tokens", List.of(SHARED), "strip", false));
    TestContext request = TestContext.request("x-token", SHARED);

    assertThat(filter.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);

    assertThat(request.mutation.touches("x-token")).isFalse();
    assertThat(request.get("x-token")).isEqualTo(SHARED);
    assertThat(request.get("x-auth-user")).isEqualTo("ok");
  }

  // ---- methods --------------------------------------------------------------------------------------------------

  private static final Filter ONLY_WRITES =
      filter(Map.of("header", "x-token", "tokens", List.of("alice:" + ALICE), "methods", List.of("update", "delete")));

  @Test
  void listedMethodsAreChecked() {
    TestContext withoutToken = TestContext.request("method", "delete");
    TestContext withToken = TestContext.request("method", "update", "x-token", ALICE);

    assertThat(ONLY_WRITES.onRequest(withoutToken)).isEqualTo(FilterStatus.STOP);
    assertThat(withoutToken.replies).extracting(Reply::error).containsExactly(ErrorType.UNAUTHORIZED);
    assertThat(ONLY_WRITES.onRequest(withToken)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(withToken.state).containsEntry("auth.user", "alice");
  }

  @Test
  void otherMethodsPassUncheckedAndUncounted() {
    TestContext request = TestContext.request("method", "read");

    assertThat(ONLY_WRITES.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);

    assertThat(request.replies).isEmpty();
    assertThat(request.state).isEmpty();
    assertThat(request.counters).isEmpty();
    assertThat(request.mutation.isEmpty()).as("an untouched request keeps its original bytes").isTrue();
  }

  @Test
  void aRequestWithoutMethodIsNotInTheList() {
    TestContext request = TestContext.request("x-token", "whatever");

    assertThat(ONLY_WRITES.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(request.replies).isEmpty();
  }

  @Test
  void uncheckedRequestsStillLoseTheTokenAndAnyClaimedUser() {
    TestContext request = TestContext.request("method", "read", "x-token", "anything", "x-auth-user", "admin");

    assertThat(ONLY_WRITES.onRequest(request)).isEqualTo(FilterStatus.CONTINUE);

    assertThat(request.get("x-token")).isNull();
    assertThat(request.get("x-auth-user")).isNull();
    assertThat(request.keys()).containsExactly("method");
    assertThat(request.state).isEmpty();
  }

  // ---- tokens_file ----------------------------------------------------------------------------------------------

  @Test
  void tokensFileIsResolvedAgainstTheConfigFolderAndReadAtCreate(@TempDir Path configDir) throws Exception {
    Files.createDirectories(configDir.resolve("auth"));
    Path file = configDir.resolve("auth/tokens.txt");
    Files.writeString(file, "# who may call\r\nalice:" + ALICE + "\r\n\r\n   " + SHARED + "   \n# bob left\n");
    TestContext.Config config =
        new TestContext.Config(Map.of("header", "x-token", "tokens_file", "auth/tokens.txt"), configDir);
    Filter filter = new HeaderAuthFilterFactory().create(config);

    TestContext alice = TestContext.request("x-token", ALICE);
    TestContext shared = TestContext.request("x-token", SHARED);
    TestContext comment = TestContext.request("x-token", "# who may call");
    assertThat(filter.onRequest(alice)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(alice.state).containsEntry("auth.user", "alice");
    assertThat(filter.onRequest(shared)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(shared.state).containsEntry("auth.user", "ok");
    assertThat(filter.onRequest(comment)).isEqualTo(FilterStatus.STOP);

    // the file is read when the filter is made: a new snapshot (reload) sees the edit, the old filter does not
    Files.writeString(file, "bob:b0b\n");
    Filter reloaded = new HeaderAuthFilterFactory().create(config);
    assertThat(reloaded.onRequest(TestContext.request("x-token", ALICE))).isEqualTo(FilterStatus.STOP);
    TestContext bob = TestContext.request("x-token", "b0b");
    assertThat(reloaded.onRequest(bob)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(bob.state).containsEntry("auth.user", "bob");
    assertThat(filter.onRequest(TestContext.request("x-token", ALICE))).isEqualTo(FilterStatus.CONTINUE);
  }

  @Test
  void theFilterIsUsableByAnyNumberOfRequestsAndHoldsNoPerRequestState() {
    for (int i = 0; i < 3; i++) {
      TestContext allowed = TestContext.request("x-token", ALICE);
      TestContext denied = TestContext.request("x-token", "nope");
      assertThat(DEFAULT.onRequest(allowed)).isEqualTo(FilterStatus.CONTINUE);
      assertThat(DEFAULT.onRequest(denied)).isEqualTo(FilterStatus.STOP);
      assertThat(allowed.counters).containsExactly(Map.entry("auth_allowed", 1L));
      assertThat(denied.counters).containsExactly(Map.entry("auth_denied", 1L));
    }
    assertThat(DEFAULT.toString()).doesNotContain(ALICE, SHARED);
  }

  @Test
  void responsesPassUntouched() {
    TestContext response = TestContext.request("x-token", "not checked on the way back");

    assertThat(DEFAULT.onResponse(response)).isEqualTo(FilterStatus.CONTINUE);
    assertThat(response.mutation.isEmpty()).isTrue();
  }
}

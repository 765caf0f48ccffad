package io.metaproxy.host.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.host.stats.ProxyStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AdminServerTest {
  private final FakeBackend backend = new FakeBackend();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private AdminServer server;
  private int port;

  @BeforeEach
  void start() throws InterruptedException {
    server = new AdminServer("127.0.0.1", 0, backend);
    server.start();
    port = server.boundAddress().getPort();
  }

  @AfterEach
  void stop() {
    backend.releaseReload.countDown();
    server.close();
    http.close();
  }

  @Test
  void bindsTheGivenHostOnAnEphemeralPort() {
    InetSocketAddress bound = server.boundAddress();
    assertThat(bound.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(bound.getPort()).isPositive();
  }

  @Test
  void readyIsLiveWhileServing() throws Exception {
    HttpResponse<String> response = get("/ready");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("LIVE");
    assertThat(contentType(response)).isEqualTo("text/plain; charset=utf-8");
  }

  @Test
  void readyIsNotReadyBeforeServingAndDrainingAfterDrain() throws Exception {
    backend.ready = false;
    assertThat(get("/ready")).satisfies(r -> {
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("NOT READY");
    });

    backend.ready = true;
    HttpResponse<String> drain = send("POST", "/drain");
    assertThat(drain.statusCode()).isEqualTo(200);
    assertThat(backend.drains.get()).isEqualTo(1);
    assertThat(get("/ready")).satisfies(r -> {
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("DRAINING");
    });
  }

  @Test
  void prometheusStatsInTextFormat004() throws Exception {
    backend.stats.route("dubbo-in", "greet", "greet-v1").requestStarted();
    HttpResponse<String> response = get("/stats/prometheus");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(contentType(response)).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("metaproxy_requests_total{cluster=\"greet-v1\",listener=\"dubbo-in\",route=\"greet\"} 1.0");
  }

  @Test
  void queryStringsDoNotChangeThePath() throws Exception {
    assertThat(get("/stats/prometheus?name[]=metaproxy_requests_total").statusCode()).isEqualTo(200);
  }

  @Test
  void configDumpIsJsonWithAByteExactContentLength() throws Exception {
    backend.configDump = "{\"listeners\":[{\"name\":\"dubbo-ünïcode\"}]}";
    HttpResponse<String> response = get("/config_dump");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(contentType(response)).isEqualTo("application/json; charset=utf-8");
    assertThat(response.body()).isEqualTo(backend.configDump);
    assertThat(response.headers().firstValueAsLong("content-length"))
        .hasValue(backend.configDump.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void clustersAsText() throws Exception {
    HttpResponse<String> response = get("/clusters");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(contentType(response)).isEqualTo("text/plain; charset=utf-8");
    assertThat(response.body()).isEqualTo(backend.clusters);
  }

  @Test
  void pluginsAsJson() throws Exception {
    HttpResponse<String> response = get("/plugins");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(contentType(response)).isEqualTo("application/json; charset=utf-8");
    assertThat(response.body()).isEqualTo(backend.plugins);
  }

  @Test
  void dashboardIsOneSelfContainedPageThatPollsTheApi() throws Exception {
    HttpResponse<String> response = get("/");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(contentType(response)).isEqualTo("text/html; charset=utf-8");
    assertThat(response.body())
        .startsWith("<!doctype html>")
        .contains("<title>metaproxy admin</title>")
        .contains("\"/ready\"", "\"/stats/prometheus\"", "\"/clusters\"", "\"/plugins\"", "\"/reload\"")
        .contains("method: \"POST\"")
        .contains("REFRESH_MS = 2000")
        .doesNotContainPattern("(src|href)=\"(https?:)?//");
  }

  @Test
  void reloadSuccessAnswers200WithTheMessage() throws Exception {
    backend.reloadResult = new ReloadResult(true, "reloaded: 2 listeners, 3 clusters");
    HttpResponse<String> response = send("POST", "/reload");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("reloaded: 2 listeners, 3 clusters");
    assertThat(backend.reloads.get()).isEqualTo(1);
  }

  @Test
  void reloadFailureAnswers400WithTheReason() throws Exception {
    backend.reloadResult = new ReloadResult(false, "conf/metaproxy.yaml:12: clusters[0].lb_policy: unknown 'fastest'");
    HttpResponse<String> response = send("POST", "/reload");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("conf/metaproxy.yaml:12: clusters[0].lb_policy: unknown 'fastest'");
  }

  @Test
  void wrongMethodIs405NamingTheRightOne() throws Exception {
    HttpResponse<String> getReload = get("/reload");
    assertThat(getReload.statusCode()).isEqualTo(405);
    assertThat(getReload.headers().firstValue("allow")).hasValue("POST");
    assertThat(backend.reloads.get()).isZero();

    HttpResponse<String> postReady = send("POST", "/ready");
    assertThat(postReady.statusCode()).isEqualTo(405);
    assertThat(postReady.headers().firstValue("allow")).hasValue("GET");
  }

  @Test
  void unknownPathIs404ListingTheEndpoints() throws Exception {
    HttpResponse<String> response = get("/stats");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body())
        .contains("/stats")
        .contains("/ready", "/stats/prometheus", "/config_dump", "/clusters", "/plugins", "/reload", "/drain");
  }

  @Test
  void aThrowingBackendIsA500WithItsMessage() throws Exception {
    backend.clusters = null; // the fake throws
    HttpResponse<String> response = get("/clusters");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("clusters unavailable");
    assertThat(get("/ready").statusCode()).isEqualTo(200); // the connection and server carry on
  }

  @Test
  void crossOriginPostsAreRefusedSameOriginAllowed() throws Exception {
    HttpResponse<String> foreign =
        http.send(
            HttpRequest.newBuilder(uri("/reload"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.example")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(backend.reloads.get()).isZero();

    HttpResponse<String> sameOrigin =
        http.send(
            HttpRequest.newBuilder(uri("/reload"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://127.0.0.1:" + port)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(sameOrigin.statusCode()).isEqualTo(200);
    assertThat(backend.reloads.get()).isEqualTo(1);
  }

  @Test
  void keepAliveServesManyRequestsOnOneConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      for (String path : List.of("/ready", "/clusters", "/ready")) {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        RawResponse response = RawResponse.read(in);
        assertThat(response.status).isEqualTo(200);
        assertThat(response.body).isEqualTo(path.equals("/ready") ? "LIVE" : backend.clusters);
      }
    }
  }

  @Test
  void aBlockedReloadKeepsTheServerResponsiveAndPipelinedAnswersInOrder() throws Exception {
    backend.blockReload = true;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      // Pipelined: the GET must be answered after the POST it follows, although it is ready first.
      out.write(
          ("POST /reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
                  + "GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(backend.reloadEntered.await(10, TimeUnit.SECONDS)).isTrue();

      // Meanwhile another connection is served at once: the reload does not hold the admin event loop.
      HttpResponse<String> ready = get("/ready");
      assertThat(ready.statusCode()).isEqualTo(200);

      backend.releaseReload.countDown();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      RawResponse first = RawResponse.read(in);
      RawResponse second = RawResponse.read(in);
      assertThat(first.status).isEqualTo(200);
      assertThat(first.body).isEqualTo(backend.reloadResult.message());
      assertThat(second.status).isEqualTo(200);
      assertThat(second.body).isEqualTo("LIVE");
    }
  }

  @Test
  void http10WithoutKeepAliveIsClosedAfterTheAnswer() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /ready HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      RawResponse response = RawResponse.read(in);
      assertThat(response.status).isEqualTo(200);
      assertThat(in.read()).isEqualTo(-1); // closed by the server
    }
  }

  @Test
  void anOversizedRequestIsRefused() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/reload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[AdminServer.MAX_REQUEST_BYTES + 1]))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(backend.reloads.get()).isZero();
  }

  @Test
  void closeStopsListeningAndIsIdempotent() throws Exception {
    server.close();
    server.close();
    assertThatThrownBy(() -> get("/ready")).isInstanceOf(ConnectException.class);
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aSecondServerOnTheSamePortFailsNamingTheAddress() {
    AdminServer clash = new AdminServer("127.0.0.1", port, backend);
    try {
      assertThatThrownBy(clash::start)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("127.0.0.1:" + port);
    } finally {
      clash.close();
    }
  }

  @Test
  void adminClientSpeaksToTheServer() throws Exception {
    backend.reloadResult = new ReloadResult(false, "bad config");
    AdminClient.Response reload = AdminClient.send("POST", "127.0.0.1", port, "/reload");
    assertThat(reload).isEqualTo(new AdminClient.Response(400, "bad config"));

    AdminClient.Response ready = AdminClient.send("GET", "127.0.0.1", port, "/ready");
    assertThat(ready).isEqualTo(new AdminClient.Response(200, "LIVE"));
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send("GET", path);
  }

  private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("content-type").orElse(null);
  }

  /** A response read off a raw socket: status line, headers up to the blank line, Content-Length bytes. */
  private record RawResponse(int status, String body) {
    static RawResponse read(BufferedReader in) throws IOException {
      String statusLine = in.readLine();
      assertThat(statusLine).as("status line").isNotNull().startsWith("HTTP/1.");
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      int length = -1;
      List<String> headers = new ArrayList<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        headers.add(line);
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      assertThat(length).as("content-length in %s", headers).isNotNegative();
      char[] body = new char[length]; // the bodies read this way are ASCII: chars == bytes
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        assertThat(n).as("body bytes").isPositive();
        read += n;
      }
      return new RawResponse(status, new String(body));
    }
  }

  /** The seam's test double: fixed answers, counted calls, and a reload that can be held. */
  static final class FakeBackend implements AdminBackend {
    final ProxyStats stats = new ProxyStats();
    volatile boolean ready = true;
    volatile String configDump = "{\"listeners\":[]}";
    volatile String clusters = "greet-v1::127.0.0.1:20881::cx_active::2\ngreet-v1::127.0.0.1:20881::health::healthy\n";
    volatile String plugins = "{\"plugins\":[{\"id\":\"codec-dubbo\",\"extensions\":[\"dubbo\"]}],\"failed\":[]}";
    volatile ReloadResult reloadResult = new ReloadResult(true, "reloaded");
    volatile boolean blockReload;
    final CountDownLatch reloadEntered = new CountDownLatch(1);
    final CountDownLatch releaseReload = new CountDownLatch(1);
    final AtomicInteger reloads = new AtomicInteger();
    final AtomicInteger drains = new AtomicInteger();

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public String configDumpJson() {
      return configDump;
    }

    @Override
    public String clustersText() {
      if (clusters == null) {
        throw new IllegalStateException("clusters unavailable");
      }
      return clusters;
    }

    @Override
    public String pluginsJson() {
      return plugins;
    }

    @Override
    public String prometheusText() {
      return stats.scrapePrometheus();
    }

    @Override
    public ReloadResult reload() {
      reloads.incrementAndGet();
      reloadEntered.countDown();
      if (blockReload) {
        try {
          releaseReload.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return reloadResult;
    }

    @Override
    public void drain() {
      drains.incrementAndGet();
      ready = false;
    }
  }
}

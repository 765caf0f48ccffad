package io.metaproxy.host.admin;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Calls the admin API of a running proxy; what {@code bin/metaproxy reload} uses. Failures come back as {@link
 * IOException}s whose message a person can act on ("nothing is listening on ..."), not a bare stack trace.
 */
public final class AdminClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** A reload builds a snapshot, loading plugins and compiling scripts: give it time. */
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

  private AdminClient() {}

  /** An admin API answer. */
  public record Response(int status, String body) {}

  /**
   * Sends a bodiless {@code method} request for {@code path} to the admin API at {@code host:port} over HTTP/1.1
   * and returns the answer, whatever its status.
   *
   * @param path starting with {@code /}, optionally with a query, e.g. {@code /reload}
   * @throws IOException when the request cannot be made or answered, with a message naming the address
   */
  public static Response send(String method, String host, int port, String path) throws IOException {
    URI uri = uri(host, port, path);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(REQUEST_TIMEOUT)
            .build();
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()) {
      HttpResponse<String> response =
          client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(response.statusCode(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while calling the metaproxy admin API at " + uri);
    } catch (HttpConnectTimeoutException e) {
      throw new IOException(
          "cannot reach the metaproxy admin API at " + base(uri) + ": connecting timed out after "
              + CONNECT_TIMEOUT.toSeconds() + "s",
          e);
    } catch (HttpTimeoutException e) {
      throw new IOException(
          "the metaproxy admin API at " + base(uri) + " did not answer " + method + " " + path + " within "
              + REQUEST_TIMEOUT.toSeconds() + "s",
          e);
    } catch (IOException e) {
      if (isConnectionRefused(e)) {
        throw new IOException(
            "cannot reach the metaproxy admin API at " + base(uri) + ": nothing is listening there"
                + " (is the proxy running, and does its admin address match?)",
            e);
      }
      throw new IOException(
          method + " " + uri + " failed: " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
    }
  }

  private static URI uri(String host, int port, String path) throws IOException {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("admin path must start with '/': " + path);
    }
    int question = path.indexOf('?');
    try {
      // The multi-argument constructor quotes what needs quoting and brackets IPv6 literals.
      return new URI(
          "http",
          null,
          host,
          port,
          question < 0 ? path : path.substring(0, question),
          question < 0 ? null : path.substring(question + 1),
          null);
    } catch (URISyntaxException e) {
      throw new IOException("invalid admin API address " + host + ":" + port + path + ": " + e.getMessage(), e);
    }
  }

  private static String base(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  private static boolean isConnectionRefused(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }
}

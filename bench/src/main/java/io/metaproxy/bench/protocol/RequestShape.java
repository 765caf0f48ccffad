package io.metaproxy.bench.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The request every connection sends over and over: an echo call whose single string argument is {@code payloadSize}
 * characters of ASCII (so characters and bytes agree), plus a few attachments (headers) that routes and filters can
 * match on.
 *
 * @param service the interface name, e.g. {@code io.metaproxy.bench.EchoService}
 * @param version the service version
 * @param method the method called
 * @param payloadSize characters in the string argument
 * @param attachments extra attachments after the standard ones (path, interface, version), in order
 */
public record RequestShape(
    String service, String version, String method, int payloadSize, Map<String, String> attachments) {
  public static final String DEFAULT_SERVICE = "io.metaproxy.bench.EchoService";

  public RequestShape {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(method, "method");
    if (payloadSize < 0) {
      throw new IllegalArgumentException("payload size must not be negative: " + payloadSize);
    }
    attachments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attachments));
  }

  /** The benchmark's usual echo call with {@code payloadSize} characters and no extra attachments. */
  public static RequestShape echo(int payloadSize) {
    return new RequestShape(DEFAULT_SERVICE, "1.0.0", "echo", payloadSize, Map.of());
  }

  /** The payload itself: a repeating a..z pattern, ASCII only. */
  public String payload() {
    return payload(payloadSize);
  }

  /** {@code size} characters of a repeating a..z pattern. */
  public static String payload(int size) {
    char[] chars = new char[size];
    for (int i = 0; i < size; i++) {
      chars[i] = (char) ('a' + i % 26);
    }
    return new String(chars);
  }
}

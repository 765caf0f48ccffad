package io.metaproxy.demo;

import java.lang.reflect.Field;
import org.apache.dubbo.common.utils.NetUtils;
import org.apache.dubbo.config.ApplicationConfig;

/** The Dubbo settings the demo's providers and consumers share. */
final class DubboSettings {
  /**
   * The serialization both sides use. Set explicitly because Dubbo 3.2+ prefers fastjson2 when peers negotiate via a
   * registry, and the proxy's Dubbo codec reads Hessian2 headers and attachments.
   */
  static final String SERIALIZATION = "hessian2";

  /**
   * How long closing a provider waits for calls to drain, in ms. Dubbo waits up to 10s by default, even for an
   * idle service; the demo's and the tests' providers have nothing in flight when they close.
   */
  private static final String SHUTDOWN_WAIT_MS = "200";

  static {
    // Both are read by Dubbo's static initializers, so they must be set before any Dubbo class is used.
    System.setProperty("dubbo.application.logger", "slf4j");
    System.setProperty("dubbo.service.shutdown.wait", SHUTDOWN_WAIT_MS);
    keepLoopbackAddresses();
  }

  private DubboSettings() {}

  /**
   * Applies the JVM-wide settings (logger, shutdown wait, loopback addresses); call before creating any Dubbo
   * object. Idempotent.
   */
  static void init() {
    // the static initializer did the work
  }

  /** An application without QoS port and with its logs going to SLF4J (quiet: see simplelogger.properties). */
  static ApplicationConfig application(String name) {
    ApplicationConfig application = new ApplicationConfig(name);
    application.setQosEnable(false);
    application.setLogger("slf4j");
    application.setShutwait(SHUTDOWN_WAIT_MS);
    return application;
  }

  /**
   * Makes Dubbo connect to 127.0.0.1 when told to. Dubbo treats loopback as "no address": a client for {@code
   * dubbo://127.0.0.1:20880} connects to the machine's first non-loopback address instead
   * ({@code NetUtils.filterLocalHost}), where a proxy bound to 127.0.0.1 does not listen. The address it substitutes
   * is cached in {@code NetUtils.HOST_ADDRESS}, which has no setter and no configuration property; pinning it to
   * 127.0.0.1 makes the substitution a no-op. (Providers still bind 0.0.0.0 for a loopback host: Dubbo does that
   * unconditionally; the proxy reaches them on 127.0.0.1.)
   */
  private static void keepLoopbackAddresses() {
    try {
      Field hostAddress = NetUtils.class.getDeclaredField("HOST_ADDRESS");
      hostAddress.setAccessible(true);
      hostAddress.set(null, "127.0.0.1");
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot keep Dubbo on 127.0.0.1 (NetUtils.HOST_ADDRESS changed in this Dubbo version?)", e);
    }
  }
}

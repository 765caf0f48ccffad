package io.metaproxy.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.RpcContext;
import org.apache.dubbo.rpc.model.FrameworkModel;

/**
 * A Dubbo consumer of {@link GreetingService} connected straight to one address ({@code dubbo://host:port}, no
 * registry): the proxy, or a backend when a test bypasses the proxy. No retries, so every failure the proxy reports
 * reaches the caller as it was sent.
 *
 * <p>Each client has a Dubbo {@link FrameworkModel} of its own, hence its own connection: two clients never share a
 * socket, which the tests rely on. {@link #call} uses Dubbo's thread-bound RpcContext: use one thread per call.
 */
public final class GreetingClient implements AutoCloseable {

  /** A call's result: the backend's answer and the response attachments that reached the consumer. */
  public record Reply(Greeting greeting, Map<String, String> attachments) {}

  private final FrameworkModel framework;
  private final DubboBootstrap bootstrap;
  private final GreetingService service;

  private GreetingClient(FrameworkModel framework, DubboBootstrap bootstrap, GreetingService service) {
    this.framework = framework;
    this.bootstrap = bootstrap;
    this.service = service;
  }

  /**
   * Connects to {@code host:port}.
   *
   * @param timeout how long a call waits for its response before Dubbo fails it
   */
  public static GreetingClient connect(String host, int port, Duration timeout) {
    DubboSettings.init();
    ReferenceConfig<GreetingService> reference = new ReferenceConfig<>();
    reference.setInterface(GreetingService.class);
    reference.setUrl("dubbo://" + host + ":" + port);
    reference.setScope("remote"); // never short-cut to a provider of the same interface in this JVM
    reference.setRetries(0);
    reference.setTimeout(Math.toIntExact(timeout.toMillis()));
    reference.setCheck(false);
    reference.setParameters(new LinkedHashMap<>(Map.of("serialization", DubboSettings.SERIALIZATION)));

    FrameworkModel framework = new FrameworkModel();
    DubboBootstrap bootstrap = DubboBootstrap.newInstance(framework);
    try {
      bootstrap.application(DubboSettings.application("greeting-client")).reference(reference).start();
      return new GreetingClient(framework, bootstrap, reference.get());
    } catch (RuntimeException e) {
      bootstrap.destroy();
      framework.destroy();
      throw e;
    }
  }

  /** The service proxy, for plain calls without attachments. */
  public GreetingService service() {
    return service;
  }

  /**
   * Makes one call with the given request attachments and returns the answer with the response attachments.
   *
   * @throws org.apache.dubbo.rpc.RpcException when the call fails (an error reply of the proxy, a timeout, ...)
   */
  public Reply call(Map<String, String> requestAttachments, Function<GreetingService, Greeting> call) {
    var outgoing = RpcContext.getClientAttachment();
    requestAttachments.forEach(outgoing::setAttachment);
    try {
      Greeting greeting = call.apply(service);
      Map<String, String> attachments = new LinkedHashMap<>();
      RpcContext.getServerContext()
          .getObjectAttachments()
          .forEach((key, value) -> attachments.put(key, value == null ? null : String.valueOf(value)));
      return new Reply(greeting, attachments);
    } finally {
      RpcContext.getClientAttachment().clearAttachments();
      RpcContext.removeClientResponseContext();
    }
  }

  @Override
  public void close() {
    try {
      bootstrap.destroy();
    } finally {
      framework.destroy();
    }
  }
}

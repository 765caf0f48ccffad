package io.metaproxy.demo;

import java.util.ArrayList;
import java.util.List;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.model.FrameworkModel;

/**
 * Dubbo providers of {@link GreetingService}, one per {@link Backend}, each on its own port and answering with its
 * own name. No registry: clients (the proxy) reach them by address.
 *
 * <p>The providers share one Dubbo {@link FrameworkModel} of their own, so that closing them releases everything they
 * started and nothing else in the JVM (a consumer, say) shares their state.
 */
public final class Backends implements AutoCloseable {

  /** A provider to start: its name (what it reports as served-by) and its port on the given host. */
  public record Backend(String name, int port) {}

  private final FrameworkModel framework;
  private final List<DubboBootstrap> bootstraps;
  private final List<Backend> backends;

  private Backends(FrameworkModel framework, List<DubboBootstrap> bootstraps, List<Backend> backends) {
    this.framework = framework;
    this.bootstraps = bootstraps;
    this.backends = List.copyOf(backends);
  }

  /**
   * Exports one provider per backend on {@code host} and returns when all accept calls.
   *
   * @throws IllegalStateException when a provider cannot start, for example because its port is taken; the ones
   *     already started are stopped again
   */
  public static Backends start(String host, List<Backend> backends) {
    DubboSettings.init();
    FrameworkModel framework = new FrameworkModel();
    List<DubboBootstrap> bootstraps = new ArrayList<>();
    Backends started = new Backends(framework, bootstraps, backends);
    try {
      for (Backend backend : backends) {
        bootstraps.add(export(framework, host, backend));
      }
      return started;
    } catch (RuntimeException e) {
      started.close();
      throw new IllegalStateException("cannot start the Dubbo backends " + backends + ": " + e.getMessage(), e);
    }
  }

  private static DubboBootstrap export(FrameworkModel framework, String host, Backend backend) {
    ProtocolConfig protocol = new ProtocolConfig("dubbo", backend.port());
    protocol.setHost(host);
    protocol.setSerialization(DubboSettings.SERIALIZATION);

    ServiceConfig<GreetingService> service = new ServiceConfig<>();
    service.setInterface(GreetingService.class);
    service.setRef(new GreetingServiceImpl(backend.name()));

    DubboBootstrap bootstrap = DubboBootstrap.newInstance(framework);
    bootstrap
        .application(DubboSettings.application(backend.name()))
        .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
        .protocol(protocol)
        .service(service)
        .start();
    return bootstrap;
  }

  /** The backends as started. */
  public List<Backend> backends() {
    return backends;
  }

  /** Unexports every provider and closes their ports. */
  @Override
  public void close() {
    for (DubboBootstrap bootstrap : bootstraps) {
      try {
        bootstrap.destroy();
      } catch (RuntimeException e) {
        // closing the rest matters more than reporting one provider that would not stop cleanly
      }
    }
    framework.destroy();
  }
}

package io.metaproxy.codec.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.codec.dubbo.TestModel.Greeting;
import io.metaproxy.codec.dubbo.TestModel.GreetingService;
import io.metaproxy.codec.dubbo.TestModel.Person;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.dubbo.common.utils.NetUtils;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.RpcContext;
import org.apache.dubbo.rpc.RpcException;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Dubbo consumer calls a real Dubbo provider through {@link CodecProxy}, a minimal proxy on the codec: what the
 * provider and the consumer see proves the codec's frames are Dubbo's own, mutated, error and heartbeat frames
 * included.
 */
class DubboThroughCodecProxyTest {
  private static FrameworkModel framework;
  private static DubboBootstrap bootstrap;
  private static CodecProxy proxy;
  private static GreetingService greeter;

  /** The provider's implementation: echoes what it received so the consumer can see it. */
  static final class Greeter implements GreetingService {
    @Override
    public Greeting greet(Person person, List<Object> tags, Map<String, Object> extras, int times) {
      if ("throw".equals(person.name)) {
        throw new IllegalArgumentException("bad person");
      }
      RpcContext.getServerResponseContext().setAttachment("x-served-by", "provider");
      String via = RpcContext.getServerAttachment().getAttachment("x-via");
      String seen = RpcContext.getServerAttachment().getAttachment("x-seen-interface");
      return new Greeting("hello " + person.name + " via " + via + " seen " + seen + " x" + times + " "
          + tags.size() + "/" + extras.size(), person);
    }

    @Override
    public void notify(String event) {}

    @Override
    public String refuse(String reason) {
      return "the provider must never see this call";
    }
  }

  @BeforeAll
  static void start() throws Exception {
    keepDubboOnLoopback();
    int providerPort = freePort();
    proxy = new CodecProxy(new InetSocketAddress("127.0.0.1", providerPort));
    framework = new FrameworkModel();

    ApplicationConfig application = new ApplicationConfig("metaproxy-codec-dubbo-test");
    application.setQosEnable(false);
    ProtocolConfig protocol = new ProtocolConfig("dubbo", providerPort);
    protocol.setHost("127.0.0.1");
    protocol.setSerialization("hessian2");
    protocol.setPreferSerialization("hessian2");

    ServiceConfig<GreetingService> service = new ServiceConfig<>();
    service.setInterface(GreetingService.class);
    service.setRef(new Greeter());
    service.setVersion("1.0.0");
    service.setGroup("blue");

    ReferenceConfig<GreetingService> reference = new ReferenceConfig<>();
    reference.setInterface(GreetingService.class);
    reference.setUrl("dubbo://127.0.0.1:" + proxy.port());
    reference.setVersion("1.0.0");
    reference.setGroup("blue");
    reference.setTimeout(10_000);
    reference.setRetries(0);
    // heartbeat every 200 ms of idleness, so the test sees the proxy answer some
    reference.setParameters(Map.of("serialization", "hessian2", "prefer.serialization", "hessian2",
        "heartbeat", "200"));

    bootstrap = DubboBootstrap.newInstance(framework)
        .application(application)
        .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
        .protocol(protocol)
        .service(service)
        .reference(reference)
        .start();
    greeter = reference.get();
  }

  @AfterAll
  static void stop() {
    if (bootstrap != null) {
      bootstrap.destroy();
    }
    if (framework != null) {
      framework.destroy();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void callsPassWithMutationsBothWaysAndArgumentsIntact() {
    Object[] arguments = RealDubbo.greetArguments();
    @SuppressWarnings("unchecked")
    Greeting greeting = greeter.greet((Person) arguments[0], (List<Object>) arguments[1],
        (Map<String, Object>) arguments[2], 2);
    assertThat(greeting.message).isEqualTo("hello " + ((Person) arguments[0]).name + " via metaproxy seen "
        + GreetingService.class.getName() + " x2 10/3");
    assertThat(greeting.to).isEqualTo(arguments[0]);
    assertThat(RpcContext.getClientResponseContext().getAttachment("x-served-by")).isEqualTo("provider");
    assertThat(RpcContext.getClientResponseContext().getAttachment("x-proxied")).isEqualTo("yes");
  }

  @Test
  void unmutatedRequestsTravelAsTheirOriginalBytes() {
    int before = proxy.framesForwardedAsOriginalBytes.get();
    RpcContext.getClientAttachment().setAttachment("x-plain", "1");
    Greeting greeting = greeter.greet(RealDubbo.samplePerson(), List.of(), Map.of(), 1);
    assertThat(greeting.message).startsWith("hello Alice").contains("via null");
    assertThat(proxy.framesForwardedAsOriginalBytes.get()).isEqualTo(before + 1);
  }

  @Test
  void providerExceptionsReachTheConsumer() {
    Person person = new Person();
    person.name = "throw";
    assertThatThrownBy(() -> greeter.greet(person, List.of(), Map.of(), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bad person");
  }

  @Test
  void errorRepliesBecomeRpcExceptionsWithOurMessage() {
    assertThatThrownBy(() -> greeter.refuse("x"))
        .isInstanceOf(RpcException.class)
        .hasMessageContaining("metaproxy: route_not_found: no route for " + GreetingService.class.getName()
            + "/refuse");
  }

  @Test
  void concurrentCallsAreMatchedToTheirCallers() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String name = "caller-" + i;
        calls.add(callers.submit(() -> {
          Person person = new Person();
          person.name = name;
          return greeter.greet(person, List.of(), Map.of(), 1).to.name;
        }));
      }
      for (int i = 0; i < calls.size(); i++) {
        assertThat(calls.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("caller-" + i);
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void idleConsumersHeartbeatsAreAnsweredByTheProxy() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (proxy.heartbeatsAnswered.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(proxy.heartbeatsAnswered.get()).isPositive();
    // and the connection still works afterwards
    assertThat(greeter.greet(RealDubbo.samplePerson(), List.of(), Map.of(), 1).to.name).startsWith("Alice");
  }

  /**
   * Dubbo treats 127.x as "not a real address" and swaps in the machine's first network address, both for the
   * consumer's connect address and the provider's bind address. Tests stay on loopback: pin the address Dubbo caches.
   */
  private static void keepDubboOnLoopback() throws ReflectiveOperationException {
    Field hostAddress = NetUtils.class.getDeclaredField("HOST_ADDRESS");
    hostAddress.setAccessible(true);
    hostAddress.set(null, "127.0.0.1");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

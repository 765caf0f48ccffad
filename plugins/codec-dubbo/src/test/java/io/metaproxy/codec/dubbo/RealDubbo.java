package io.metaproxy.codec.dubbo;

import io.metaproxy.codec.dubbo.TestModel.Address;
import io.metaproxy.codec.dubbo.TestModel.Greeting;
import io.metaproxy.codec.dubbo.TestModel.GreetingService;
import io.metaproxy.codec.dubbo.TestModel.Mood;
import io.metaproxy.codec.dubbo.TestModel.Person;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.SerializeSecurityManager;
import org.apache.dubbo.remoting.Channel;
import org.apache.dubbo.remoting.ChannelHandler;
import org.apache.dubbo.remoting.buffer.ChannelBuffer;
import org.apache.dubbo.remoting.buffer.ChannelBuffers;
import org.apache.dubbo.remoting.exchange.Request;
import org.apache.dubbo.remoting.exchange.Response;
import org.apache.dubbo.remoting.exchange.support.DefaultFuture;
import org.apache.dubbo.rpc.AppResponse;
import org.apache.dubbo.rpc.RpcInvocation;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.apache.dubbo.rpc.model.ModuleModel;
import org.apache.dubbo.rpc.protocol.PermittedSerializationKeeper;
import org.apache.dubbo.rpc.protocol.dubbo.DecodeableRpcInvocation;
import org.apache.dubbo.rpc.protocol.dubbo.DubboCodec;

/**
 * Dubbo's own codec (org.apache.dubbo.rpc.protocol.dubbo.DubboCodec, Hessian2 serialization) producing and consuming
 * frames the way a real consumer and provider do, over an in-memory channel: the tests' ground truth.
 */
final class RealDubbo {
  static final String SERVICE = GreetingService.class.getName();
  static final String DUBBO_VERSION = "2.0.2";
  static final Class<?>[] GREET_TYPES = {Person.class, List.class, Map.class, int.class};

  static final URL URL;
  static final Channel CHANNEL;
  private static final DubboCodec CODEC;

  static {
    FrameworkModel framework = FrameworkModel.defaultModel();
    ModuleModel module = framework.defaultApplication().getDefaultModule();
    // what exporting the service would do: the provider then knows the argument types and the allowed serialization
    module.getServiceRepository().registerService(GreetingService.class);
    URL = org.apache.dubbo.common.URL.valueOf("dubbo://127.0.0.1:20880/" + SERVICE
            + "?interface=" + SERVICE + "&version=1.0.0&serialization=hessian2&decode.in.io.thread=true")
        .setScopeModel(module);
    framework.getBeanFactory().getBean(PermittedSerializationKeeper.class).registerService(URL);
    SerializeSecurityManager security = framework.getBeanFactory().getBean(SerializeSecurityManager.class);
    for (Class<?> type : List.of(Person.class, Address.class, Greeting.class, Mood.class)) {
      security.addToAllowed(type.getName());
    }
    CHANNEL = new MemoryChannel(URL);
    CODEC = new DubboCodec(framework);
  }

  private RealDubbo() {}

  /** A person with every kind of field: primitives, dates, binary, nested and shared objects, lists, maps, enums. */
  static Person samplePerson() {
    Person bob = new Person();
    bob.name = "Bob";
    bob.age = 7;
    Address shared = new Address("Zürich", "Bahnhofstrasse 1");
    Person alice = new Person();
    alice.name = "Alice \u4e16\u754c \ud83d\ude00";
    alice.age = 42;
    alice.id = 1L << 40;
    alice.height = 1.68;
    alice.active = true;
    alice.born = new Date(1_000_000_000_000L);
    alice.photo = new byte[3000];
    for (int i = 0; i < alice.photo.length; i++) {
      alice.photo[i] = (byte) i;
    }
    alice.home = shared;
    alice.work = shared; // the same object twice: Hessian writes a back reference
    alice.friends = new ArrayList<>(List.of(bob, bob));
    alice.places = new TreeMap<>(Map.of("home", shared, "gym", new Address("Bern", "Hauptgasse")));
    alice.mood = Mood.HAPPY;
    alice.balance = new BigDecimal("1234.5678");
    alice.lucky = new int[] {7, -1, 1 << 20, Integer.MIN_VALUE};
    alice.aliases = new String[] {"A", "al", "x".repeat(40_000)}; // a chunked string
    return alice;
  }

  /** The greet arguments: a person, a list of mixed values, a map with nested values, an int. */
  static Object[] greetArguments() {
    List<Object> tags = new ArrayList<>(List.of("vip", 3, 4_000_000_000L, 2.5, -17.0, true, new Date(5), "\u00e9"));
    tags.add(null);
    tags.add(new byte[70_000]); // chunked binary
    Map<String, Object> extras = new LinkedHashMap<>();
    extras.put("nested", new LinkedHashMap<>(Map.of("k", List.of(1, 2, 3))));
    extras.put("address", new Address("Basel", "Rhein 2"));
    extras.put("big", Long.MAX_VALUE);
    return new Object[] {samplePerson(), tags, extras, 3};
  }

  /** The attachments a consumer sends with greet; one of them is not a string. */
  static Map<String, Object> greetAttachments() {
    Map<String, Object> attachments = new LinkedHashMap<>();
    attachments.put("path", SERVICE);
    attachments.put("interface", SERVICE);
    attachments.put("version", "1.0.0");
    attachments.put("group", "blue");
    attachments.put("timeout", "3000");
    attachments.put("x-tenant", "acme");
    attachments.put("x-retries", 3);
    return attachments;
  }

  static Request request(long id, boolean twoWay, String method, Class<?>[] types, Object[] args,
      Map<String, Object> attachments) {
    RpcInvocation invocation = new RpcInvocation(null, method, SERVICE, SERVICE, types, args);
    attachments.forEach(invocation::setObjectAttachment);
    Request request = new Request(id);
    request.setVersion(DUBBO_VERSION);
    request.setTwoWay(twoWay);
    request.setData(invocation);
    return request;
  }

  static Request greetRequest(long id) {
    return request(id, true, "greet", GREET_TYPES, greetArguments(), greetAttachments());
  }

  static Response response(long id, AppResponse result, String requestVersion) {
    Response response = new Response(id, requestVersion);
    response.setResult(result);
    return response;
  }

  static AppResponse greeting(Map<String, Object> attachments) {
    Person alice = samplePerson();
    AppResponse result = new AppResponse(new Greeting("hello " + alice.name, alice));
    attachments.forEach(result::setObjectAttachment);
    return result;
  }

  /** Encodes a Request or Response as Dubbo does on the wire. */
  static byte[] encode(Object message) {
    ChannelBuffer buffer = ChannelBuffers.dynamicBuffer(1024);
    try {
      CODEC.encode(CHANNEL, buffer, message);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    byte[] bytes = new byte[buffer.readableBytes()];
    buffer.readBytes(bytes);
    return bytes;
  }

  /** Decodes one frame as Dubbo does; the frame must be whole. */
  static Object decode(byte[] frame) {
    ChannelBuffer buffer = ChannelBuffers.wrappedBuffer(frame);
    try {
      Object message = CODEC.decode(CHANNEL, buffer);
      if (buffer.readable()) {
        throw new AssertionError(buffer.readableBytes() + " bytes left after Dubbo decoded the frame");
      }
      return message;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Decodes a request as a provider does, failing when the provider would reject it. */
  static DecodeableRpcInvocation providerReceives(byte[] frame) {
    Request request = (Request) decode(frame);
    if (request.isBroken()) {
      throw new AssertionError("the provider rejects the request", (Throwable) request.getData());
    }
    return (DecodeableRpcInvocation) request.getData();
  }

  /**
   * Delivers {@code responseFrame} to a consumer that sent {@code sent} and returns what the consumer's future
   * completes with: the AppResponse, or the exception (TimeoutException, RemotingException ...) it fails with.
   */
  static Object consumerReceives(Request sent, byte[] responseFrame) {
    DefaultFuture future = DefaultFuture.newFuture(CHANNEL, sent, 10_000, null);
    try {
      Object message = decode(responseFrame);
      if (!(message instanceof Response response)) {
        throw new AssertionError("not a response: " + message);
      }
      DefaultFuture.received(CHANNEL, response);
      return future.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      if (!future.isDone()) {
        future.cancel(true);
      }
    }
  }

  /** An in-memory Dubbo channel: what Dubbo's codec needs (URL, attributes), nothing sent anywhere. */
  private static final class MemoryChannel implements Channel {
    private final URL url;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    MemoryChannel(URL url) {
      this.url = url;
    }

    @Override
    public URL getUrl() {
      return url;
    }

    @Override
    public ChannelHandler getChannelHandler() {
      return null;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
      return new InetSocketAddress("127.0.0.1", 20880);
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
      return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public void send(Object message) {}

    @Override
    public void send(Object message, boolean sent) {}

    @Override
    public void close() {}

    @Override
    public void close(int timeout) {}

    @Override
    public void startClose() {}

    @Override
    public boolean isClosed() {
      return false;
    }

    @Override
    public boolean isConnected() {
      return true;
    }

    @Override
    public boolean hasAttribute(String key) {
      return attributes.containsKey(key);
    }

    @Override
    public Object getAttribute(String key) {
      return attributes.get(key);
    }

    @Override
    public void setAttribute(String key, Object value) {
      attributes.put(key, value);
    }

    @Override
    public void removeAttribute(String key) {
      attributes.remove(key);
    }
  }
}

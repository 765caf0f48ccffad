package io.metaproxy.codec.bolt;

import io.metaproxy.api.testkit.CodecRelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.alipay.remoting.BizContext;
import com.alipay.remoting.Connection;
import com.alipay.remoting.rpc.RpcClient;
import com.alipay.remoting.rpc.RpcServer;
import com.alipay.remoting.rpc.exception.InvokeServerException;
import com.alipay.remoting.rpc.exception.RpcServerException;
import com.alipay.remoting.rpc.protocol.SyncUserProcessor;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Mutation;
import io.metaproxy.api.testkit.CodecRelay.LocalReply;
import io.metaproxy.api.testkit.CodecRelay.Seen;
import io.metaproxy.codec.bolt.SofaStyle.GreetReply;
import io.metaproxy.codec.bolt.SofaStyle.GreetRequest;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real Bolt {@link RpcClient} calls a real {@link RpcServer} through {@link CodecRelay}, which runs every frame
 * through the codec as the host would. Parameterized tests run on Bolt v1 and on v2 with its CRC switched on (the
 * client's default for v2), so every byte the codec changes must keep Bolt's CRC check happy.
 */
class BoltRelayTest {
  private static final String V1 = "";
  private static final String V2_WITH_CRC = "?_PROTOCOL=2&_VERSION=2";
  private static final String SERVICE = "com.example.Greeter:1.0";

  private static final BlockingQueue<String> GREETED = new LinkedBlockingQueue<>();
  private static RpcServer server;
  private static RpcClient client;

  @BeforeAll
  static void startBolt() {
    SofaStyle.install();
    server = new RpcServer("127.0.0.1", 0, false);
    server.registerUserProcessor(new SyncUserProcessor<GreetRequest>() {
      @Override
      public Object handleRequest(BizContext context, GreetRequest request) {
        if (request.name.equals("fail")) {
          throw new IllegalStateException("no greeting for " + request.name);
        }
        GREETED.add(request.name);
        return new GreetReply("hello " + request.name);
      }

      @Override
      public String interest() {
        return GreetRequest.class.getName();
      }
    });
    server.startup();
    client = new RpcClient();
    client.startup();
  }

  @AfterAll
  static void stopBolt() {
    client.shutdown();
    server.shutdown();
  }

  @BeforeEach
  void forgetEarlierCalls() {
    GREETED.clear();
    SofaStyle.SERVER_SAW.clear();
    SofaStyle.CLIENT_SAW.clear();
  }

  @ParameterizedTest(name = "bolt{0}")
  @ValueSource(strings = {V1, V2_WITH_CRC})
  void mutatesTheHeaderMapsOfRequestAndResponseOnTheWire(String protocol) throws Exception {
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      relay.requestMutation = request -> {
        Mutation mutation = new Mutation();
        mutation.set("x-routed-by", "metaproxy");
        mutation.set("x-user", "bob");
        mutation.remove("x-secret");
        return mutation;
      };
      relay.responseMutation = response -> {
        Mutation mutation = new Mutation();
        mutation.set("x-proxy", "metaproxy");
        return mutation;
      };

      Object reply = client.invokeSync(address(relay, protocol),
          SofaStyle.request("alice", Map.of("x-user", "alice", "x-secret", "s3cr3t")), 3000);

      assertThat(((GreetReply) reply).text).as("content travels untouched").isEqualTo("hello alice");
      Seen request = relay.next("request");
      assertThat(request.firstByte()).as("protocol code").isEqualTo(protocolCode(protocol));
      assertThat(request.type()).isEqualTo(MessageType.REQUEST);
      assertThat(request.operation()).isEqualTo(SERVICE + "/sayHello");
      assertThat(request.keys())
          .containsEntry("service", SERVICE)
          .containsEntry("method", "sayHello")
          .containsEntry("sofa_head_target_service", SERVICE)
          .containsEntry("sofa_head_method_name", "sayHello")
          .containsEntry("class", GreetRequest.class.getName())
          .containsEntry("x-user", "alice")
          .containsEntry("x-secret", "s3cr3t");
      assertThat(SofaStyle.SERVER_SAW.poll(5, TimeUnit.SECONDS))
          .as("the header map the Bolt server decoded")
          .containsEntry("service", SERVICE)
          .containsEntry("sofa_head_method_name", "sayHello")
          .containsEntry("x-routed-by", "metaproxy")
          .containsEntry("x-user", "bob")
          .doesNotContainKey("x-secret")
          .doesNotContainKey("method")
          .doesNotContainKey("class");

      Seen response = relay.next("response");
      assertThat(response.firstByte()).as("protocol code").isEqualTo(protocolCode(protocol));
      assertThat(response.type()).isEqualTo(MessageType.RESPONSE);
      assertThat(response.requestId()).isEqualTo(request.requestId() + CodecRelay.ID_OFFSET);
      assertThat(response.keys())
          .containsEntry("status", "SUCCESS")
          .containsEntry("class", GreetReply.class.getName())
          .containsEntry("served-by", "bolt-server");
      assertThat(SofaStyle.CLIENT_SAW.poll(5, TimeUnit.SECONDS))
          .as("the response header map the Bolt client decoded")
          .containsEntry("served-by", "bolt-server")
          .containsEntry("x-proxy", "metaproxy");
    }
  }

  @ParameterizedTest(name = "bolt{0}")
  @ValueSource(strings = {V1, V2_WITH_CRC})
  void forwardsUnmutatedFramesWithTheRequestIdRewrittenInPlace(String protocol) throws Exception {
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      for (String name : new String[] {"ann", "ben", "cy"}) {
        Object reply = client.invokeSync(address(relay, protocol), SofaStyle.request(name, Map.of()), 3000);
        assertThat(((GreetReply) reply).text).isEqualTo("hello " + name);
      }
      assertThat(GREETED).containsExactly("ann", "ben", "cy");
      assertThat(SofaStyle.SERVER_SAW.poll(5, TimeUnit.SECONDS)).containsEntry("service", SERVICE);
    }
  }

  @Test
  void decodesOnewayRequests() throws Exception {
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      client.oneway(address(relay, V1), SofaStyle.request("quiet", Map.of()));

      Seen request = relay.next("request");
      assertThat(request.type()).isEqualTo(MessageType.ONEWAY);
      assertThat(request.operation()).isEqualTo(SERVICE + "/sayHello");
      assertThat(GREETED.poll(5, TimeUnit.SECONDS)).isEqualTo("quiet");
    }
  }

  @ParameterizedTest(name = "bolt{0}")
  @ValueSource(strings = {V1, V2_WITH_CRC})
  void errorReplyReachesTheBoltClientAsTheCauseOfItsException(String protocol) throws Exception {
    String reason = "no route for " + SERVICE + "/sayHello (grüße 😀)";
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      relay.localReply = new LocalReply(ErrorType.ROUTE_NOT_FOUND, reason);

      assertThatThrownBy(() -> client.invokeSync(address(relay, protocol), SofaStyle.request("eve", Map.of()), 3000))
          .isInstanceOf(InvokeServerException.class)
          .hasMessageContaining("Server exception!")
          .cause()
          .isInstanceOf(RpcServerException.class)
          .hasMessage("metaproxy: route_not_found: " + reason);
      assertThat(GREETED).as("the upstream never saw the request").isEmpty();
    }
  }

  @Test
  void serverExceptionsPassThroughAsErrorResponses() throws Exception {
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      assertThatThrownBy(() -> client.invokeSync(address(relay, V1), SofaStyle.request("fail", Map.of()), 3000))
          .isInstanceOf(InvokeServerException.class)
          .cause()
          .hasMessageContaining("no greeting for fail");

      Seen response = relay.next("response");
      assertThat(response.type()).isEqualTo(MessageType.ERROR);
      assertThat(response.keys())
          .containsEntry("status", "SERVER_EXCEPTION")
          .containsEntry("class", RpcServerException.class.getName());
    }
  }

  @ParameterizedTest(name = "bolt{0}")
  @ValueSource(strings = {V1, V2_WITH_CRC})
  void answersTheClientsHeartbeatLocally(String protocol) throws Exception {
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      relay.answerHeartbeats = true;
      String address = address(relay, protocol);
      client.invokeSync(address, SofaStyle.request("hb", Map.of()), 3000);

      // Bolt's client sends a heartbeat when its connection is idle, and counts heartbeats without a SUCCESS ack.
      // Pretend one went unanswered, then make it send another: only a correct ack resets the count to 0.
      Connection connection = client.getConnection(address, 1000);
      connection.getChannel().attr(Connection.HEARTBEAT_COUNT).set(1);
      connection.getChannel().pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

      Seen heartbeat = nextOfType(relay, "request", MessageType.HEARTBEAT);
      assertThat(heartbeat.firstByte()).as("protocol code").isEqualTo(protocolCode(protocol));
      assertThat(heartbeat.keys()).isEmpty();
      awaitHeartbeatCount(connection, 0);
    }
  }

  @Test
  void forwardsHeartbeatsAndDecodesTheServersAck() throws Exception {
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      String address = address(relay, V1);
      client.invokeSync(address, SofaStyle.request("hb", Map.of()), 3000);
      Connection connection = client.getConnection(address, 1000);
      connection.getChannel().attr(Connection.HEARTBEAT_COUNT).set(1);
      connection.getChannel().pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

      Seen heartbeat = nextOfType(relay, "request", MessageType.HEARTBEAT);
      Seen ack = nextOfType(relay, "response", MessageType.HEARTBEAT);
      assertThat(ack.requestId()).isEqualTo(heartbeat.requestId() + CodecRelay.ID_OFFSET);
      awaitHeartbeatCount(connection, 0);
    }
  }

  @Test
  void theBoltServerAnswersTheCodecsOwnHeartbeat() throws Exception {
    try (CodecRelay relay = new CodecRelay(new BoltCodecFactory(), server.port())) {
      client.invokeSync(address(relay, V1), SofaStyle.request("hb", Map.of()), 3000);

      relay.sendHeartbeatUpstream(424242);

      Seen ack = nextOfType(relay, "response", MessageType.HEARTBEAT);
      assertThat(ack.requestId()).isEqualTo(424242);
    }
  }

  private static int protocolCode(String protocol) {
    return protocol.equals(V2_WITH_CRC) ? 2 : 1;
  }

  private static String address(CodecRelay relay, String protocol) {
    return "127.0.0.1:" + relay.port() + protocol;
  }

  private static Seen nextOfType(CodecRelay relay, String direction, MessageType type) throws InterruptedException {
    for (int i = 0; i < 10; i++) {
      Seen frame = relay.next(direction);
      if (frame.type() == type) {
        return frame;
      }
    }
    throw new AssertionError("no " + type + " " + direction);
  }

  private static void awaitHeartbeatCount(Connection connection, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (connection.getChannel().attr(Connection.HEARTBEAT_COUNT).get() == expected) {
        return;
      }
      Thread.sleep(20);
    }
    assertThat(connection.getChannel().attr(Connection.HEARTBEAT_COUNT).get())
        .as("Bolt's count of unanswered heartbeats")
        .isEqualTo(expected);
  }
}

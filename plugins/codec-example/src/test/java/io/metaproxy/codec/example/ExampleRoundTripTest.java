package io.metaproxy.codec.example;

import io.metaproxy.api.testkit.CodecRelay;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Mutation;
import io.metaproxy.api.testkit.CodecRelay.LocalReply;
import io.metaproxy.api.testkit.CodecRelay.Seen;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Round trips over loopback: {@link ExampleClient} → {@link CodecRelay} (the codec, as the host runs it) → {@link
 * ExampleServer}. Client and server speak the protocol through {@link Frame}, an implementation independent of the
 * codec.
 */
class ExampleRoundTripTest {
  private ExampleServer server;
  private CodecRelay relay;
  private ExampleClient client;

  @BeforeEach
  void start() throws Exception {
    server = new ExampleServer();
    relay = new CodecRelay(new ExampleCodecFactory(), server.port());
    client = new ExampleClient(relay.port());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    relay.close(); // fails the test if a relay thread failed
    server.close();
  }

  @Test
  void requestAndResponseHeadersAreMutatedOnTheWire() throws Exception {
    relay.requestMutation = request -> {
      Mutation mutation = new Mutation();
      mutation.set("route", "canary");
      mutation.set("user", "bob");
      mutation.remove("secret");
      return mutation;
    };
    relay.responseMutation = response -> {
      Mutation mutation = new Mutation();
      mutation.set("x-proxy", "metaproxy");
      return mutation;
    };

    Frame response = client.call(
        Frame.of(Frame.REQUEST, 7, Map.of("method", "greet", "user", "alice", "secret", "s3cr3t"), "alice"));

    Seen request = relay.next("request");
    assertThat(request.type()).isEqualTo(MessageType.REQUEST);
    assertThat(request.requestId()).isEqualTo(7);
    assertThat(request.operation()).isEqualTo("greet");
    assertThat(request.keys()).containsOnly(
        Map.entry("method", "greet"), Map.entry("user", "alice"), Map.entry("secret", "s3cr3t"));
    Frame served = server.received.poll(5, TimeUnit.SECONDS);
    assertThat(served.headers()).containsOnly(
        Map.entry("method", "greet"), Map.entry("user", "bob"), Map.entry("route", "canary"));
    assertThat(served.bodyText()).as("the body travels untouched").isEqualTo("alice");
    assertThat(served.id()).as("the relay's upstream id").isEqualTo(7 + CodecRelay.ID_OFFSET);

    assertThat(response.type()).isEqualTo(Frame.RESPONSE);
    assertThat(response.id()).as("the client's own id again").isEqualTo(7);
    assertThat(response.bodyText()).isEqualTo("hello alice");
    assertThat(response.headers()).containsOnly(Map.entry("served-by", "example-server"), Map.entry("x-proxy", "metaproxy"));
  }

  @Test
  void unmutatedFramesTravelAsTheirOwnBytesWithOnlyTheIdPatched() throws Exception {
    Frame request = Frame.of(Frame.REQUEST, 41, Map.of("method", "greet"), "ann");

    Frame response = client.call(request);

    Frame served = server.received.poll(5, TimeUnit.SECONDS);
    assertThat(served.id()).isEqualTo(41 + CodecRelay.ID_OFFSET);
    assertThat(served.headers()).isEqualTo(request.headers());
    assertThat(response.id()).isEqualTo(41);
    assertThat(response.bodyText()).isEqualTo("hello ann");
  }

  @Test
  void framesArrivingInPiecesAndBackToBackAreAllRelayed() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int id = 1; id <= 3; id++) {
      bytes.writeBytes(Frame.of(Frame.REQUEST, id, Map.of("method", "greet", "n", "" + id), "n" + id).toBytes());
    }

    client.sendInPieces(bytes.toByteArray(), 5); // three frames, five bytes per write

    for (int id = 1; id <= 3; id++) {
      Frame response = client.receive();
      assertThat(response.id()).isEqualTo(id);
      assertThat(response.bodyText()).isEqualTo("hello n" + id);
    }
  }

  @Test
  void onewayRequestsReachTheServer() throws Exception {
    client.send(Frame.of(Frame.ONEWAY, 9, Map.of("method", "log"), "fire and forget"));

    assertThat(relay.next("request").type()).isEqualTo(MessageType.ONEWAY);
    Frame served = server.received.poll(5, TimeUnit.SECONDS);
    assertThat(served.type()).isEqualTo(Frame.ONEWAY);
    assertThat(served.bodyText()).isEqualTo("fire and forget");
  }

  @Test
  void errorRepliesCarryTheErrorTypeAndTheReason() throws Exception {
    relay.localReply = new LocalReply(ErrorType.UNAUTHORIZED, "user alice may not greet (grüße 😀)");

    Frame reply = client.call(Frame.of(Frame.REQUEST, 12, Map.of("method", "greet", "user", "alice"), "alice"));

    assertThat(reply.type()).isEqualTo(Frame.ERROR);
    assertThat(reply.id()).isEqualTo(12);
    assertThat(reply.headers()).containsOnly(Map.entry("error", "unauthorized"));
    assertThat(reply.bodyText()).isEqualTo("user alice may not greet (grüße 😀)");
    assertThat(server.received).as("the server never saw the request").isEmpty();
  }

  @Test
  void pingsAreAnsweredByTheProxyAndTheProxysPingByTheServer() throws Exception {
    relay.answerHeartbeats = true;

    Frame pong = client.call(Frame.of(Frame.PING, 5, Map.of(), ""));

    assertThat(pong.type()).isEqualTo(Frame.PONG);
    assertThat(pong.id()).isEqualTo(5);
    assertThat(relay.next("request").type()).isEqualTo(MessageType.HEARTBEAT);

    relay.sendHeartbeatUpstream(77);

    Seen serverPong = relay.next("response");
    assertThat(serverPong.type()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(serverPong.requestId()).isEqualTo(77);
  }
}

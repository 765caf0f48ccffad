package io.metaproxy.codec.dubbo;

import static io.metaproxy.codec.dubbo.RealDubbo.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.metaproxy.codec.dubbo.TestModel.Address;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.dubbo.remoting.RemotingException;
import org.apache.dubbo.remoting.TimeoutException;
import org.apache.dubbo.remoting.exchange.Request;
import org.apache.dubbo.remoting.exchange.Response;
import org.apache.dubbo.rpc.AppResponse;
import org.apache.dubbo.rpc.protocol.dubbo.DecodeableRpcInvocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Dubbo codec against frames real Dubbo writes, and its output read back by real Dubbo. */
class DubboCodecTest {
  private final List<ByteBuf> buffers = new ArrayList<>();
  private final List<Metadata> messages = new ArrayList<>();

  @AfterEach
  void release() {
    messages.forEach(Metadata::release);
    for (ByteBuf buf : buffers) {
      assertThat(buf.refCnt()).as("the codec must neither retain nor release %s", buf).isEqualTo(1);
      buf.release();
    }
  }

  // ---- requests ----

  @Test
  void requestExposesServiceMethodVersionGroupAndStringAttachments() throws CodecException {
    byte[] frame = RealDubbo.encode(RealDubbo.greetRequest(42));
    Metadata request = decode(frame);

    assertThat(request.messageType()).isEqualTo(MessageType.REQUEST);
    assertThat(request.requestId()).isEqualTo(42);
    assertThat(request.operation()).isEqualTo(SERVICE + "/greet");
    assertThat(request.headerSize()).isEqualTo(16);
    assertThat(request.bodySize()).isEqualTo(frame.length - 16);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("interface", SERVICE);
    expected.put("method", "greet");
    expected.put("version", "1.0.0");
    expected.put("group", "blue");
    expected.put("path", SERVICE);
    expected.put("timeout", "3000");
    expected.put("x-tenant", "acme");
    // x-retries is an Integer attachment: not a string, so not metadata (but kept on the wire, see below)
    assertThat(keyValues(request)).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void oneWayRequestIsOneway() throws CodecException {
    Request notify = RealDubbo.request(7, false, "notify", new Class<?>[] {String.class}, new Object[] {"evt"},
        Map.of("path", SERVICE, "interface", SERVICE, "version", "1.0.0"));
    Metadata request = decode(RealDubbo.encode(notify));
    assertThat(request.messageType()).isEqualTo(MessageType.ONEWAY);
    assertThat(request.get("method")).isEqualTo("notify");
    assertThat(request.get("group")).isNull();
  }

  @Test
  void attachmentsCannotRedirectTheBodysInterfaceOrMethod() throws CodecException {
    Map<String, Object> attachments = new LinkedHashMap<>(RealDubbo.greetAttachments());
    attachments.put("method", "evil");
    Request greet = RealDubbo.request(1, true, "greet", RealDubbo.GREET_TYPES, RealDubbo.greetArguments(),
        attachments);
    Metadata request = decode(RealDubbo.encode(greet));
    assertThat(request.get("method")).isEqualTo("greet");
    assertThat(request.operation()).isEqualTo(SERVICE + "/greet");
  }

  @Test
  void mutatedRequestReachesTheProviderWithArgumentsIntact() throws CodecException {
    byte[] frame = RealDubbo.encode(RealDubbo.greetRequest(42));
    Metadata request = decode(frame);
    request.setRequestId(99);
    Mutation mutation = new Mutation();
    mutation.set("x-canary", "true");
    mutation.set("x-tenant", "globex \u00e9");
    mutation.remove("group");
    byte[] mutated = encode(request, mutation);

    DecodeableRpcInvocation invocation = RealDubbo.providerReceives(mutated);
    assertThat(invocation.getObjectAttachment("x-canary")).isEqualTo("true");
    assertThat(invocation.getObjectAttachment("x-tenant")).isEqualTo("globex \u00e9");
    assertThat(invocation.getObjectAttachment("group")).isNull();
    assertThat(invocation.getObjectAttachment("x-retries")).isEqualTo(3);
    assertThat(invocation.getObjectAttachment("timeout")).isEqualTo("3000");
    assertThat(invocation.getObjectAttachment("path")).isEqualTo(SERVICE);
    assertThat(invocation.getMethodName()).isEqualTo("greet");
    assertArgumentsIntact(invocation.getArguments());
    Request received = (Request) RealDubbo.decode(mutated);
    assertThat(received.getId()).isEqualTo(99);
    assertThat(received.isTwoWay()).isTrue();

    // and the bytes before the attachments map travel unchanged: arguments are copied, never re-serialized
    FrameLayout layout = (FrameLayout) request.codecState();
    assertThat(Arrays.copyOfRange(mutated, 16, layout.attachmentsStart()))
        .isEqualTo(Arrays.copyOfRange(frame, 16, layout.attachmentsStart()));

    Metadata again = decode(mutated);
    assertThat(again.get("x-canary")).isEqualTo("true");
    assertThat(again.get("group")).isNull();
    assertThat(again.requestId()).isEqualTo(99);
  }

  @Test
  void newKeysOnAllStringAttachmentsAreAppendedAfterTheOriginalEntries() throws CodecException {
    Map<String, Object> attachments = new LinkedHashMap<>(RealDubbo.greetAttachments());
    attachments.remove("x-retries"); // every entry a string: the path that appends without a second scan
    attachments.put("method", "greet"); // skipped as metadata (the body names the method), yet in the map
    byte[] frame = RealDubbo.encode(
        RealDubbo.request(42, true, "greet", RealDubbo.GREET_TYPES, RealDubbo.greetArguments(), attachments));
    Metadata request = decode(frame);
    assertThat(((FrameLayout) request.codecState()).plainStringMap()).isTrue();
    request.setRequestId(77);
    Mutation mutation = new Mutation();
    mutation.set("x-canary", "true");
    mutation.remove("x-absent"); // removing a key the map lacks changes nothing
    mutation.set("x-tenant-2", "globex \u00e9");
    byte[] mutated = encode(request, mutation);

    DecodeableRpcInvocation invocation = RealDubbo.providerReceives(mutated);
    assertThat(invocation.getObjectAttachment("x-canary")).isEqualTo("true");
    assertThat(invocation.getObjectAttachment("x-tenant-2")).isEqualTo("globex \u00e9");
    assertThat(invocation.getObjectAttachment("x-tenant")).isEqualTo("acme");
    assertThat(invocation.getObjectAttachment("group")).isEqualTo("blue");
    assertThat(invocation.getMethodName()).isEqualTo("greet");
    assertArgumentsIntact(invocation.getArguments());
    assertThat(((Request) RealDubbo.decode(mutated)).getId()).isEqualTo(77);
    // the original entries are kept byte for byte; only the new ones and the end marker follow them
    int endMarker = ((FrameLayout) request.codecState()).attachmentsEnd() - 1;
    assertThat(Arrays.copyOfRange(mutated, 16, endMarker)).isEqualTo(Arrays.copyOfRange(frame, 16, endMarker));
    assertThat(mutated[mutated.length - 1]).isEqualTo((byte) 'Z');
  }

  @Test
  void settingAKeyTheMapHasReplacesItInsteadOfAppendingASecond() throws CodecException {
    Map<String, Object> attachments = new LinkedHashMap<>(RealDubbo.greetAttachments());
    attachments.remove("x-retries");
    Metadata request = decode(RealDubbo.encode(
        RealDubbo.request(5, true, "greet", RealDubbo.GREET_TYPES, RealDubbo.greetArguments(), attachments)));
    Mutation mutation = new Mutation();
    mutation.set("x-tenant", "globex");
    mutation.set("x-new", "1");
    byte[] mutated = encode(request, mutation);

    assertThat(RealDubbo.providerReceives(mutated).getObjectAttachment("x-tenant")).isEqualTo("globex");
    Metadata again = decode(mutated);
    assertThat(again.get("x-tenant")).isEqualTo("globex");
    assertThat(again.get("x-new")).isEqualTo("1");
    assertThat(again.keys()).containsOnlyOnce("x-tenant");
    int replacedGrowth = "globex".length() - "acme".length();
    int appendedEntry = 1 + "x-new".length() + 1 + "1".length(); // two short Hessian strings
    assertThat(again.bodySize()).as("one x-tenant entry, not two")
        .isEqualTo(request.bodySize() + replacedGrowth + appendedEntry);
  }

  @Test
  void aMapWithNonStringValuesIsNeverAppendedToBlindly() throws CodecException {
    // x-retries is an int: the Metadata does not show it, so its absence there proves nothing about the map
    Metadata request = decode(RealDubbo.encode(RealDubbo.greetRequest(6)));
    assertThat(((FrameLayout) request.codecState()).plainStringMap()).isFalse();
    Mutation mutation = new Mutation();
    mutation.set("x-retries", "5");
    byte[] mutated = encode(request, mutation);
    assertThat(RealDubbo.providerReceives(mutated).getObjectAttachment("x-retries")).isEqualTo("5");
    assertThat(decode(mutated).keys()).containsOnlyOnce("x-retries");
  }

  @Test
  void settingVersionWritesTheAttachmentDubboPrefers() throws CodecException {
    Metadata request = decode(RealDubbo.encode(RealDubbo.greetRequest(3)));
    Mutation mutation = new Mutation();
    mutation.set("version", "1.0.0-canary");
    byte[] mutated = encode(request, mutation);
    assertThat(RealDubbo.providerReceives(mutated).getObjectAttachment("version")).isEqualTo("1.0.0-canary");
    assertThat(decode(mutated).get("version")).isEqualTo("1.0.0-canary");
  }

  @Test
  void emptyMutationCopiesTheFrameWithTheNewId() throws CodecException {
    byte[] frame = RealDubbo.encode(RealDubbo.greetRequest(42));
    Metadata request = decode(frame);
    request.setRequestId(0x0102030405060708L);
    byte[] encoded = encode(request, new Mutation());
    byte[] expected = frame.clone();
    for (int i = 0; i < 8; i++) {
      expected[4 + i] = (byte) (i + 1);
    }
    assertThat(encoded).isEqualTo(expected);
  }

  @Test
  void rewriteRequestIdPatchesInPlace() throws CodecException {
    byte[] frame = RealDubbo.encode(RealDubbo.greetRequest(42));
    ByteBuf buf = buffer(frame);
    assertThat(new DubboCodec().rewriteRequestId(buf, 1L << 50)).isTrue();
    byte[] patched = ByteBufUtil.getBytes(buf);
    assertThat(((Request) RealDubbo.decode(patched)).getId()).isEqualTo(1L << 50);
    assertArgumentsIntact(RealDubbo.providerReceives(patched).getArguments());
  }

  @Test
  void attachmentsThatAreObjectsOfArgumentClassesSurviveAMutation() throws CodecException {
    Address argumentAddress = new Address("Basel", "Rhein 2");
    Object[] arguments = {RealDubbo.samplePerson(), List.of(), Map.of("a", argumentAddress), 1};
    Map<String, Object> attachments = orderedAttachments();
    attachments.put("x-addr", new Address("Bern", "Hauptgasse")); // an instance of a class the arguments defined
    attachments.put("x-tenant", "acme");
    Metadata request = decode(dubboFrame(arguments, attachments));
    assertThat(((FrameLayout) request.codecState()).mapUsesEarlierClasses()).isTrue();

    Mutation mutation = new Mutation();
    mutation.set("x-tenant", "globex");
    mutation.set("x-new", "1");
    DecodeableRpcInvocation invocation = RealDubbo.providerReceives(encode(request, mutation));
    assertThat(invocation.getObjectAttachment("x-addr")).isEqualTo(new Address("Bern", "Hauptgasse"));
    assertThat(invocation.getObjectAttachment("x-tenant")).isEqualTo("globex");
    assertThat(invocation.getObjectAttachment("x-new")).isEqualTo("1");
    assertThat(invocation.getArguments()[2]).isEqualTo(Map.of("a", argumentAddress));
  }

  @Test
  void attachmentsSharingReferencesKeepTheirTargets() throws CodecException {
    Address argumentAddress = new Address("Basel", "Rhein 2");
    Address listed = new Address("Chur", "Postplatz");
    Object[] arguments = {RealDubbo.samplePerson(), List.of(), Map.of("a", argumentAddress), 1};
    Map<String, Object> attachments = orderedAttachments();
    attachments.put("x-shared", argumentAddress); // a back reference into the arguments
    attachments.put("x-list", new ArrayList<>(List.of(listed))); // introduces a list and an object ...
    attachments.put("x-again", listed); // ... which this later entry points back at
    attachments.put("x-tail", "t");
    Metadata request = decode(dubboFrame(arguments, attachments));

    Mutation mutation = new Mutation();
    mutation.remove("x-shared"); // refers back but introduces nothing: dropped
    mutation.remove("x-tail");
    mutation.set("x-list", "replaced"); // introduces what x-again refers to: kept, the new value appended after it
    DecodeableRpcInvocation invocation = RealDubbo.providerReceives(encode(request, mutation));
    assertThat(invocation.getObjectAttachment("x-shared")).isNull();
    assertThat(invocation.getObjectAttachment("x-tail")).isNull();
    assertThat(invocation.getObjectAttachment("x-list")).isEqualTo("replaced");
    assertThat(invocation.getObjectAttachment("x-again")).isEqualTo(listed);
    assertThat(invocation.getArguments()[2]).isEqualTo(Map.of("a", argumentAddress));
  }

  @Test
  void aNullAttachmentsMapBecomesAMapWhenMutated() throws CodecException {
    Object[] arguments = {RealDubbo.samplePerson(), List.of(), Map.of(), 1};
    Metadata request = decode(dubboFrame(arguments, null));
    assertThat(request.keys()).containsExactly("interface", "method", "version");
    Mutation mutation = new Mutation();
    mutation.set("x-new", "1");
    byte[] mutated = encode(request, mutation);
    assertThat(decode(mutated).get("x-new")).isEqualTo("1");
  }

  // ---- responses ----

  @Test
  void responseAttachmentsAreMetadataAndMutationsReachTheConsumer() throws CodecException {
    Request sent = RealDubbo.greetRequest(42);
    Map<String, Object> attachments = new LinkedHashMap<>();
    attachments.put("x-served-by", "v1");
    attachments.put("x-count", 5);
    byte[] frame = RealDubbo.encode(RealDubbo.response(42, RealDubbo.greeting(attachments), "2.0.2"));

    Metadata response = decode(frame);
    assertThat(response.messageType()).isEqualTo(MessageType.RESPONSE);
    assertThat(response.requestId()).isEqualTo(42);
    assertThat(response.get("x-served-by")).isEqualTo("v1");
    assertThat(response.get("dubbo")).as("Dubbo adds its protocol version to response attachments").isNotNull();
    assertThat(response.contains("x-count")).isFalse();

    Mutation mutation = new Mutation();
    mutation.set("x-proxy", "metaproxy");
    mutation.remove("x-served-by");
    AppResponse received = (AppResponse) RealDubbo.consumerReceives(sent, encode(response, mutation));
    assertThat(received.getValue()).isEqualTo(RealDubbo.greeting(Map.of()).getValue());
    assertThat(received.getAttachment("x-proxy")).isEqualTo("metaproxy");
    assertThat(received.getObjectAttachment("x-served-by")).isNull();
    assertThat(received.getObjectAttachment("x-count")).isEqualTo(5);
  }

  @Test
  void responsesWithoutAttachmentsGainThemWhenMutated() throws CodecException {
    IllegalStateException failure = new IllegalStateException("boom");
    List<AppResponse> results = List.of(
        RealDubbo.greeting(Map.of()), new AppResponse((Object) null), new AppResponse(failure));
    for (String requestVersion : List.of("2.0.0", "2.0.2")) { // before 2.0.2 providers send no attachments
      for (AppResponse result : results) {
        Request sent = RealDubbo.greetRequest(8);
        Metadata response = decode(RealDubbo.encode(RealDubbo.response(8, result, requestVersion)));
        assertThat(response.messageType()).isEqualTo(MessageType.RESPONSE);
        Mutation mutation = new Mutation();
        mutation.set("x-proxy", "metaproxy");
        AppResponse received = (AppResponse) RealDubbo.consumerReceives(sent, encode(response, mutation));
        assertThat(received.getAttachment("x-proxy")).as("%s for a %s request", result, requestVersion)
            .isEqualTo("metaproxy");
        if (result.hasException()) {
          assertThat(received.getException()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        } else {
          assertThat(received.getValue()).isEqualTo(result.getValue());
        }
      }
    }
  }

  @Test
  void errorStatusFromTheProviderIsAnError() throws CodecException {
    Response error = new Response(5, "2.0.2");
    error.setStatus(Response.SERVICE_NOT_FOUND);
    error.setErrorMessage("no such service");
    Metadata decoded = decode(RealDubbo.encode(error));
    assertThat(decoded.messageType()).isEqualTo(MessageType.ERROR);
    assertThat(decoded.requestId()).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(ErrorType.class)
  void errorRepliesFailTheConsumerWithOurMessage(ErrorType error) throws CodecException {
    Request sent = RealDubbo.greetRequest(1234);
    Metadata request = decode(RealDubbo.encode(sent));
    ByteBuf out = buffer(new byte[0]);
    new DubboCodec().onError(request, error, "no route for " + request.operation(), out);
    byte[] reply = ByteBufUtil.getBytes(out);

    Response response = (Response) RealDubbo.decode(reply);
    assertThat(response.getId()).isEqualTo(1234);
    assertThat(response.getStatus()).isEqualTo(DubboProtocol.statusFor(error)).isNotEqualTo(Response.OK);
    String message = "metaproxy: " + error.scriptName() + ": no route for " + SERVICE + "/greet";
    assertThat(response.getErrorMessage()).isEqualTo(message);

    Object outcome = RealDubbo.consumerReceives(sent, reply);
    assertThat(outcome).isInstanceOf(error == ErrorType.TIMEOUT ? TimeoutException.class : RemotingException.class);
    assertThat(((Throwable) outcome).getMessage()).contains(message);
  }

  @Test
  void errorStatusesAreTheOnesDubboUsesForTheCase() {
    assertThat(DubboProtocol.statusFor(ErrorType.ROUTE_NOT_FOUND)).isEqualTo(Response.SERVICE_NOT_FOUND);
    assertThat(DubboProtocol.statusFor(ErrorType.CLUSTER_NOT_FOUND)).isEqualTo(Response.SERVICE_NOT_FOUND);
    assertThat(DubboProtocol.statusFor(ErrorType.TIMEOUT)).isEqualTo(Response.SERVER_TIMEOUT);
    assertThat(DubboProtocol.statusFor(ErrorType.BAD_REQUEST)).isEqualTo(Response.BAD_REQUEST);
    assertThat(DubboProtocol.statusFor(ErrorType.OVER_LIMIT)).isEqualTo(Response.SERVER_THREADPOOL_EXHAUSTED_ERROR);
    assertThat(DubboProtocol.statusFor(ErrorType.UPSTREAM_FAILURE)).isEqualTo(Response.SERVICE_ERROR);
    assertThat(DubboProtocol.statusFor(ErrorType.UNSPECIFIED)).isEqualTo(Response.SERVER_ERROR);
  }

  // ---- heartbeats ----

  @Test
  void dubboHeartbeatIsAnsweredAsDubboExpects() throws CodecException {
    Request ping = new Request(5);
    ping.setVersion("2.0.2");
    ping.setTwoWay(true);
    ping.setEvent(true);
    Metadata heartbeat = decode(RealDubbo.encode(ping));
    assertThat(heartbeat.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(heartbeat.requestId()).isEqualTo(5);

    ByteBuf out = buffer(new byte[0]);
    assertThat(new DubboCodec().replyToHeartbeat(heartbeat, out)).isTrue();
    Response pong = (Response) RealDubbo.decode(ByteBufUtil.getBytes(out));
    assertThat(pong.isHeartbeat()).isTrue();
    assertThat(pong.getId()).isEqualTo(5);
    assertThat(pong.getStatus()).isEqualTo(Response.OK);
  }

  @Test
  void ourHeartbeatIsADubboHeartbeatRequest() {
    ByteBuf out = buffer(new byte[0]);
    assertThat(new DubboCodec().writeHeartbeat(9, out)).isTrue();
    Request ping = (Request) RealDubbo.decode(ByteBufUtil.getBytes(out));
    assertThat(ping.isHeartbeat()).isTrue();
    assertThat(ping.isTwoWay()).isTrue();
    assertThat(ping.getId()).isEqualTo(9);
  }

  @Test
  void heartbeatResponsesAndReadOnlyEventsAreNotAnswered() throws CodecException {
    Response pong = new Response(6, "2.0.2");
    pong.setEvent(true);
    Metadata heartbeatResponse = decode(RealDubbo.encode(pong));
    assertThat(heartbeatResponse.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(new DubboCodec().replyToHeartbeat(heartbeatResponse, buffer(new byte[0]))).isFalse();

    Request readOnly = new Request(7);
    readOnly.setVersion("2.0.2");
    readOnly.setTwoWay(false);
    readOnly.setEvent("R");
    Metadata event = decode(RealDubbo.encode(readOnly));
    assertThat(event.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(new DubboCodec().replyToHeartbeat(event, buffer(new byte[0]))).isFalse();
  }

  // ---- malformed input ----

  @Test
  void badMagicIsRefusedAtTheFirstByte() {
    assertThatThrownBy(() -> new DubboCodec().decode(buffer(new byte[] {'G'}), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("magic");
    assertThatThrownBy(() -> new DubboCodec().decode(buffer(new byte[] {(byte) 0xda, 0x00}), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("magic");
  }

  @Test
  void negativeAndOversizedLengthsAreRefusedBeforeTheBody() {
    byte[] header = RealDubbo.encode(RealDubbo.greetRequest(1));
    byte[] negative = Arrays.copyOf(header, 16);
    negative[12] = (byte) 0x80;
    assertThatThrownBy(() -> new DubboCodec().decode(buffer(negative), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("negative");
    byte[] oversized = Arrays.copyOf(header, 16);
    assertThatThrownBy(() -> new DubboCodec(1024).decode(buffer(oversized), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("exceeds the limit of 1024");
  }

  @Test
  void otherSerializationsAreRefusedWithAHint() {
    byte[] frame = RealDubbo.encode(RealDubbo.greetRequest(1));
    frame[2] = (byte) ((frame[2] & 0xe0) | 23); // fastjson2
    assertThatThrownBy(() -> new DubboCodec().decode(buffer(frame), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("serialization id 23")
        .hasMessageContaining("hessian2");
  }

  @Test
  void truncatedBodiesFailCleanly() {
    byte[] frame = RealDubbo.encode(RealDubbo.greetRequest(1));
    int bodyLength = frame.length - 16;
    for (int cut = 0; cut < bodyLength; cut = cut < 300 || cut > bodyLength - 300 ? cut + 1 : cut + 997) {
      byte[] truncated = Arrays.copyOf(frame, 16 + cut);
      setBodyLength(truncated, cut);
      assertRejectedOrAccepted(truncated, "body cut at " + cut);
    }
  }

  @Test
  void corruptedBodiesNeverThrowAnythingButCodecException() {
    byte[] frame = RealDubbo.encode(RealDubbo.request(1, true, "greet", RealDubbo.GREET_TYPES,
        new Object[] {RealDubbo.samplePerson(), List.of("a", 1), Map.of("k", new Address("c", "s")), 1},
        RealDubbo.greetAttachments()));
    Random random = new Random(7);
    for (int round = 0; round < 3000; round++) {
      byte[] corrupted = frame.clone();
      int flips = 1 + random.nextInt(4);
      for (int i = 0; i < flips; i++) {
        corrupted[16 + random.nextInt(frame.length - 16)] = (byte) random.nextInt(256);
      }
      assertRejectedOrAccepted(corrupted, "round " + round);
    }
  }

  @Test
  void brokenHessianIsACodecException() {
    // a class definition reference nobody defined, as an argument
    byte[] frame = hessianRequest(out -> out.writeByte(0x61));
    assertThatThrownBy(() -> new DubboCodec().decode(buffer(frame), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("undefined class definition");
    // a reserved tag
    byte[] reserved = hessianRequest(out -> out.writeByte(0x40));
    assertThatThrownBy(() -> new DubboCodec().decode(buffer(reserved), new Metadata()))
        .isInstanceOf(CodecException.class).hasMessageContaining("tag 0x40");
  }

  // ---- packaging ----

  @Test
  void pf4jFindsTheFactoryInTheExtensionIndex() throws IOException {
    List<String> indexed = new ArrayList<>();
    Enumeration<URL> indexes = getClass().getClassLoader().getResources("META-INF/extensions.idx");
    for (URL index : Collections.list(indexes)) {
      try (var in = index.openStream()) {
        indexed.addAll(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")));
      }
    }
    assertThat(indexed).contains(DubboCodecFactory.class.getName());
    assertThat(new DubboCodecFactory().name()).isEqualTo("dubbo");
  }

  // ---- helpers ----

  private interface ArgumentWriter {
    void write(ByteBuf out);
  }

  /** A greet(String) request whose one argument is written by hand. */
  private byte[] hessianRequest(ArgumentWriter argument) {
    ByteBuf out = buffer(new byte[0]);
    out.writeBytes(new byte[] {(byte) 0xda, (byte) 0xbb, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0});
    Hessian2Writer.writeString(out, "2.0.2");
    Hessian2Writer.writeString(out, SERVICE);
    Hessian2Writer.writeString(out, "1.0.0");
    Hessian2Writer.writeString(out, "greet");
    Hessian2Writer.writeString(out, "Ljava/lang/Object;");
    argument.write(out);
    out.writeByte('H');
    out.writeByte('Z');
    out.setInt(12, out.readableBytes() - 16);
    return ByteBufUtil.getBytes(out);
  }

  private static Map<String, Object> orderedAttachments() {
    Map<String, Object> attachments = new LinkedHashMap<>();
    attachments.put("path", SERVICE);
    attachments.put("interface", SERVICE);
    attachments.put("version", "1.0.0");
    return attachments;
  }

  /**
   * A greet request laid out exactly as DubboCodec lays it out, written with hessian-lite, but with attachments in
   * the order given (Dubbo's own invocation keeps them in a HashMap).
   */
  private static byte[] dubboFrame(Object[] arguments, Map<String, Object> attachments) {
    Object[] body = new Object[6 + arguments.length];
    body[0] = RealDubbo.DUBBO_VERSION;
    body[1] = SERVICE;
    body[2] = "1.0.0";
    body[3] = "greet";
    body[4] = "Lio/metaproxy/codec/dubbo/TestModel$Person;Ljava/util/List;Ljava/util/Map;I";
    System.arraycopy(arguments, 0, body, 5, arguments.length);
    body[body.length - 1] = attachments;
    byte[] hessian = Hessian2ScannerTest.hessian(body);
    byte[] frame = new byte[16 + hessian.length];
    frame[0] = (byte) 0xda;
    frame[1] = (byte) 0xbb;
    frame[2] = (byte) 0xc2;
    frame[11] = 1;
    setBodyLength(frame, hessian.length);
    System.arraycopy(hessian, 0, frame, 16, hessian.length);
    return frame;
  }

  private void assertRejectedOrAccepted(byte[] frame, String what) {
    try {
      Metadata metadata = new Metadata();
      DecodeStatus status = new DubboCodec().decode(buffer(frame), metadata);
      assertThat(status).as(what).isIn(DecodeStatus.DONE, DecodeStatus.WAIT_FOR_DATA);
    } catch (CodecException expected) {
      assertThat(expected.getMessage()).startsWith("dubbo: ");
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": decode threw " + e, e);
    }
  }

  private static void setBodyLength(byte[] frame, int length) {
    frame[12] = (byte) (length >>> 24);
    frame[13] = (byte) (length >>> 16);
    frame[14] = (byte) (length >>> 8);
    frame[15] = (byte) length;
  }

  @SuppressWarnings("unchecked")
  private static void assertArgumentsIntact(Object[] arguments) {
    Object[] expected = RealDubbo.greetArguments();
    assertThat(arguments).hasSize(4);
    assertThat(arguments[0]).isEqualTo(expected[0]);
    List<Object> tags = (List<Object>) arguments[1];
    List<Object> expectedTags = (List<Object>) expected[1];
    assertThat(tags).hasSameSizeAs(expectedTags);
    for (int i = 0; i < tags.size(); i++) {
      assertThat(java.util.Objects.deepEquals(tags.get(i), expectedTags.get(i)))
          .as("tag %d: %s vs %s", i, tags.get(i), expectedTags.get(i)).isTrue();
    }
    Map<String, Object> extras = (Map<String, Object>) arguments[2];
    assertThat(extras).isEqualTo(expected[2]);
    assertThat(arguments[3]).isEqualTo(3);
  }

  private Metadata decode(byte[] frame) throws CodecException {
    ByteBuf in = buffer(frame);
    Metadata metadata = new Metadata();
    messages.add(metadata);
    Codec codec = new DubboCodec();
    assertThat(codec.decode(in, metadata)).isEqualTo(DecodeStatus.DONE);
    assertThat(in.readableBytes()).isZero();
    metadata.attachFrame(in.retainedSlice(0, frame.length));
    return metadata;
  }

  private byte[] encode(Metadata metadata, Mutation mutation) {
    ByteBuf out = buffer(new byte[0]);
    new DubboCodec().encode(metadata, mutation, out);
    return ByteBufUtil.getBytes(out);
  }

  private ByteBuf buffer(byte[] bytes) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(bytes.length, 64)).writeBytes(bytes);
    buffers.add(buf);
    return buf;
  }

  private static Map<String, String> keyValues(Metadata metadata) {
    Map<String, String> map = new LinkedHashMap<>();
    metadata.forEach(map::put);
    return map;
  }
}

package io.metaproxy.codec.thrift;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.api.ErrorType;
import io.metaproxy.codec.thrift.LibThrift.Wire;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.TMultiplexedProcessor;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TMultiplexedProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolFactory;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportFactory;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real libthrift 0.17 client calls a real libthrift {@code TThreadPoolServer} (a {@code TMultiplexedProcessor} with
 * two services) through {@link CodecRelay}, which runs the codec as the host does, over loopback TCP, in the four
 * transport/protocol combinations libthrift servers are configured with.
 */
class ThriftEndToEndTest {

  private static EventLoopGroup group;

  @BeforeAll
  static void startEventLoop() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopEventLoop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The relay's policy: "Echo" is renamed to "EchoV2" on the wire, method "nowhere" has no route. */
  private static ErrorType route(io.metaproxy.api.Metadata request, io.metaproxy.api.Mutation mutation) {
    if ("nowhere".equals(request.get("method"))) {
      return ErrorType.ROUTE_NOT_FOUND;
    }
    if ("Echo".equals(request.get("service"))) {
      mutation.set("service", "EchoV2");
      mutation.set("x-routed-by", "metaproxy"); // not carried by Thrift: ignored
    }
    return null;
  }

  @ParameterizedTest
  @EnumSource(value = Wire.class, names = {"FRAMED_BINARY", "FRAMED_COMPACT", "UNFRAMED_BINARY", "UNFRAMED_COMPACT"})
  void relaysRealClientAndServerThroughTheCodec(Wire wire) throws Exception {
    try (EchoServer server = new EchoServer(wire);
        CodecRelay relay = CodecRelay.start(group, new ThriftCodecFactory(), server.port(), ThriftEndToEndTest::route);
        Client client = new Client(wire, relay.port())) {

      // a service mutation reaches the server: "Echo:echo" is served by EchoV2; the seqid is rewritten and restored
      Reply renamed = client.call("Echo", "echo", 5, "hello");
      assertThat(renamed.seqId).isEqualTo(5);
      assertThat(renamed.text).isEqualTo("v2:echo:hello#1000");

      // unmutated: patched in place both ways (compact too: 200 and 1001 are both 2-byte varints); a body large
      // enough to arrive in many reads
      String large = "x".repeat(200_000);
      Reply direct = client.call("EchoV2", "echo", 200, large);
      assertThat(direct.seqId).isEqualTo(200);
      assertThat(direct.text).isEqualTo("v2:echo:" + large + "#1001");

      // a oneway call goes through and gets no reply
      client.send("Echo", "log", TMessageType.ONEWAY, 201, "fire and forget");
      assertThat(server.oneways.poll(5, TimeUnit.SECONDS)).isEqualTo("v2:log:fire and forget#1002");

      // a request the proxy refuses is answered with a TApplicationException the client reads
      Reply refused = client.call("Echo", "nowhere", 202, "x");
      assertThat(refused.seqId).isEqualTo(202);
      assertThat(refused.exception.getType()).isEqualTo(TApplicationException.UNKNOWN_METHOD);
      assertThat(refused.exception.getMessage()).isEqualTo("metaproxy: route_not_found: no route for Echo/nowhere");

      // the connection is still good, and the plain service is still served when not renamed
      assertThat(client.call("EchoV1", "echo", 6, "again").text).isEqualTo("v1:echo:again#1003");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Wire.class, names = {"FRAMED_COMPACT", "UNFRAMED_BINARY"})
  void patchesUnmutatedFramesInPlaceAndEncodesTheRest(Wire wire) throws Exception {
    try (EchoServer server = new EchoServer(wire);
        CodecRelay relay = CodecRelay.start(group, new ThriftCodecFactory(), server.port(), ThriftEndToEndTest::route);
        Client client = new Client(wire, relay.port())) {
      client.call("EchoV2", "echo", 300, "a"); // 300 -> 1000 -> 300: same varint lengths, patched both ways
      assertThat(relay.rewritten.get()).isEqualTo(2);
      assertThat(relay.encoded.get()).isZero();
      client.call("Echo", "echo", 301, "b"); // mutated: encoded upstream, patched back
      assertThat(relay.encoded.get()).isEqualTo(1);
      assertThat(relay.rewritten.get()).isEqualTo(3);
    }
  }

  /** What the client read back. */
  private record Reply(int seqId, String text, TApplicationException exception) {}

  /** A libthrift client speaking raw protocol calls (no generated code) over a socket. */
  private static final class Client implements AutoCloseable {
    private final TTransport transport;
    private final TProtocol protocol;

    Client(Wire wire, int port) throws TException {
      TSocket socket = new TSocket("127.0.0.1", port, 10_000);
      transport = wire.wrap(socket);
      transport.open();
      protocol = wire.protocol(transport);
    }

    Reply call(String service, String method, int seqId, String text) throws TException {
      send(service, method, TMessageType.CALL, seqId, text);
      TMessage reply = protocol.readMessageBegin();
      if (reply.type == TMessageType.EXCEPTION) {
        TApplicationException exception = TApplicationException.readFrom(protocol);
        protocol.readMessageEnd();
        return new Reply(reply.seqid, null, exception);
      }
      String result = null;
      protocol.readStructBegin();
      for (TField field = protocol.readFieldBegin(); field.type != TType.STOP; field = protocol.readFieldBegin()) {
        if (field.id == 0 && field.type == TType.STRING) {
          result = protocol.readString();
        } else {
          TProtocolUtil.skip(protocol, field.type);
        }
        protocol.readFieldEnd();
      }
      protocol.readStructEnd();
      protocol.readMessageEnd();
      return new Reply(reply.seqid, result, null);
    }

    void send(String service, String method, byte type, int seqId, String text) throws TException {
      TProtocol out = new TMultiplexedProtocol(protocol, service);
      out.writeMessageBegin(new TMessage(method, type, seqId));
      out.writeStructBegin(new TStruct("args"));
      out.writeFieldBegin(new TField("text", TType.STRING, (short) 1));
      out.writeString(text);
      out.writeFieldEnd();
      out.writeFieldBegin(new TField("extra", TType.STRUCT, (short) 2));
      LibThrift.writeRichArgs(out); // nested structs, collections, binary: all must survive the relay
      out.writeFieldEnd();
      out.writeFieldStop();
      out.writeStructEnd();
      out.writeMessageEnd();
      transport.flush();
    }

    @Override
    public void close() {
      transport.close();
    }
  }

  /** A {@code TThreadPoolServer} with services EchoV1 and EchoV2, each a hand-written processor. */
  private static final class EchoServer implements AutoCloseable {
    final BlockingQueue<String> oneways = new LinkedBlockingQueue<>();
    private final TServerSocket socket;
    private final TServer server;
    private final Thread thread;

    EchoServer(Wire wire) throws TException {
      socket = new TServerSocket(new InetSocketAddress("127.0.0.1", 0));
      TMultiplexedProcessor processor = new TMultiplexedProcessor();
      processor.registerProcessor("EchoV1", new EchoProcessor("v1", oneways));
      processor.registerProcessor("EchoV2", new EchoProcessor("v2", oneways));
      TProtocolFactory protocols =
          wire.format.protocol == ThriftProtocol.COMPACT ? new TCompactProtocol.Factory() : new TBinaryProtocol.Factory();
      server = new TThreadPoolServer(new TThreadPoolServer.Args(socket).processor(processor)
          .protocolFactory(protocols)
          .transportFactory(wire.format.framed ? new TFramedTransport.Factory() : new TTransportFactory())
          .stopTimeoutVal(1).stopTimeoutUnit(TimeUnit.SECONDS));
      thread = new Thread(server::serve, "thrift-echo-server");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getServerSocket().getLocalPort();
    }

    @Override
    public void close() {
      server.stop();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Answers {@code echo(1: string text)} with {@code "<version>:<method>:<text>#<seqid it saw>"}. */
  private record EchoProcessor(String version, BlockingQueue<String> oneways) implements TProcessor {
    @Override
    public void process(TProtocol in, TProtocol out) throws TException {
      TMessage call = in.readMessageBegin();
      String text = null;
      in.readStructBegin();
      for (TField field = in.readFieldBegin(); field.type != TType.STOP; field = in.readFieldBegin()) {
        if (field.id == 1 && field.type == TType.STRING) {
          text = in.readString();
        } else {
          TProtocolUtil.skip(in, field.type);
        }
        in.readFieldEnd();
      }
      in.readStructEnd();
      in.readMessageEnd();
      String answer = version + ":" + call.name + ":" + text + "#" + call.seqid;
      if (call.type == TMessageType.ONEWAY) {
        oneways.add(answer);
        return;
      }
      out.writeMessageBegin(new TMessage(call.name, TMessageType.REPLY, call.seqid));
      out.writeStructBegin(new TStruct("echo_result"));
      out.writeFieldBegin(new TField("success", TType.STRING, (short) 0));
      out.writeString(answer);
      out.writeFieldEnd();
      out.writeFieldStop();
      out.writeStructEnd();
      out.writeMessageEnd();
      out.getTransport().flush();
    }
  }
}

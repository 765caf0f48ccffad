package io.metaproxy.codec.bolt;

import com.alipay.remoting.Connection;
import com.alipay.remoting.ResponseStatus;
import com.alipay.remoting.config.switches.ProtocolSwitch;
import com.alipay.remoting.rpc.RpcCommand;
import com.alipay.remoting.rpc.protocol.RpcCommandDecoder;
import com.alipay.remoting.rpc.protocol.RpcCommandDecoderV2;
import com.alipay.remoting.rpc.protocol.RpcCommandEncoder;
import com.alipay.remoting.rpc.protocol.RpcCommandEncoderV2;
import com.alipay.remoting.rpc.protocol.RpcRequestCommand;
import com.alipay.remoting.rpc.protocol.RpcResponseCommand;
import io.metaproxy.codec.bolt.SofaStyle.GreetReply;
import io.metaproxy.codec.bolt.SofaStyle.GreetRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Bolt frames made and read by Bolt's own protocol classes ({@code RpcCommandEncoder}/{@code Decoder} for v1, the
 * {@code V2} ones for v2), so that the codec is checked against the real library rather than against itself. V2
 * commands get the CRC switch on, as Bolt's client sets it by default.
 */
final class BoltFrames {
  static final String SERVICE = "com.example.Greeter:1.0";

  private BoltFrames() {}

  /** A channel with an InetSocketAddress for a peer, which Bolt's response decoder insists on. */
  private static final class LoopbackChannel extends EmbeddedChannel {
    LoopbackChannel() {
      super(new ChannelInboundHandlerAdapter());
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), 12200);
    }
  }

  /** A request for {@link GreetRequest} with SOFA-style headers (see {@link SofaStyle}), as a client sends it. */
  static byte[] request(int version, int id, GreetRequest request) throws Exception {
    SofaStyle.install();
    RpcRequestCommand command = new RpcRequestCommand(request);
    command.setId(id);
    command.setTimeout(3000);
    command.setRequestClass(GreetRequest.class.getName());
    command.serialize();
    return encode(command, version);
  }

  /** A response carrying a {@link GreetReply} and the header {@code served-by}, as a server sends it. */
  static byte[] response(int version, int id, ResponseStatus status) throws Exception {
    SofaStyle.install();
    RpcResponseCommand command = new RpcResponseCommand(id, new GreetReply("hi"));
    command.setResponseClass(GreetReply.class.getName());
    command.setResponseStatus(status);
    command.serialize();
    return encode(command, version);
  }

  /** Encodes any command with Bolt's encoder for the protocol version. */
  static byte[] encode(RpcCommand command, int version) throws Exception {
    EmbeddedChannel channel = new LoopbackChannel();
    ChannelHandlerContext ctx = channel.pipeline().firstContext();
    ByteBuf out = Unpooled.buffer();
    try {
      if (version == 1) {
        new RpcCommandEncoder().encode(ctx, command, out);
      } else {
        channel.attr(Connection.VERSION).set((byte) 2);
        command.setProtocolSwitch(ProtocolSwitch.create(new int[] {ProtocolSwitch.CRC_SWITCH_INDEX}));
        new RpcCommandEncoderV2().encode(ctx, command, out);
      }
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
      channel.finishAndReleaseAll();
    }
  }

  /** Decodes exactly one command with Bolt's decoder for the version; v2 checks the CRC when the frame has one. */
  static RpcCommand decode(ByteBuf frame, int version) throws Exception {
    EmbeddedChannel channel = new LoopbackChannel();
    ChannelHandlerContext ctx = channel.pipeline().firstContext();
    ByteBuf in = frame.duplicate();
    List<Object> out = new ArrayList<>();
    try {
      if (version == 1) {
        new RpcCommandDecoder().decode(ctx, in, out);
      } else {
        new RpcCommandDecoderV2().decode(ctx, in, out);
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    if (out.size() != 1 || in.isReadable()) {
      throw new AssertionError("Bolt decoded " + out.size() + " commands, " + in.readableBytes() + " bytes left");
    }
    return (RpcCommand) out.get(0);
  }
}

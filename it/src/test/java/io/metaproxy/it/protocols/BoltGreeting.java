package io.metaproxy.it.protocols;

import com.alipay.remoting.CustomSerializerManager;
import com.alipay.remoting.DefaultCustomSerializer;
import com.alipay.remoting.InvokeContext;
import com.alipay.remoting.exception.CodecException;
import com.alipay.remoting.exception.DeserializationException;
import com.alipay.remoting.rpc.RequestCommand;
import com.alipay.remoting.rpc.protocol.RpcRequestCommand;
import com.alipay.remoting.serialization.SerializerManager;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The greeting call of {@link BoltIT}, sent the way SOFA RPC sends calls over Bolt: the target service, method and
 * baggage travel in the frame's header map (SimpleMapSerializer's encoding), the objects in its content (Hessian).
 * A Bolt custom serializer does the header part on the client and, on the server, hands the header map Bolt read
 * from the frame to the processor inside the request ({@link Request#headersSeen}), so that the server's answer
 * reports what reached it.
 */
final class BoltGreeting {
  private BoltGreeting() {}

  /** A call of {@code method} on {@code service} for {@code name}, with {@code baggage} as extra header entries. */
  static final class Request implements Serializable {
    private static final long serialVersionUID = 1L;
    final String service;
    final String method;
    final String name;
    final Map<String, String> baggage;
    /** Set on the server only: the header map as Bolt decoded it from the frame. Never serialized. */
    transient Map<String, String> headersSeen;

    Request(String service, String method, String name, Map<String, String> baggage) {
      this.service = service;
      this.method = method;
      this.name = name;
      this.baggage = new LinkedHashMap<>(baggage);
    }
  }

  /** The answer: which server, a greeting, and the header map the server's processor saw. */
  static final class Reply implements Serializable {
    private static final long serialVersionUID = 1L;
    final String server;
    final String text;
    final Map<String, String> headersSeen;

    Reply(String server, String text, Map<String, String> headersSeen) {
      this.server = server;
      this.text = text;
      this.headersSeen = new LinkedHashMap<>(headersSeen);
    }
  }

  private static boolean installed;

  /** Registers the serializer with Bolt's JVM-wide registry, once. */
  static synchronized void install() {
    if (!installed) {
      CustomSerializerManager.registerCustomSerializer(Request.class.getName(), new HeaderSerializer());
      installed = true;
    }
  }

  /** SOFA RPC's header map for a request: service, target service, method name, then the baggage. */
  private static Map<String, String> headersOf(Request request) {
    Map<String, String> header = new LinkedHashMap<>();
    header.put("service", request.service);
    header.put("sofa_head_target_service", request.service);
    header.put("sofa_head_method_name", request.method);
    header.putAll(request.baggage);
    return header;
  }

  /** SimpleMapSerializer's encoding: int32 length + UTF-8 bytes, key then value, entry after entry. */
  private static byte[] encode(Map<String, String> map) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    map.forEach((key, value) -> {
      writeString(out, key);
      writeString(out, value);
    });
    return out.toByteArray();
  }

  private static Map<String, String> decode(byte[] bytes) {
    Map<String, String> map = new LinkedHashMap<>();
    if (bytes != null) {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      while (in.hasRemaining()) {
        String key = readString(in);
        map.put(key, readString(in));
      }
    }
    return map;
  }

  private static void writeString(ByteArrayOutputStream out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }

  private static String readString(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static final class HeaderSerializer extends DefaultCustomSerializer {
    /** Client: the request's header map, as SOFA RPC writes it. */
    @Override
    public <T extends RequestCommand> boolean serializeHeader(T request, InvokeContext context) {
      RpcRequestCommand command = (RpcRequestCommand) request;
      command.setHeader(encode(headersOf((Request) command.getRequestObject())));
      return true;
    }

    /** Server: the content as Bolt would deserialize it, plus the header map Bolt read from the same frame. */
    @Override
    public <T extends RequestCommand> boolean deserializeContent(T request) throws DeserializationException {
      RpcRequestCommand command = (RpcRequestCommand) request;
      Object content;
      try {
        content = SerializerManager.getSerializer(command.getSerializer())
            .deserialize(command.getContent(), command.getRequestClass());
      } catch (CodecException e) {
        throw new DeserializationException("cannot deserialize " + command.getRequestClass(), e);
      }
      ((Request) content).headersSeen = decode(command.getHeader());
      command.setRequestObject(content);
      return true;
    }
  }
}

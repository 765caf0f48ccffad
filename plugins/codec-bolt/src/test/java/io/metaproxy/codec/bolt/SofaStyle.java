package io.metaproxy.codec.bolt;

import com.alipay.remoting.CustomSerializerManager;
import com.alipay.remoting.DefaultCustomSerializer;
import com.alipay.remoting.InvokeContext;
import com.alipay.remoting.rpc.RequestCommand;
import com.alipay.remoting.rpc.ResponseCommand;
import com.alipay.remoting.rpc.protocol.RpcRequestCommand;
import com.alipay.remoting.rpc.protocol.RpcResponseCommand;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Makes plain Bolt behave like SOFA RPC on the wire: a custom serializer puts the request's service, method and
 * baggage into Bolt's header map in SimpleMapSerializer's encoding (an independent test implementation of it), and
 * records every header map the real Bolt stack decodes, on the server (requests) and on the client (responses).
 */
final class SofaStyle {

  /** A request whose header map carries what SOFA RPC puts there. */
  static final class GreetRequest implements Serializable {
    private static final long serialVersionUID = 1L;
    final String service;
    final String method;
    final String name;
    final Map<String, String> baggage;

    GreetRequest(String service, String method, String name, Map<String, String> baggage) {
      this.service = service;
      this.method = method;
      this.name = name;
      this.baggage = new LinkedHashMap<>(baggage);
    }
  }

  /** A reply; the server adds a header map to it too. */
  static final class GreetReply implements Serializable {
    private static final long serialVersionUID = 1L;
    final String text;

    GreetReply(String text) {
      this.text = text;
    }
  }

  /** Header maps as the Bolt server decoded them from requests, in arrival order. */
  static final BlockingQueue<Map<String, String>> SERVER_SAW = new LinkedBlockingQueue<>();
  /** Header maps as the Bolt client decoded them from responses. */
  static final BlockingQueue<Map<String, String>> CLIENT_SAW = new LinkedBlockingQueue<>();

  private static boolean installed;

  private SofaStyle() {}

  /** Registers the serializer with Bolt's global registry (once per JVM). */
  static synchronized void install() {
    if (installed) {
      return;
    }
    HeaderSerializer serializer = new HeaderSerializer();
    CustomSerializerManager.registerCustomSerializer(GreetRequest.class.getName(), serializer);
    CustomSerializerManager.registerCustomSerializer(GreetReply.class.getName(), serializer);
    installed = true;
  }

  static GreetRequest request(String name, Map<String, String> baggage) {
    return new GreetRequest("com.example.Greeter:1.0", "sayHello", name, baggage);
  }

  /** SOFA RPC's header map for a request: service, target service, method, then the baggage. */
  static Map<String, String> headersOf(GreetRequest request) {
    Map<String, String> header = new LinkedHashMap<>();
    header.put("service", request.service);
    header.put("sofa_head_target_service", request.service);
    header.put("sofa_head_method_name", request.method);
    header.putAll(request.baggage);
    return header;
  }

  /** SimpleMapSerializer's encoding: int32 length + UTF-8 bytes, key then value, entry after entry. */
  static byte[] encode(Map<String, String> map) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    map.forEach((key, value) -> {
      writeString(out, key);
      writeString(out, value);
    });
    return out.toByteArray();
  }

  static Map<String, String> decode(byte[] bytes) {
    Map<String, String> map = new LinkedHashMap<>();
    if (bytes == null) {
      return map;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    while (in.hasRemaining()) {
      String key = readString(in);
      String value = readString(in);
      map.put(key, value);
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
    @Override
    public <T extends RequestCommand> boolean serializeHeader(T request, InvokeContext context) {
      RpcRequestCommand command = (RpcRequestCommand) request;
      command.setHeader(encode(headersOf((GreetRequest) command.getRequestObject())));
      return true;
    }

    @Override
    public <T extends RequestCommand> boolean deserializeHeader(T request) {
      SERVER_SAW.add(decode(request.getHeader()));
      return true;
    }

    @Override
    public <T extends ResponseCommand> boolean serializeHeader(T response) {
      response.setHeader(encode(Map.of("served-by", "bolt-server")));
      return true;
    }

    @Override
    public <T extends ResponseCommand> boolean deserializeHeader(T response, InvokeContext context) {
      CLIENT_SAW.add(decode(((RpcResponseCommand) response).getHeader()));
      return true;
    }
  }
}

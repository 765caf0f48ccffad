package io.metaproxy.it.protocols;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One frame of the example protocol ({@code plugins/codec-example/README.md}), read and written with plain {@code
 * java.io} and no codec code, as the protocol's own client and server would:
 * <pre>
 * 'M' 'P' | version 1 | type | request id (8) | header count (2) | ([u16 len] key [u16 len] value)* | body len (4) | body
 * </pre>
 * Copied, minimal, from the codec's tests ({@code plugins/codec-example/src/test/.../Frame.java}).
 */
record ExampleFrame(byte type, long id, Map<String, String> headers, byte[] body) {
  static final byte REQUEST = 1;
  static final byte RESPONSE = 2;
  static final byte ERROR = 6;

  ExampleFrame {
    headers = new LinkedHashMap<>(headers);
  }

  static ExampleFrame of(byte type, long id, Map<String, String> headers, String body) {
    return new ExampleFrame(type, id, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  void writeTo(OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeByte('M');
    out.writeByte('P');
    out.writeByte(1);
    out.writeByte(type);
    out.writeLong(id);
    out.writeShort(headers.size());
    for (Map.Entry<String, String> header : headers.entrySet()) {
      writeString(out, header.getKey());
      writeString(out, header.getValue());
    }
    out.writeInt(body.length);
    out.write(body);
    out.flush();
  }

  static ExampleFrame readFrom(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    if (in.readByte() != 'M' || in.readByte() != 'P' || in.readByte() != 1) {
      throw new IOException("not an example-protocol frame");
    }
    byte type = in.readByte();
    long id = in.readLong();
    int count = in.readUnsignedShort();
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      headers.put(readString(in), readString(in));
    }
    byte[] body = new byte[in.readInt()];
    in.readFully(body);
    return new ExampleFrame(type, id, headers, body);
  }

  private static void writeString(DataOutputStream out, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.writeShort(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readUnsignedShort()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

package io.metaproxy.codec.example;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One frame of the example protocol, read and written with plain {@code java.io} and no codec code: the protocol as
 * its own client and server would implement it, so that tests check the codec against an independent implementation.
 */
record Frame(byte type, long id, Map<String, String> headers, byte[] body) {
  static final byte REQUEST = 1;
  static final byte RESPONSE = 2;
  static final byte ONEWAY = 3;
  static final byte PING = 4;
  static final byte PONG = 5;
  static final byte ERROR = 6;

  Frame {
    headers = new LinkedHashMap<>(headers);
  }

  static Frame of(byte type, long id, Map<String, String> headers, String body) {
    return new Frame(type, id, headers, body.getBytes(StandardCharsets.UTF_8));
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

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      writeTo(bytes);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  static Frame readFrom(InputStream stream) throws IOException {
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
    return new Frame(type, id, headers, body);
  }

  static Frame parse(byte[] bytes) throws IOException {
    return readFrom(new java.io.ByteArrayInputStream(bytes));
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

package io.metaproxy.codec.thrift;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TMultiplexedProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * The real libthrift 0.17, used as the peer: it writes the messages the codec decodes (with its own protocol and
 * transport classes, as a client or server would) and reads back what the codec writes.
 */
final class LibThrift {

  /** A libthrift protocol + transport combination, matching one {@link ThriftFormat}. */
  enum Wire {
    FRAMED_BINARY(ThriftFormat.FRAMED_BINARY),
    FRAMED_COMPACT(ThriftFormat.FRAMED_COMPACT),
    FRAMED_OLD_BINARY(ThriftFormat.FRAMED_OLD_BINARY),
    UNFRAMED_BINARY(ThriftFormat.UNFRAMED_BINARY),
    UNFRAMED_COMPACT(ThriftFormat.UNFRAMED_COMPACT),
    UNFRAMED_OLD_BINARY(ThriftFormat.UNFRAMED_OLD_BINARY);

    final ThriftFormat format;

    Wire(ThriftFormat format) {
      this.format = format;
    }

    TTransport wrap(TTransport transport) throws TException {
      return format.framed ? new TFramedTransport(transport) : transport;
    }

    TProtocol protocol(TTransport transport) {
      return switch (format.protocol) {
        case BINARY -> new TBinaryProtocol(transport); // libthrift's defaults: strictRead=false, strictWrite=true
        case OLD_BINARY -> new TBinaryProtocol(transport, false, false);
        case COMPACT -> new TCompactProtocol(transport);
      };
    }
  }

  /** Writes to a libthrift protocol. */
  interface Body {
    void write(TProtocol protocol) throws TException;
  }

  private LibThrift() {}

  /** The bytes libthrift puts on the wire for {@code body} in {@code wire}'s transport and protocol. */
  static byte[] write(Wire wire, Body body) throws TException {
    TMemoryBuffer memory = new TMemoryBuffer(256);
    TTransport transport = wire.wrap(memory);
    body.write(wire.protocol(transport));
    transport.flush();
    return Arrays.copyOf(memory.getArray(), memory.length());
  }

  /** A CALL of {@code method} with {@link #writeRichArgs rich arguments}, as a generated client would send it. */
  static byte[] call(Wire wire, String method, int seqId) throws TException {
    return message(wire, null, method, TMessageType.CALL, seqId);
  }

  /**
   * A message of {@code type}; when {@code service} is not null, written through a {@code TMultiplexedProtocol}
   * (which prefixes CALL and ONEWAY names with {@code service:}).
   */
  static byte[] message(Wire wire, String service, String method, byte type, int seqId) throws TException {
    return write(wire, protocol -> {
      TProtocol out = service == null ? protocol : new TMultiplexedProtocol(protocol, service);
      out.writeMessageBegin(new TMessage(method, type, seqId));
      if (type == TMessageType.EXCEPTION) {
        new TApplicationException(TApplicationException.INTERNAL_ERROR, "server says no").write(out);
      } else {
        writeRichArgs(out);
      }
      out.writeMessageEnd();
    });
  }

  /**
   * An argument struct using every Thrift type: nested structs, lists (short and long compact form), sets, maps
   * (fixed and variable width, empty ones), strings, binary, booleans as fields and as elements, a field id that
   * needs the compact long form.
   */
  static void writeRichArgs(TProtocol out) throws TException {
    out.writeStructBegin(new TStruct("args"));
    field(out, TType.STRING, 1);
    out.writeString("hello \u2603 thrift");
    field(out, TType.I32, 2);
    out.writeI32(42);
    field(out, TType.I64, 3);
    out.writeI64(-1L);
    field(out, TType.DOUBLE, 4);
    out.writeDouble(3.14);
    field(out, TType.BOOL, 5);
    out.writeBool(true);
    field(out, TType.BOOL, 6);
    out.writeBool(false);
    field(out, TType.BYTE, 7);
    out.writeByte((byte) -7);
    field(out, TType.I16, 8);
    out.writeI16((short) -300);
    field(out, TType.STRING, 9);
    byte[] binary = new byte[300];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 7);
    }
    out.writeBinary(ByteBuffer.wrap(binary));

    field(out, TType.STRUCT, 10);
    out.writeStructBegin(new TStruct("inner"));
    field(out, TType.STRING, 1);
    out.writeString("inner");
    field(out, TType.LIST, 2);
    out.writeListBegin(new TList(TType.I32, 20)); // > 14 elements: the compact long form
    for (int i = 0; i < 20; i++) {
      out.writeI32(i * 1000 - 5000);
    }
    out.writeListEnd();
    field(out, TType.STRUCT, 3);
    out.writeStructBegin(new TStruct("deeper"));
    field(out, TType.MAP, 1);
    out.writeMapBegin(new TMap(TType.STRING, TType.LIST, 2));
    for (String key : new String[] {"k1", "k2"}) {
      out.writeString(key);
      out.writeListBegin(new TList(TType.I64, 3));
      out.writeI64(Long.MAX_VALUE);
      out.writeI64(Long.MIN_VALUE);
      out.writeI64(0);
      out.writeListEnd();
    }
    out.writeMapEnd();
    endStruct(out);
    endStruct(out);

    field(out, TType.MAP, 11);
    out.writeMapBegin(new TMap(TType.STRING, TType.I32, 2));
    out.writeString("a");
    out.writeI32(1);
    out.writeString("b");
    out.writeI32(-2);
    out.writeMapEnd();
    field(out, TType.SET, 12);
    out.writeSetBegin(new TSet(TType.STRING, 2));
    out.writeString("x");
    out.writeString("y");
    out.writeSetEnd();
    field(out, TType.LIST, 13);
    out.writeListBegin(new TList(TType.STRUCT, 2));
    for (int i = 0; i < 2; i++) {
      out.writeStructBegin(new TStruct("item"));
      field(out, TType.BOOL, 1);
      out.writeBool(i == 0);
      field(out, TType.DOUBLE, 2);
      out.writeDouble(i);
      endStruct(out);
    }
    out.writeListEnd();
    field(out, TType.LIST, 14);
    out.writeListBegin(new TList(TType.BOOL, 3));
    out.writeBool(true);
    out.writeBool(false);
    out.writeBool(true);
    out.writeListEnd();
    field(out, TType.MAP, 15);
    out.writeMapBegin(new TMap(TType.I32, TType.DOUBLE, 3));
    for (int i = 0; i < 3; i++) {
      out.writeI32(i);
      out.writeDouble(i / 3.0);
    }
    out.writeMapEnd();
    field(out, TType.MAP, 16);
    out.writeMapBegin(new TMap(TType.STRING, TType.STRING, 0));
    out.writeMapEnd();
    field(out, TType.LIST, 17);
    out.writeListBegin(new TList(TType.STRUCT, 0));
    out.writeListEnd();
    field(out, TType.I32, 300); // a delta > 15: the compact long field-id form
    out.writeI32(Integer.MIN_VALUE);
    endStruct(out);
  }

  /** A struct nested {@code depth} levels deep (the outermost counts as one). */
  static void writeNested(TProtocol out, int depth) throws TException {
    out.writeStructBegin(new TStruct("n"));
    if (depth > 1) {
      field(out, TType.STRUCT, 1);
      writeNested(out, depth - 1);
    }
    endStruct(out);
  }

  /** Reads {@code bytes} back the way a libthrift peer would. */
  static Reader reader(Wire wire, byte[] bytes) throws TException {
    return new Reader(wire, bytes);
  }

  /** A libthrift protocol over some bytes, which can tell whether everything was consumed. */
  static final class Reader {
    final ByteArrayInputStream input;
    final TTransport transport;
    final TProtocol protocol;

    Reader(Wire wire, byte[] bytes) throws TException {
      // a stream transport, as a socket is: libthrift 0.17's TFramedTransport over a TMemoryInputTransport counts
      // the frame's bytes against the message size twice and fails on longer frames
      input = new ByteArrayInputStream(bytes);
      transport = wire.wrap(new TIOStreamTransport(input));
      // strictRead=false reads strict and non-strict binary alike, as libthrift servers do by default
      protocol = wire.format.protocol == ThriftProtocol.COMPACT ? new TCompactProtocol(transport)
          : new TBinaryProtocol(transport, false, true);
    }

    /** Reads a whole message: the header, then the body skipped by libthrift. */
    TMessage readMessageSkippingBody() throws TException {
      TMessage message = protocol.readMessageBegin();
      TProtocolUtil.skip(protocol, TType.STRUCT);
      protocol.readMessageEnd();
      return message;
    }

    /** Whether libthrift has consumed every byte. */
    boolean atEnd() {
      return input.available() == 0 && transport.getBytesRemainingInBuffer() <= 0;
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void field(TProtocol out, byte type, int id) throws TException {
    out.writeFieldBegin(new TField("f" + id, type, (short) id));
  }

  private static void endStruct(TProtocol out) throws TException {
    out.writeFieldStop();
    out.writeStructEnd();
  }
}

package io.metaproxy.it.protocols;

import java.util.Locale;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolFactory;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.TTransportFactory;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * The four transport/protocol combinations libthrift servers are commonly configured with. Client and server of
 * one test use the same one: the proxy detects each connection's format but does not translate between formats.
 */
enum ThriftWire {
  FRAMED_BINARY(true, false),
  FRAMED_COMPACT(true, true),
  UNFRAMED_BINARY(false, false),
  UNFRAMED_COMPACT(false, true);

  private final boolean framed;
  private final boolean compact;

  ThriftWire(boolean framed, boolean compact) {
    this.framed = framed;
    this.compact = compact;
  }

  /** For names in the proxy's config, e.g. {@code framed-binary}. */
  String slug() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** What a client wraps its socket in. */
  TTransport clientTransport(TTransport socket) throws TTransportException {
    return framed ? new TFramedTransport(socket) : socket;
  }

  /** libthrift's default protocol settings: binary writes strict (0x8001), reads both. */
  TProtocol protocol(TTransport transport) {
    return compact ? new TCompactProtocol(transport) : new TBinaryProtocol(transport);
  }

  TProtocolFactory protocolFactory() {
    return compact ? new TCompactProtocol.Factory() : new TBinaryProtocol.Factory();
  }

  TTransportFactory transportFactory() {
    return framed ? new TFramedTransport.Factory() : new TTransportFactory();
  }
}

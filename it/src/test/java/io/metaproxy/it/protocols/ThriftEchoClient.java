package io.metaproxy.it.protocols;

import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.TServiceClient;
import org.apache.thrift.protocol.TMultiplexedProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;

/**
 * One libthrift client connection ({@link TSocket}, framed or not, binary or compact) on which {@link #service}
 * makes clients of multiplexed services. Calls go through libthrift's {@link TServiceClient}, the base class of
 * generated clients: it numbers calls with its own seqids, throws the {@link TApplicationException} of an EXCEPTION
 * reply, and rejects a reply whose seqid is not the call's ("out of sequence response").
 */
final class ThriftEchoClient implements AutoCloseable {
  /** Far above any reply time here: a call that times out is a failure, not a slow answer. */
  private static final int SOCKET_TIMEOUT_MILLIS = 10_000;

  private final TTransport transport;
  private final TProtocol protocol;

  ThriftEchoClient(ThriftWire wire, int port) throws TException {
    transport = wire.clientTransport(new TSocket("127.0.0.1", port, SOCKET_TIMEOUT_MILLIS));
    transport.open();
    protocol = wire.protocol(transport);
  }

  /** A client of service {@code name} on this connection (calls named {@code "name:method"} on the wire). */
  Service service(String name) {
    return new Service(protocol, new TMultiplexedProtocol(protocol, name));
  }

  @Override
  public void close() {
    transport.close();
  }

  /** What a generated client's method does: {@code sendBase}, then {@code receiveBase}. */
  static final class Service extends TServiceClient {
    Service(TProtocol in, TProtocol out) {
      super(in, out);
    }

    /** Calls {@code method(1: string text)} and returns its string result. */
    String call(String method, String text) throws TException {
      sendBase(method, StringStruct.args(text));
      StringStruct result = StringStruct.result(null);
      receiveBase(result, method);
      if (result.value() == null) {
        throw new TApplicationException(TApplicationException.MISSING_RESULT, method + " failed: unknown result");
      }
      return result.value();
    }
  }
}

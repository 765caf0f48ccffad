package io.metaproxy.it.protocols;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.thrift.TException;
import org.apache.thrift.TMultiplexedProcessor;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.server.ServerContext;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TServerEventHandler;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TTransport;

/**
 * A real libthrift {@link TThreadPoolServer} on a loopback port: a {@link TMultiplexedProcessor} with an echo
 * processor registered under each given service name. Every call of any method is answered with {@code
 * "<server>/<service>/<method>:<text>"}, so a reply names the server, the registered service that dispatched it and
 * the method name the server read. It counts the connections it accepted (through its {@link TServerEventHandler})
 * and the calls it answered.
 */
final class ThriftEchoServer implements AutoCloseable {
  private final String name;
  private final TServerSocket socket;
  private final TServer server;
  private final Thread thread;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger calls = new AtomicInteger();

  private ThriftEchoServer(String name, ThriftWire wire, String... services) throws TException {
    this.name = name;
    socket = new TServerSocket(new InetSocketAddress("127.0.0.1", 0)); // bound (and accepting) from here on
    TMultiplexedProcessor processor = new TMultiplexedProcessor();
    for (String service : services) {
      processor.registerProcessor(service, new EchoProcessor(service));
    }
    server = new TThreadPoolServer(new TThreadPoolServer.Args(socket)
        .processor(processor)
        .protocolFactory(wire.protocolFactory())
        .transportFactory(wire.transportFactory())
        .stopTimeoutVal(1)
        .stopTimeoutUnit(TimeUnit.SECONDS));
    server.setServerEventHandler(new ConnectionCounter());
    thread = new Thread(server::serve, "thrift-" + name + "-" + wire.slug());
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts a server named {@code name} speaking {@code wire}, serving the multiplexed {@code services}. */
  static ThriftEchoServer start(String name, ThriftWire wire, String... services) {
    try {
      return new ThriftEchoServer(name, wire, services);
    } catch (TException e) {
      throw new IllegalStateException("cannot start thrift server " + name, e);
    }
  }

  int port() {
    return socket.getServerSocket().getLocalPort();
  }

  /** Connections accepted so far (each one the server started serving). */
  int connectionsAccepted() {
    return connections.get();
  }

  int callsAnswered() {
    return calls.get();
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

  private final class ConnectionCounter implements TServerEventHandler {
    @Override
    public void preServe() {}

    @Override
    public ServerContext createContext(TProtocol input, TProtocol output) {
      connections.incrementAndGet();
      return null;
    }

    @Override
    public void deleteContext(ServerContext context, TProtocol input, TProtocol output) {}

    @Override
    public void processContext(ServerContext context, TTransport input, TTransport output) {}
  }

  /** One registered service: reads {@code echo_args}, answers {@code echo_result} with the same seqid. */
  private final class EchoProcessor implements TProcessor {
    private final String service;

    EchoProcessor(String service) {
      this.service = service;
    }

    @Override
    public void process(TProtocol in, TProtocol out) throws TException {
      TMessage call = in.readMessageBegin(); // TMultiplexedProcessor has already taken "service:" off the name
      StringStruct args = StringStruct.args(null);
      args.read(in);
      in.readMessageEnd();
      calls.incrementAndGet();
      if (call.type == TMessageType.ONEWAY) {
        return;
      }
      out.writeMessageBegin(new TMessage(call.name, TMessageType.REPLY, call.seqid));
      StringStruct.result(name + "/" + service + "/" + call.name + ":" + args.value()).write(out);
      out.writeMessageEnd();
      out.getTransport().flush();
    }
  }
}

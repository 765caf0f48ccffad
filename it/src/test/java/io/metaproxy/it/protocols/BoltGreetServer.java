package io.metaproxy.it.protocols;

import com.alipay.remoting.BizContext;
import com.alipay.remoting.ConnectionEventType;
import com.alipay.remoting.rpc.RpcServer;
import com.alipay.remoting.rpc.protocol.SyncUserProcessor;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real SOFA Bolt {@link RpcServer} on a loopback port that answers every {@link BoltGreeting.Request} with its
 * name, {@code "hello <name>"} and the header map it saw. It records the names it greeted and counts the
 * connections it accepted (Bolt's CONNECT events).
 */
final class BoltGreetServer implements AutoCloseable {
  final Queue<String> greeted = new ConcurrentLinkedQueue<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final RpcServer server;

  BoltGreetServer(String name) {
    BoltGreeting.install();
    server = new RpcServer("127.0.0.1", 0, false);
    server.addConnectionEventProcessor(ConnectionEventType.CONNECT,
        (remoteAddress, connection) -> connections.incrementAndGet());
    server.registerUserProcessor(new SyncUserProcessor<BoltGreeting.Request>() {
      @Override
      public Object handleRequest(BizContext context, BoltGreeting.Request request) {
        greeted.add(request.name);
        return new BoltGreeting.Reply(name, "hello " + request.name, request.headersSeen);
      }

      @Override
      public String interest() {
        return BoltGreeting.Request.class.getName();
      }
    });
    server.startup();
  }

  int port() {
    return server.port();
  }

  int connectionsAccepted() {
    return connections.get();
  }

  @Override
  public void close() {
    server.shutdown();
  }
}

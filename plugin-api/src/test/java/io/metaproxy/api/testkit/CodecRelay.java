package io.metaproxy.api.testkit;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.ErrorType;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A small stand-in for the metaproxy host, for codec tests (part of the codec contract kit): a loopback listener that relays each client connection to an
 * upstream through a codec pair, the way the host does. Every frame is decoded (and recorded as {@link Seen}); the
 * request id is shifted by {@link #ID_OFFSET} on the way up and restored on the way down, as the host does when it
 * multiplexes; a frame nobody mutated travels as its original bytes with the id patched in place, a mutated one is
 * re-encoded; heartbeats and local error replies are answered by the codec when the test asks for it.
 *
 * <p>Plain blocking sockets, two threads per connection: the point is the codec, not the I/O. Buffers come from the
 * pooled allocator so that Netty's leak detector sees them.
 */
public final class CodecRelay implements AutoCloseable {
  public static final long ID_OFFSET = 1_000_000;
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  /**
   * What the relay decoded: direction ("request" from the client, "response" from the upstream), the frame's first
   * byte (a protocol code or magic), and the metadata.
   */
  public record Seen(String direction, int firstByte, MessageType type, long requestId, String operation,
      Map<String, String> keys) {
    public static Seen of(String direction, Metadata metadata) {
      Map<String, String> keys = new LinkedHashMap<>();
      metadata.forEach(keys::put);
      ByteBuf frame = metadata.originalFrame();
      return new Seen(direction, frame.getUnsignedByte(frame.readerIndex()), metadata.messageType(),
          metadata.requestId(), metadata.operation(), keys);
    }
  }

  /** A local reply the relay sends instead of forwarding a request. */
  public record LocalReply(ErrorType error, String message) {}

  public final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  public volatile Function<Metadata, Mutation> requestMutation = request -> new Mutation();
  public volatile Function<Metadata, Mutation> responseMutation = response -> new Mutation();
  public volatile LocalReply localReply;
  public volatile boolean answerHeartbeats;

  private final CodecFactory factory;
  private final int upstreamPort;
  private final ServerSocket listener;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean closing;

  private record Connection(Socket client, Socket upstream, Codec downstreamCodec, Codec upstreamCodec,
      Map<Long, Long> clientIds) {}

  public CodecRelay(CodecFactory factory, int upstreamPort) throws IOException {
    this.factory = factory;
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("relay-accept", this::acceptLoop);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** The next frame the relay decoded in {@code direction}, waiting up to five seconds. */
  public Seen next(String direction) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      Seen frame = seen.poll(100, TimeUnit.MILLISECONDS);
      if (frame != null && frame.direction().equals(direction)) {
        return frame;
      }
    }
    throw new AssertionError("no " + direction + " frame within 5s; relay failure: " + failure.get());
  }

  /** Sends the codec's heartbeat with {@code requestId} on the first connection's upstream side, as the host does. */
  public void sendHeartbeatUpstream(long requestId) throws IOException {
    Connection connection = connections.get(0);
    ByteBuf out = ALLOC.buffer();
    if (!connection.upstreamCodec().writeHeartbeat(requestId, out)) {
      out.release();
      throw new AssertionError("codec wrote no heartbeat");
    }
    send(connection.upstream(), out);
  }

  private void acceptLoop() {
    while (!closing) {
      try {
        Socket client = listener.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        Connection connection = new Connection(client, upstream, factory.create(), factory.create(),
            new ConcurrentHashMap<>());
        connections.add(connection);
        daemon("relay-up", () -> pump(connection, true));
        daemon("relay-down", () -> pump(connection, false));
      } catch (IOException e) {
        if (!closing) {
          failure.compareAndSet(null, e);
        }
      }
    }
  }

  /** Reads frames from one side, handles each, until the socket closes. */
  private void pump(Connection connection, boolean fromClient) {
    Socket from = fromClient ? connection.client() : connection.upstream();
    Codec decoder = fromClient ? connection.downstreamCodec() : connection.upstreamCodec();
    ByteBuf pending = ALLOC.buffer();
    try (InputStream in = from.getInputStream()) {
      while (pending.writeBytes(in, 8192) >= 0) {
        while (pending.isReadable()) {
          int start = pending.readerIndex();
          Metadata metadata = new Metadata();
          if (decoder.decode(pending, metadata) == DecodeStatus.WAIT_FOR_DATA) {
            pending.readerIndex(start);
            break;
          }
          metadata.attachFrame(pending.retainedSlice(start, pending.readerIndex() - start));
          try {
            if (fromClient) {
              onRequest(connection, metadata);
            } else {
              onResponse(connection, metadata);
            }
          } finally {
            metadata.release();
          }
        }
        pending.discardSomeReadBytes();
      }
    } catch (IOException e) {
      // the peer or the test closed the connection: the normal end of a relay
    } catch (CodecException | RuntimeException | Error e) {
      failure.compareAndSet(null, e);
    } finally {
      pending.release();
      closeQuietly(connection.client());
      closeQuietly(connection.upstream());
    }
  }

  private void onRequest(Connection connection, Metadata request) throws IOException {
    seen.add(Seen.of("request", request));
    Codec codec = connection.downstreamCodec();
    if (request.messageType() == MessageType.HEARTBEAT && answerHeartbeats) {
      ByteBuf reply = ALLOC.buffer();
      if (codec.replyToHeartbeat(request, reply)) {
        send(connection.client(), reply);
      } else {
        reply.release();
      }
      return;
    }
    LocalReply reply = localReply;
    if (reply != null && request.messageType().isRequest()) {
      ByteBuf out = ALLOC.buffer();
      codec.onError(request, reply.error(), reply.message(), out);
      send(connection.client(), out);
      return;
    }
    long upstreamId = request.requestId() + ID_OFFSET;
    connection.clientIds().put(upstreamId, request.requestId());
    request.setRequestId(upstreamId);
    forward(request, requestMutation.apply(request), connection.upstreamCodec(), connection.upstream());
  }

  private void onResponse(Connection connection, Metadata response) throws IOException {
    seen.add(Seen.of("response", response));
    Long clientId = connection.clientIds().remove(response.requestId());
    if (clientId == null) {
      return; // the answer to the relay's own heartbeat: swallowed, as the host does
    }
    response.setRequestId(clientId);
    forward(response, responseMutation.apply(response), connection.downstreamCodec(), connection.client());
  }

  private void forward(Metadata message, Mutation mutation, Codec encoder, Socket to) throws IOException {
    if (mutation.isEmpty()) {
      ByteBuf frame = message.originalFrame();
      if (!encoder.rewriteRequestId(frame, message.requestId())) {
        throw new AssertionError("codec cannot rewrite the request id in place");
      }
      send(to, frame.retainedDuplicate());
    } else {
      ByteBuf out = ALLOC.buffer();
      encoder.encode(message, mutation, out);
      send(to, out);
    }
  }

  /** Writes and releases {@code buf}. */
  private static void send(Socket to, ByteBuf buf) throws IOException {
    try {
      synchronized (to) {
        OutputStream out = to.getOutputStream();
        buf.readBytes(out, buf.readableBytes());
        out.flush();
      }
    } finally {
      buf.release();
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** Closes everything; fails when a relay thread failed (a decode error, say). */
  @Override
  public void close() throws IOException {
    closing = true;
    listener.close();
    for (Connection connection : connections) {
      closeQuietly(connection.client());
      closeQuietly(connection.upstream());
    }
    Throwable failed = failure.get();
    if (failed != null) {
      throw new AssertionError("relay failed", failed);
    }
  }
}

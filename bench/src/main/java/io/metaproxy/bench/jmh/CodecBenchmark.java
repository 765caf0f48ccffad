package io.metaproxy.bench.jmh;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A codec's per-message work as the host does it, on the load generator's own request and response frames:
 *
 * <ul>
 *   <li>{@code decodeRequest}, {@code decodeResponse}: decode into a fresh Metadata (what every message costs);
 *   <li>{@code forwardUnmutated}: decode, attach the original frame as a retained slice, release: the path of a message
 *       no filter changed (the bytes go out as they came);
 *   <li>{@code encodeMutated}: encode an already decoded request with one attachment set;
 *   <li>{@code decodeMutateEncode}: the whole request path when a filter sets one attachment;
 *   <li>{@code rewriteRequestId}: patching the id in place, as multiplexing onto a shared upstream connection needs.
 * </ul>
 *
 * Run: {@code java -jar bench/target/metaproxy-bench.jar jmh CodecBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class CodecBenchmark {
  @Param("dubbo")
  String protocol;

  @Param("1024")
  int payload;

  private Codec codec;
  private ByteBuf request;
  private ByteBuf response;
  private ByteBuf out;
  private Metadata decodedRequest;
  private final Mutation mutation = new Mutation();
  private long nextId = 1;

  @Setup(Level.Trial)
  public void setUp() throws IOException, CodecException {
    codec = Codecs.named(protocol).create();
    BenchProtocol wire = BenchProtocol.named(protocol);
    request = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(wire.request(RequestShape.echo(payload)));
    wire.writeRequestId(request, 0, 42);
    response = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(wire.response(payload));
    wire.writeRequestId(response, 0, 42);
    out = PooledByteBufAllocator.DEFAULT.directBuffer(request.readableBytes() * 2);
    mutation.set("x-bench", "mutated");
    decodedRequest = decodeAttached(request);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    decodedRequest.release();
    request.release();
    response.release();
    out.release();
  }

  @Benchmark
  public Metadata decodeRequest() throws CodecException {
    return decode(request);
  }

  @Benchmark
  public Metadata decodeResponse() throws CodecException {
    return decode(response);
  }

  @Benchmark
  public int forwardUnmutated() throws CodecException {
    Metadata metadata = decodeAttached(request);
    int size = metadata.frameSize();
    metadata.release();
    return size;
  }

  @Benchmark
  public int encodeMutated() {
    out.clear();
    codec.encode(decodedRequest, mutation, out);
    return out.writerIndex();
  }

  @Benchmark
  public int decodeMutateEncode() throws CodecException {
    Metadata metadata = decodeAttached(request);
    out.clear();
    codec.encode(metadata, mutation, out);
    metadata.release();
    return out.writerIndex();
  }

  @Benchmark
  public boolean rewriteRequestId() {
    return codec.rewriteRequestId(request, nextId++);
  }

  private Metadata decode(ByteBuf frame) throws CodecException {
    frame.readerIndex(0);
    Metadata metadata = new Metadata();
    if (codec.decode(frame, metadata) != DecodeStatus.DONE) {
      throw new IllegalStateException(protocol + " codec did not decode a whole frame");
    }
    return metadata;
  }

  private Metadata decodeAttached(ByteBuf frame) throws CodecException {
    Metadata metadata = decode(frame);
    metadata.attachFrame(frame.retainedSlice(0, frame.readerIndex()));
    return metadata;
  }
}

package io.metaproxy.bench.jmh.host;

import io.metaproxy.api.Codec;
import io.metaproxy.api.CodecException;
import io.metaproxy.api.DecodeStatus;
import io.metaproxy.api.Metadata;
import io.metaproxy.bench.protocol.BenchProtocol;
import io.metaproxy.bench.protocol.RequestShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * One request of the load generator, decoded once by the real codec, from which a benchmark makes a fresh {@link
 * Metadata} per operation without decoding again: the key/values, ids, operation and codec state copied, and the
 * frame attached as a retained duplicate (so the exchange's release of it costs what the host's release of a
 * retained slice costs). What decoding costs is {@code CodecBenchmark}'s business.
 *
 * <p>Buffer ownership: the template owns its frame until {@link #close()}; each {@link #newRequest} Metadata owns one
 * reference to it, which whoever takes the Metadata releases.
 */
public final class RequestTemplate implements AutoCloseable {
  private final ByteBuf frame;
  private final Metadata decoded;
  private final String[] keys;
  private final String[] values;

  /**
   * Encodes {@code shape} as the load generator does, with request id {@code requestId}, and decodes it with {@code
   * codec}.
   */
  public RequestTemplate(BenchProtocol protocol, Codec codec, RequestShape shape, long requestId)
      throws CodecException {
    frame = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(protocol.request(shape));
    protocol.writeRequestId(frame, 0, requestId);
    decoded = new Metadata();
    try {
      if (codec.decode(frame.duplicate(), decoded) != DecodeStatus.DONE) {
        throw new IllegalStateException(protocol.name() + " codec did not decode the whole request");
      }
    } catch (CodecException | RuntimeException e) {
      frame.release();
      throw e;
    }
    List<String> keyList = new ArrayList<>();
    List<String> valueList = new ArrayList<>();
    decoded.forEach((key, value) -> {
      keyList.add(key);
      valueList.add(value);
    });
    keys = keyList.toArray(String[]::new);
    values = valueList.toArray(String[]::new);
  }

  /** The decoded request (no frame attached); do not change it. */
  public Metadata decoded() {
    return decoded;
  }

  /** A new Metadata equal to the decoded request, owning one reference to the frame. */
  public Metadata newRequest() {
    Metadata metadata = new Metadata();
    metadata.setMessageType(decoded.messageType());
    metadata.setRequestId(decoded.requestId());
    metadata.setStreamId(decoded.streamId());
    metadata.setHeaderSize(decoded.headerSize());
    metadata.setBodySize(decoded.bodySize());
    metadata.setOperation(decoded.operation());
    metadata.setCodecState(decoded.codecState());
    for (int i = 0; i < keys.length; i++) {
      metadata.put(keys[i], values[i]);
    }
    metadata.attachFrame(frame.retainedDuplicate());
    return metadata;
  }

  /** References to the frame: 1 when every Metadata made from it has been released. */
  public int frameReferences() {
    return frame.refCnt();
  }

  @Override
  public void close() {
    frame.release();
  }
}

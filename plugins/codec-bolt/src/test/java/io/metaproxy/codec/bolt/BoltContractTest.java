package io.metaproxy.codec.bolt;

import com.alipay.remoting.ResponseStatus;
import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.testkit.CodecContractTest;
import java.util.Map;

/**
 * The host contract (plugin-api's {@link CodecContractTest}) on Bolt v1 frames made by Bolt's own encoder: a
 * SOFA-style request with a header map, and a response with one.
 */
class BoltContractTest extends CodecContractTest {
  static final int REQUEST_ID = 42;

  /** The protocol version of the sample frames. */
  int version() {
    return 1;
  }

  @Override
  protected CodecFactory codecFactory() {
    return new BoltCodecFactory();
  }

  @Override
  protected byte[] sampleRequest() {
    try {
      return BoltFrames.request(version(), REQUEST_ID, SofaStyle.request("alice", Map.of("x-user", "alice")));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  protected long sampleRequestId() {
    return REQUEST_ID;
  }

  @Override
  protected byte[] sampleResponse() {
    try {
      return BoltFrames.response(version(), REQUEST_ID, ResponseStatus.SUCCESS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A request whose contentLen is negative (Bolt has no other limit of its own). */
  @Override
  protected byte[] frameWithOversizedLength() {
    byte[] frame = sampleRequest();
    int contentLengthAt = (version() == 1 ? BoltLayout.V1_REQUEST : BoltLayout.V2_REQUEST).lengthsAt + 4;
    frame[contentLengthAt] = (byte) 0x80;
    return frame;
  }

  @Override
  protected String mutableRequestKey() {
    return "x-user";
  }
}

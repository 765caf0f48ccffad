package io.metaproxy.codec.example;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.testkit.CodecContractTest;
import java.util.Map;

/**
 * The host contract (plugin-api's {@link CodecContractTest}) for the example codec, on frames written by {@link
 * Frame}, the protocol's independent test implementation. A codec author's contract test looks just like this.
 */
class ExampleContractTest extends CodecContractTest {

  @Override
  protected CodecFactory codecFactory() {
    return new ExampleCodecFactory();
  }

  @Override
  protected byte[] sampleRequest() {
    return Frame.of(Frame.REQUEST, 42, Map.of("method", "greet", "user", "alice"), "alice").toBytes();
  }

  @Override
  protected long sampleRequestId() {
    return 42;
  }

  @Override
  protected byte[] sampleResponse() {
    return Frame.of(Frame.RESPONSE, 42, Map.of("served-by", "example-server"), "hello alice").toBytes();
  }

  /** The request with a body length of -1 (0xFFFFFFFF). */
  @Override
  protected byte[] frameWithOversizedLength() {
    byte[] frame = Frame.of(Frame.REQUEST, 42, Map.of("method", "greet"), "").toBytes();
    for (int i = frame.length - 4; i < frame.length; i++) {
      frame[i] = (byte) 0xFF;
    }
    return frame;
  }

  @Override
  protected String mutableRequestKey() {
    return "user";
  }
}

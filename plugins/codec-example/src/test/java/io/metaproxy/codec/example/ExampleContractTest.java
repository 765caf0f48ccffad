package io.metaproxy.codec.example;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.testkit.CodecContractTest;
import java.nio.ByteBuffer;
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

  /** A request whose body length is one byte over the limit; the body itself never comes. */
  @Override
  protected byte[] frameWithOversizedLength() {
    byte[] frame = Frame.of(Frame.REQUEST, 42, Map.of("method", "greet"), "").toBytes();
    ByteBuffer.wrap(frame).putInt(frame.length - 4, ExampleCodec.MAX_BODY_BYTES + 1);
    return frame;
  }

  @Override
  protected String mutableRequestKey() {
    return "user";
  }
}

package io.metaproxy.codec.dubbo;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.testkit.CodecContractTest;
import java.util.Arrays;
import java.util.Map;

/** The Dubbo codec against the codec contract, with frames real Dubbo wrote. */
class DubboCodecContractTest extends CodecContractTest {
  private static final long ID = 0x1234_5678_9abcL;
  private static final byte[] REQUEST = RealDubbo.encode(RealDubbo.greetRequest(ID));
  private static final byte[] RESPONSE = RealDubbo.encode(
      RealDubbo.response(ID, RealDubbo.greeting(Map.of("x-served-by", "v1")), RealDubbo.DUBBO_VERSION));

  @Override
  protected CodecFactory codecFactory() {
    return new DubboCodecFactory();
  }

  @Override
  protected byte[] sampleRequest() {
    return REQUEST;
  }

  @Override
  protected long sampleRequestId() {
    return ID;
  }

  @Override
  protected byte[] sampleResponse() {
    return RESPONSE;
  }

  @Override
  protected byte[] frameWithOversizedLength() {
    byte[] header = Arrays.copyOf(REQUEST, 16);
    header[12] = 0x7f; // about 2 GiB
    return header;
  }

  @Override
  protected String mutableRequestKey() {
    return "x-tenant";
  }
}

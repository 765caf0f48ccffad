package io.metaproxy.codec.thrift;

import io.metaproxy.codec.thrift.LibThrift.Wire;

/** The codec contract over unframed compact, where the codec finds a message's end by skipping its body. */
class ThriftUnframedCompactContractTest extends ThriftContractTest {

  @Override
  Wire wire() {
    return Wire.UNFRAMED_COMPACT;
  }

  /** A CALL "add" whose first field, a string, announces 2^31-1 bytes. */
  @Override
  protected byte[] frameWithOversizedLength() {
    return new byte[] {(byte) 0x82, 0x21, 0x01, 0x03, 'a', 'd', 'd', 0x18, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, 0x07};
  }
}

package io.metaproxy.codec.thrift;

import io.metaproxy.codec.thrift.LibThrift.Wire;

/** The codec contract over framed binary, the format non-blocking libthrift servers require. */
class ThriftFramedBinaryContractTest extends ThriftContractTest {

  @Override
  Wire wire() {
    return Wire.FRAMED_BINARY;
  }

  @Override
  protected byte[] frameWithOversizedLength() {
    return new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x80, 0x01, 0x00, 0x01};
  }
}

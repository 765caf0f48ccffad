package io.metaproxy.codec.bolt;

/** The host contract on Bolt v2 frames with the CRC switch on, as Bolt's client sends them by default. */
class BoltV2ContractTest extends BoltContractTest {

  @Override
  int version() {
    return 2;
  }
}

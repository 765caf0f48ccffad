package io.metaproxy.codec.thrift;

import io.metaproxy.api.CodecFactory;
import io.metaproxy.api.testkit.CodecContractTest;
import io.metaproxy.codec.thrift.LibThrift.Wire;
import java.lang.reflect.Method;
import java.util.Map;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TMessageType;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The host's codec contract (plugin-api's test kit) run against the Thrift codec, with frames from real libthrift:
 * a multiplexed CALL and its REPLY. {@code service} is the key a mutation can replace and remove on the wire.
 *
 * <p>Two checks of the kit cannot hold for Thrift and are disabled with the reason shown in the report: they require
 * an arbitrary added key to survive on the wire, and Thrift binary/compact messages have no header map (the codec
 * ignores such keys, which {@link ThriftCodecTest} checks).
 */
@ExtendWith(ThriftContractTest.NoHeaderMap.class)
abstract class ThriftContractTest extends CodecContractTest {

  private static final int SEQ_ID = 17;

  abstract Wire wire();

  @Override
  protected CodecFactory codecFactory() {
    return new ThriftCodecFactory();
  }

  @Override
  protected byte[] sampleRequest() {
    try {
      return LibThrift.message(wire(), "Calculator", "add", TMessageType.CALL, SEQ_ID);
    } catch (TException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  protected long sampleRequestId() {
    return SEQ_ID;
  }

  @Override
  protected byte[] sampleResponse() {
    try {
      return LibThrift.message(wire(), null, "add", TMessageType.REPLY, SEQ_ID);
    } catch (TException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  protected String mutableRequestKey() {
    return ThriftCodec.SERVICE;
  }

  @Override
  protected boolean responsesCarryMutations() {
    return false; // a Thrift reply has no header map either
  }

  /** Disables the kit's checks that need a header map Thrift does not have. */
  static final class NoHeaderMap implements ExecutionCondition {
    private static final Map<String, String> UNSUPPORTED = Map.of(
        "addedKeySurvivesReDecodingTheRequest",
        "Thrift binary/compact messages have no header map: an arbitrary added key cannot reach the wire",
        "encodeAppendsAtTheWriterIndexOfOut",
        "asserts that an arbitrary added key reaches the wire, which Thrift cannot carry");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getTestMethod().map(Method::getName).filter(UNSUPPORTED::containsKey)
          .map(name -> ConditionEvaluationResult.disabled(UNSUPPORTED.get(name)))
          .orElse(ConditionEvaluationResult.enabled("supported by the Thrift codec"));
    }
  }
}

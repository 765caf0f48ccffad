package io.metaproxy.codec.dubbo;

import io.metaproxy.api.ErrorType;

/** The constants of the Dubbo exchange protocol (the 16-byte header) and of DubboCodec's bodies. */
final class DubboProtocol {
  static final int HEADER_LENGTH = 16;
  static final byte MAGIC_HIGH = (byte) 0xda;
  static final byte MAGIC_LOW = (byte) 0xbb;

  /** Header offsets. */
  static final int FLAG_OFFSET = 2;
  static final int STATUS_OFFSET = 3;
  static final int ID_OFFSET = 4;
  static final int LENGTH_OFFSET = 12;

  static final int FLAG_REQUEST = 0x80;
  static final int FLAG_TWO_WAY = 0x40;
  static final int FLAG_EVENT = 0x20;
  static final int SERIALIZATION_MASK = 0x1f;
  static final int HESSIAN2 = 2;

  /** Response statuses (org.apache.dubbo.remoting.exchange.Response). */
  static final byte OK = 20;
  static final byte SERVER_TIMEOUT = 31;
  static final byte BAD_REQUEST = 40;
  static final byte SERVICE_NOT_FOUND = 60;
  static final byte SERVICE_ERROR = 70;
  static final byte SERVER_ERROR = 80;
  static final byte SERVER_THREADPOOL_EXHAUSTED_ERROR = 100;

  /** Response body flags (org.apache.dubbo.rpc.protocol.dubbo.DubboCodec). */
  static final int RESPONSE_WITH_EXCEPTION = 0;
  static final int RESPONSE_VALUE = 1;
  static final int RESPONSE_NULL_VALUE = 2;
  static final int RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS = 3;
  static final int RESPONSE_VALUE_WITH_ATTACHMENTS = 4;
  static final int RESPONSE_NULL_VALUE_WITH_ATTACHMENTS = 5;

  /** Dubbo's default payload limit (the {@code payload} URL parameter), 8 MiB. */
  static final int DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

  private DubboProtocol() {}

  static boolean hasAttachments(int responseFlag) {
    return responseFlag >= RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS;
  }

  static boolean hasValue(int responseFlag) {
    return responseFlag != RESPONSE_NULL_VALUE && responseFlag != RESPONSE_NULL_VALUE_WITH_ATTACHMENTS;
  }

  /** The flag of the same response with an attachments map at its end. */
  static int withAttachments(int responseFlag) {
    return hasAttachments(responseFlag) ? responseFlag : responseFlag + 3;
  }

  /**
   * The status of the error response that answers a request the proxy could not forward. Dubbo's consumer turns
   * SERVER_TIMEOUT into a TimeoutException and every other non-OK status into a RemotingException; both reach the
   * caller as an RpcException carrying the response's message.
   */
  static byte statusFor(ErrorType error) {
    return switch (error) {
      case ROUTE_NOT_FOUND, CLUSTER_NOT_FOUND, NO_HEALTHY_UPSTREAM -> SERVICE_NOT_FOUND;
      case UPSTREAM_FAILURE, UNAUTHORIZED -> SERVICE_ERROR;
      case TIMEOUT -> SERVER_TIMEOUT;
      case OVER_LIMIT -> SERVER_THREADPOOL_EXHAUSTED_ERROR;
      case BAD_REQUEST -> BAD_REQUEST;
      case SCRIPT_ERROR, UNSPECIFIED -> SERVER_ERROR;
    };
  }
}

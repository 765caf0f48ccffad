package io.metaproxy.codec.bolt;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The content of a Bolt error response: a {@code com.alipay.remoting.rpc.exception.RpcServerException} carrying a
 * message, serialized as Hessian 2 the way SOFA's Hessian writes objects, which is what a stock Bolt server sends
 * when a request fails. Bolt's client deserializes it and throws {@code InvokeServerException} with it as the cause,
 * so the message reaches the application as {@code exception.getCause().getMessage()}.
 *
 * <p>Only the {@code detailMessage} field is written: Hessian's deserializer constructs the exception and sets the
 * fields the stream names, so cause, stack trace and suppressed exceptions keep their constructor defaults. This
 * saves the codec a dependency on a Hessian library for one fixed shape.
 */
final class RpcServerExceptionBody {
  /** The class name the response frame declares; the client deserializes the content as this class. */
  static final String CLASS_NAME = "com.alipay.remoting.rpc.exception.RpcServerException";
  static final byte[] CLASS_NAME_BYTES = CLASS_NAME.getBytes(StandardCharsets.US_ASCII);

  /**
   * Longer messages are cut: a reason for people fits in far less, and Hessian strings up to this length need no
   * chunking (SOFA's Hessian splits strings only past 0x8000 chars).
   */
  static final int MAX_MESSAGE_CHARS = 4096;

  /** Hessian: an object definition ('O', the type, the field count, the field names), then an instance of it ('o' 0). */
  private static final byte[] PREFIX = prefix();

  private RpcServerExceptionBody() {}

  /** Writes the serialized exception with {@code message} to {@code out}. */
  static void write(ByteBuf out, String message) {
    out.writeBytes(PREFIX);
    writeString(out, message.length() > MAX_MESSAGE_CHARS ? truncate(message) : message);
  }

  private static byte[] prefix() {
    byte[] bytes = new byte[128];
    int at = 0;
    bytes[at++] = 'O';
    at = writeInt(bytes, at, CLASS_NAME.length()); // the type: an int length, then its chars
    for (byte b : CLASS_NAME_BYTES) {
      bytes[at++] = b;
    }
    at = writeInt(bytes, at, 1); // one field
    String field = "detailMessage";
    bytes[at++] = (byte) field.length(); // a short string: its length in one byte
    for (char c : field.toCharArray()) {
      bytes[at++] = (byte) c;
    }
    bytes[at++] = 'o';
    at = writeInt(bytes, at, 0); // an instance of definition 0
    return java.util.Arrays.copyOf(bytes, at);
  }

  /** Hessian's compact ints for the small values used here: one byte for -16..47, two bytes up to 2047. */
  private static int writeInt(byte[] bytes, int at, int value) {
    if (value >= -16 && value <= 47) {
      bytes[at++] = (byte) (0x90 + value);
    } else {
      bytes[at++] = (byte) (0xc8 + (value >> 8));
      bytes[at++] = (byte) value;
    }
    return at;
  }

  /**
   * A Hessian string: its length in UTF-16 chars (one byte up to 31, else 'S' and two bytes), then each char in
   * UTF-8 on its own; Hessian encodes the two halves of a surrogate pair separately, and its reader expects that.
   */
  private static void writeString(ByteBuf out, String text) {
    int length = text.length();
    if (length <= 31) {
      out.writeByte(length);
    } else {
      out.writeByte('S');
      out.writeShort(length);
    }
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        out.writeByte(c);
      } else if (c < 0x800) {
        out.writeByte(0xc0 | (c >> 6));
        out.writeByte(0x80 | (c & 0x3f));
      } else {
        out.writeByte(0xe0 | (c >> 12));
        out.writeByte(0x80 | ((c >> 6) & 0x3f));
        out.writeByte(0x80 | (c & 0x3f));
      }
    }
  }

  private static String truncate(String message) {
    int end = MAX_MESSAGE_CHARS;
    if (Character.isHighSurrogate(message.charAt(end - 1))) {
      end--; // never split a surrogate pair
    }
    return message.substring(0, end);
  }
}

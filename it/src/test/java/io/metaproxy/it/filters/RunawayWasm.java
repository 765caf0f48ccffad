package io.metaproxy.it.filters;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A WASM filter (metaproxy ABI) that never returns from {@code on_request} when the request's {@code method} is 10
 * bytes long ({@code sayGoodbye}; the other GreetingService methods are {@code sayHello} and {@code greet}), and lets
 * every other request through. Its WebAssembly text:
 *
 * <pre>
 * (module
 *   (import "metaproxy" "get" (func $get (param i32 i32 i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (data (i32.const 0) "method")
 *   (func (export "on_request") (result i32)
 *     (local $length i32)
 *     (local.set $length (call $get (i32.const 0) (i32.const 6) (i32.const 64) (i32.const 64)))
 *     (if (i32.eq (local.get $length) (i32.const 10))
 *       (then (loop $forever (br $forever))))
 *     (i32.const 0)))   ;; MP_CONTINUE
 * </pre>
 *
 * Written out in binary here because the distribution's wasm engine loads text only with wabt on its class path,
 * which it does not ship, and the build has no wat2wasm.
 */
final class RunawayWasm {
  private static final byte I32 = 0x7f;
  private static final byte FUNC_TYPE = 0x60;

  private RunawayWasm() {}

  static byte[] module() {
    ByteArrayOutputStream module = new ByteArrayOutputStream();
    module.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}); // "\0asm", version 1

    // types: 0 = (i32 i32 i32 i32) -> i32 (metaproxy.get), 1 = () -> i32 (on_request)
    section(module, 1, bytes(2, FUNC_TYPE, 4, I32, I32, I32, I32, 1, I32, FUNC_TYPE, 0, 1, I32));
    // imports: function 0 = metaproxy.get, of type 0
    ByteArrayOutputStream imports = new ByteArrayOutputStream();
    imports.write(1);
    name(imports, "metaproxy");
    name(imports, "get");
    imports.writeBytes(bytes(0x00, 0)); // a function, of type 0
    section(module, 2, imports.toByteArray());
    // functions: function 1 (the first defined one) has type 1
    section(module, 3, bytes(1, 1));
    // memory 0: at least one 64 KiB page, no maximum
    section(module, 5, bytes(1, 0x00, 1));
    // exports: on_request = function 1, memory = memory 0
    ByteArrayOutputStream exports = new ByteArrayOutputStream();
    exports.write(2);
    name(exports, "on_request");
    exports.writeBytes(bytes(0x00, 1));
    name(exports, "memory");
    exports.writeBytes(bytes(0x02, 0));
    section(module, 7, exports.toByteArray());
    // code: on_request
    byte[] body = bytes(
        1, 1, I32, // one local: i32 $length
        0x41, 0, 0x41, 6, 0x41, 0xc0, 0x00, 0x41, 0xc0, 0x00, // i32.const 0, 6, 64, 64 (64 is 0xc0 0x00 in SLEB128)
        0x10, 0, // call $get
        0x21, 0, // local.set $length
        0x20, 0, 0x41, 10, 0x46, // local.get $length, i32.const 10, i32.eq
        0x04, 0x40, // if (no result)
        0x03, 0x40, 0x0c, 0, 0x0b, // loop, br 0 (back to the loop's start), end
        0x0b, // end if
        0x41, 0, // i32.const 0 (MP_CONTINUE)
        0x0b); // end
    ByteArrayOutputStream code = new ByteArrayOutputStream();
    code.write(1);
    unsigned(code, body.length);
    code.writeBytes(body);
    section(module, 10, code.toByteArray());
    // data: "method" at address 0 of memory 0
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes(bytes(1, 0x00, 0x41, 0, 0x0b));
    name(data, "method");
    section(module, 11, data.toByteArray());
    return module.toByteArray();
  }

  private static void section(ByteArrayOutputStream module, int id, byte[] content) {
    module.write(id);
    unsigned(module, content.length);
    module.writeBytes(content);
  }

  /** A length-prefixed UTF-8 string, as names and data segments are written. */
  private static void name(ByteArrayOutputStream out, String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    unsigned(out, utf8.length);
    out.writeBytes(utf8);
  }

  /** Unsigned LEB128. */
  private static void unsigned(ByteArrayOutputStream out, int value) {
    do {
      int low = value & 0x7f;
      value >>>= 7;
      out.write(value == 0 ? low : low | 0x80);
    } while (value != 0);
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }
}

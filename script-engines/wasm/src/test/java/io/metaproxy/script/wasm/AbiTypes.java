package io.metaproxy.script.wasm;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.Locale;

/** The metaproxy ABI's host function types as WebAssembly text, for tests outside this package. */
public final class AbiTypes {
  private AbiTypes() {}

  /** {@code " (param i32 i32) (result i32)"} for host function {@code name}. */
  public static String watSignature(String name) {
    FunctionType type = MetaproxyAbiFilter.SIGNATURES.get(name);
    if (type == null) {
      throw new IllegalArgumentException("no host function " + name);
    }
    return watSignature(type);
  }

  static String watSignature(FunctionType type) {
    StringBuilder wat = new StringBuilder();
    if (!type.params().isEmpty()) {
      wat.append(" (param");
      type.params().forEach(p -> wat.append(' ').append(wat(p)));
      wat.append(')');
    }
    if (!type.returns().isEmpty()) {
      wat.append(" (result ").append(wat(type.returns().get(0))).append(')');
    }
    return wat.toString();
  }

  private static String wat(ValType type) {
    return type.toString().toLowerCase(Locale.ROOT);
  }
}

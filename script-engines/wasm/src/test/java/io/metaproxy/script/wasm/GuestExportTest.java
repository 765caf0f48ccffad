package io.metaproxy.script.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Calls through reused argument arrays, including calls that re-enter the export whose array is in use. */
class GuestExportTest {
  /**
   * {@code f(a, b, c)} returns {@code a * 100 + b * 10 + c}; when {@code a} is 1 it first calls the host's {@code
   * reenter}, which calls {@code f} again with other arguments through the same GuestExport, and reads its own
   * parameters only after that call has returned.
   */
  private static final String MODULE =
      """
      (module
        (import "env" "reenter" (func $reenter))
        (func (export "f") (param $a i32) (param $b i32) (param $c i32) (result i32)
          (if (i32.eq (local.get $a) (i32.const 1)) (then (call $reenter)))
          (i32.add (i32.add (i32.mul (local.get $a) (i32.const 100)) (i32.mul (local.get $b) (i32.const 10)))
            (local.get $c)))
        (func (export "g") (param $a i32) (result i32) (i32.mul (local.get $a) (i32.const 2)))
        (func (export "h") (result i32) (i32.const 7))
        (func (export "k") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))
      """;

  private final List<Long> innerResults = new ArrayList<>();
  private GuestExport f;

  private Instance instantiate() {
    WasmModule module = Parser.parse(WatCompiler.compile("guest-export.wat", MODULE.getBytes(StandardCharsets.UTF_8)));
    HostFunction reenter =
        new HostFunction(
            "env",
            "reenter",
            FunctionType.of(List.<ValType>of(), List.<ValType>of()),
            (instance, args) -> {
              innerResults.add(f.call(4, 5, 6)[0]);
              return null;
            });
    return Instance.builder(module)
        .withImportValues(ImportValues.builder().addFunction(reenter).build())
        .withMachineFactory(MachineFactoryCompiler.builder(module).compile())
        .build();
  }

  @Test
  void aCallThatReentersTheSameExportKeepsItsOwnArguments() {
    Instance instance = instantiate();
    f = GuestExport.of(instance, "f");
    assertThat(f.call(1, 2, 3)[0]).as("the outer call, after the inner one reused its array").isEqualTo(123);
    assertThat(innerResults).containsExactly(456L);
    assertThat(f.call(7, 8, 9)[0]).as("and the array serves the next call").isEqualTo(789);
  }

  @Test
  void everyArityPassesItsArguments() {
    Instance instance = instantiate();
    assertThat(GuestExport.of(instance, "g").call(21)[0]).isEqualTo(42);
    assertThat(GuestExport.of(instance, "h").call()[0]).isEqualTo(7);
    assertThat(GuestExport.of(instance, "k").call(50, 8)[0]).isEqualTo(42);
    GuestExport g = GuestExport.of(instance, "g");
    for (int i = 0; i < 100; i++) {
      assertThat(g.call(i)[0]).isEqualTo(2L * i);
    }
  }
}

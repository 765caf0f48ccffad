package io.metaproxy.script.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import io.metaproxy.script.ScriptFailure;
import io.metaproxy.script.ScriptSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One version of a WASM filter's module, parsed, validated and compiled to JVM bytecode: what every event loop's
 * filter instantiates. Immutable and shared between threads (Chicory's parsed module and compiled machine factory are
 * read-only); built once per (path, content hash) through the factory's cache.
 *
 * <p>Compilation is Chicory's ahead-of-time compiler ({@link MachineFactoryCompiler}): each WASM function becomes a JVM
 * method once, at load, and the JIT takes it from there. A function too large for one JVM method runs in Chicory's
 * interpreter instead (Chicory logs a warning naming it); everything else never touches the interpreter.
 */
final class WasmProgram {
  private static final byte[] WASM_MAGIC = {0, 'a', 's', 'm'};

  private final String scriptName;
  private final WasmModule module;
  private final Function<Instance, Machine> machineFactory;
  private final Map<String, FunctionType> exportedFunctions;
  private final Map<String, FunctionType> importedFunctions;

  private WasmProgram(String scriptName, WasmModule module, Function<Instance, Machine> machineFactory) {
    this.scriptName = scriptName;
    this.module = module;
    this.machineFactory = machineFactory;
    this.exportedFunctions = exportedFunctions(module);
    this.importedFunctions = importedFunctions(module);
  }

  /**
   * Parses and compiles the script of {@code settings}: a WASM binary, or WebAssembly text when wabt is on the class
   * path.
   *
   * @throws IllegalArgumentException naming the file: {@code filters/x.wasm: invalid module: ...}
   */
  static WasmProgram load(ScriptSettings settings) {
    String name = settings.scriptName();
    byte[] bytes = settings.content();
    if (!startsWith(bytes, WASM_MAGIC)) {
      if (!WatCompiler.available()) {
        throw new IllegalArgumentException(
            ScriptFailure.format(
                name,
                0,
                "invalid module: not a WebAssembly binary (no \\0asm header); WebAssembly text needs"
                    + " com.dylibso.chicory:wabt on the class path"));
      }
      bytes = WatCompiler.compile(name, bytes);
    }
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(ScriptFailure.format(name, 0, "invalid module: " + e.getMessage()), e);
    }
    Function<Instance, Machine> machineFactory;
    try {
      machineFactory =
          MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.WARN).compile();
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalArgumentException(ScriptFailure.format(name, 0, "invalid module: " + e.getMessage()), e);
    }
    return new WasmProgram(name, module, machineFactory);
  }

  /** The ABI the module is written against, by its exports: proxy-wasm modules export {@code proxy_on_*}. */
  Abi detectAbi() {
    for (String export : exportedFunctions.keySet()) {
      if (export.equals("proxy_on_context_create") || export.startsWith("proxy_abi_version_")) {
        return Abi.PROXY_WASM;
      }
    }
    return Abi.METAPROXY;
  }

  String scriptName() {
    return scriptName;
  }

  WasmModule module() {
    return module;
  }

  Function<Instance, Machine> machineFactory() {
    return machineFactory;
  }

  /** Exported functions by name, with their types. */
  Map<String, FunctionType> exportedFunctions() {
    return exportedFunctions;
  }

  /** Imported functions as {@code module.name}, with their types, in import order. */
  Map<String, FunctionType> importedFunctions() {
    return importedFunctions;
  }

  private static Map<String, FunctionType> exportedFunctions(WasmModule module) {
    Map<String, FunctionType> exports = new LinkedHashMap<>();
    ExportSection section = module.exportSection();
    int importedCount = module.importSection().count(ExternalType.FUNCTION);
    for (int i = 0; i < section.exportCount(); i++) {
      Export export = section.getExport(i);
      if (export.exportType() == ExternalType.FUNCTION) {
        exports.put(export.name(), functionType(module, export.index(), importedCount));
      }
    }
    return Collections.unmodifiableMap(exports);
  }

  private static Map<String, FunctionType> importedFunctions(WasmModule module) {
    Map<String, FunctionType> imports = new LinkedHashMap<>();
    module
        .importSection()
        .stream()
        .filter(FunctionImport.class::isInstance)
        .map(FunctionImport.class::cast)
        .forEach(
            function ->
                imports.put(qualifiedName(function), module.typeSection().getType(function.typeIndex())));
    return Collections.unmodifiableMap(imports);
  }

  private static FunctionType functionType(WasmModule module, int functionIndex, int importedCount) {
    if (functionIndex < importedCount) {
      int seen = 0;
      for (int i = 0; i < module.importSection().importCount(); i++) {
        Import candidate = module.importSection().getImport(i);
        if (candidate instanceof FunctionImport function && seen++ == functionIndex) {
          return module.typeSection().getType(function.typeIndex());
        }
      }
    }
    return module.functionSection().getFunctionType(functionIndex - importedCount, module.typeSection());
  }

  static String qualifiedName(Import anImport) {
    return anImport.module() + "." + anImport.name();
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}

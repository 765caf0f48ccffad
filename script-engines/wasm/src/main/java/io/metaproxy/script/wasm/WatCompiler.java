package io.metaproxy.script.wasm;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wabt.Wat2WasmModule;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.metaproxy.script.ScriptFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns WebAssembly text (WAT) into a binary module with wabt's {@code wat2wasm}, which Chicory ships compiled to JVM
 * bytecode ({@code com.dylibso.chicory:wabt}, an optional dependency). It runs as a WASI program over an in-memory
 * file system, as Chicory's own {@code Wat2Wasm} does; this driver exists because that one drops wat2wasm's error
 * output, and a user needs the line of a mistake.
 *
 * <p>Used only while filters are built, never on the message path.
 */
final class WatCompiler {
  private static final Pattern ERROR_LINE = Pattern.compile("^[^:\\n]*:(\\d+):(\\d+): error: (.*)$", Pattern.MULTILINE);
  private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*m");
  private static final String SOURCE_NAME = "filter.wat";

  private WatCompiler() {}

  /** Whether wabt is on the class path. */
  static boolean available() {
    try {
      Class.forName("com.dylibso.chicory.wabt.Wat2WasmModule", false, WatCompiler.class.getClassLoader());
      Class.forName("com.google.common.jimfs.Jimfs", false, WatCompiler.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Compiles {@code text}.
   *
   * @throws IllegalArgumentException {@code <scriptName>:<line>: <wat2wasm's message>} when the text does not compile
   */
  static byte[] compile(String scriptName, byte[] text) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("unix").build())) {
      Path dir = fs.getPath("/filters");
      Files.createDirectory(dir);
      Files.write(dir.resolve(SOURCE_NAME), text);
      WasiOptions options =
          WasiOptions.builder()
              .withStdout(stdout)
              .withStderr(stderr)
              .withDirectory(dir.toString(), dir)
              .withArguments(List.of("wat2wasm", dir.resolve(SOURCE_NAME).toString(), "--output=-"))
              .build();
      try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build()) {
        Instance.builder(Wat2WasmModule.load())
            .withMachineFactory(Wat2WasmModule::create)
            .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
            .build();
      } catch (WasiExitException e) {
        if (e.exitCode() != 0) {
          throw new IllegalArgumentException(describe(scriptName, stderr.toString(StandardCharsets.UTF_8)), e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return stdout.toByteArray();
  }

  private static String describe(String scriptName, String output) {
    String errors = ANSI_ESCAPE.matcher(output).replaceAll(""); // wat2wasm colours its messages
    Matcher matcher = ERROR_LINE.matcher(errors);
    if (matcher.find()) {
      return ScriptFailure.format(scriptName, Integer.parseInt(matcher.group(1)), matcher.group(3).strip());
    }
    return ScriptFailure.format(scriptName, 0, "invalid WebAssembly text: " + errors.strip());
  }
}

package io.metaproxy.script.js;

import java.io.OutputStream;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.SandboxPolicy;

/**
 * The polyglot Engine all JS filters share, and the sandbox every script Context gets.
 *
 * <p>One Engine for the process: contexts created on one engine share parsed (and, with the optimizing runtime,
 * compiled) code for equal {@code Source}s, so the N event loops' contexts of one script parse it once, and a reload
 * with an unchanged script parses nothing.
 *
 * <p>Every Context is built under GraalVM's {@link SandboxPolicy#CONSTRAINED} policy, which the builder validates: no
 * host class lookup or loading, no IO (so no {@code import} of files or modules), no threads, no native access, no
 * processes, no environment, no polyglot access, output streams redirected. On top of that: no {@code load}, {@code
 * print}, {@code console} or {@code Graal} globals; no {@code eval} or {@code new Function} (code from strings, e.g. a
 * header value); no {@code Atomics}/{@code SharedArrayBuffer}, whose {@code Atomics.wait} would block the event loop
 * where no interrupt reaches it. The only host object a script sees is its {@link JsCtx}, and of it only the methods
 * annotated {@link HostAccess.Export}.
 */
final class JsEngine {
  /** Only {@code @Export}ed methods; Java Lists (what {@code keys()} returns) look like read-only JS arrays. */
  private static final HostAccess HOST_ACCESS =
      HostAccess.newBuilder()
          .allowAccessAnnotatedBy(HostAccess.Export.class)
          .allowListAccess(true)
          .allowMutableTargetMappings()
          .build();

  /** Removes what the sandbox policy and options leave but scripts must not have. Runs before the script. */
  private static final String PRELUDE = "delete globalThis.Atomics; delete globalThis.SharedArrayBuffer;";

  private static volatile Engine shared;

  private JsEngine() {}

  /**
   * The shared Engine, created and warmed up on first use: that takes a second or more, once per process, on the
   * thread that builds the first JS filter (see {@link WarmUp}).
   */
  static Engine shared() {
    Engine engine = shared;
    if (engine == null) {
      synchronized (JsEngine.class) {
        engine = shared;
        if (engine == null) {
          engine =
              Engine.newBuilder("js")
                  .sandbox(SandboxPolicy.CONSTRAINED)
                  .out(OutputStream.nullOutputStream())
                  .err(OutputStream.nullOutputStream())
                  // On a stock JDK without the Graal compiler GraalJS interprets and says so on every start.
                  .option("engine.WarnInterpreterOnly", "false")
                  .build();
          WarmUp.run(engine);
          shared = engine;
        }
      }
    }
    return engine;
  }

  /** A new sandboxed Context on {@code engine}, with the prelude run. The caller closes it. */
  static Context newContext(Engine engine) {
    Context context =
        Context.newBuilder("js")
            .engine(engine)
            .sandbox(SandboxPolicy.CONSTRAINED)
            .allowHostAccess(HOST_ACCESS)
            .out(OutputStream.nullOutputStream())
            .err(OutputStream.nullOutputStream())
            .option("js.load", "false")
            .option("js.print", "false")
            .option("js.console", "false")
            .option("js.graal-builtin", "false")
            .option("js.allow-eval", "false")
            .option("js.esm-eval-returns-exports", "true")
            .build();
    try {
      context.eval("js", PRELUDE);
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
    return context;
  }
}

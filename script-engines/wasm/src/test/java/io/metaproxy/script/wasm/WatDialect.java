package io.metaproxy.script.wasm;

import io.metaproxy.script.ScriptContext;
import io.metaproxy.script.testing.ScriptDialect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract's snippets as WebAssembly text against metaproxy's ABI: a tiny typed compiler from the contract's
 * expressions to folded WAT instructions, plus a prelude a C or AssemblyScript module would get from its SDK (string
 * literals in a data segment, a bump heap reset per call, number-to-text helpers).
 *
 * <p>Every expression carries its WASM-level type in a prefix only this class reads: a string is an i64 packing
 * {@code ptr << 32 | len} (-1 for no value), numbers are i64, booleans i32, {@code messageType} the ABI's i32 code and
 * {@code reply}'s result the ABI's i32 status. Raw number literals from the contract (not made by this class) are typed
 * where used, as a compiler for a typed language would: text where a string is expected, i64 where an integer is.
 *
 * <p>WASM is typed at load, so two contract snippets have no WASM equivalent: {@link #isFunction} (imports are resolved
 * when the module is linked, not looked up at run time) and a non-integer passed to {@code count} (a module passing an
 * f64 where the import takes an i64 does not validate). The WASM contract test covers those two with link-time
 * checks instead.
 */
public final class WatDialect implements ScriptDialect {
  private static final char MARK = '\u0001';
  private static final char END = '\u0002';
  private static final int DATA_BASE = 1024;
  private static final int HEAP_BASE = 65536;
  private static final int BUFFER = 4096;
  private static final String LINE_PLACEHOLDER = "@@LINE@@";
  private static final List<String> MESSAGE_TYPES = List.of("request", "response", "oneway", "heartbeat", "error");

  private final Map<String, Integer> literals = new LinkedHashMap<>();
  private final Map<String, String> literalValues = new LinkedHashMap<>();
  private int poolSize;

  public WatDialect() {
    for (String name : List.of("true", "false", "continue", "stop")) {
      literal(name);
    }
    MESSAGE_TYPES.forEach(this::literal);
  }

  // ---- typed expressions ----------------------------------------------------------------------------------------

  private record Expr(String type, String code) {}

  private static String expr(String type, String code) {
    return MARK + type + END + code;
  }

  private static Expr parse(String expression) {
    if (expression.isEmpty() || expression.charAt(0) != MARK) {
      return new Expr("number", expression.strip()); // a literal the contract wrote itself
    }
    int end = expression.indexOf(END);
    return new Expr(expression.substring(1, end), expression.substring(end + 1));
  }

  private long literal(String value) {
    Integer offset = literals.get(value);
    if (offset == null) {
      offset = DATA_BASE + poolSize;
      literals.put(value, offset);
      poolSize += value.getBytes(StandardCharsets.UTF_8).length;
    }
    return ((long) offset << 32) | value.getBytes(StandardCharsets.UTF_8).length;
  }

  /** A string argument: a string expression, or a number literal turned into text as the contract specifies. */
  private String stringArg(String argument) {
    Expr e = parse(argument);
    if (e.type.equals("number")) {
      return "(i64.const " + literal(ScriptContext.numberText(Double.parseDouble(e.code))) + ")";
    }
    if (!e.type.equals("str")) {
      throw new IllegalArgumentException("not a string: " + argument);
    }
    return e.code;
  }

  /** An i64 argument: a whole number literal; anything else as an f64, which does not validate (as in any typed language). */
  private static String integerArg(String argument) {
    Expr e = parse(argument);
    if (e.type.equals("i64")) {
      return e.code;
    }
    double value = Double.parseDouble(e.code);
    return value == Math.rint(value) ? "(i64.const " + (long) value + ")" : "(f64.const " + e.code + ")";
  }

  @Override
  public String fileExtension() {
    return "wat";
  }

  @Override
  public String string(String value) {
    String code = "(i64.const " + literal(value) + ")";
    literalValues.put(code, value);
    return expr("str", code);
  }

  @Override
  public String absent() {
    return expr("str", "(i64.const -1)");
  }

  @Override
  public String call(String name, String... a) {
    return switch (name) {
      case "get" -> expr("str", "(call $get " + stringArg(a[0]) + ")");
      case "keys" -> expr("keys", "");
      case "messageType" -> expr("mtype", "(call $mp_message_type)");
      case "requestId" -> expr("i64", "(call $mp_request_id)");
      case "operation", "peerAddress", "listener", "route", "cluster" -> expr("str", "(call $" + name + ")");
      case "set" -> expr("void", "(call $set " + stringArg(a[0]) + " " + stringArg(a[1]) + ")");
      case "remove" -> expr("void", "(call $remove " + stringArg(a[0]) + ")");
      case "reply" -> expr("status", "(call $reply " + stringArg(a[0]) + " " + stringArg(a[1]) + ")");
      case "routeTo" -> expr("void", "(call $route_to " + stringArg(a[0]) + ")");
      case "resume" -> expr("void", "(call $mp_resume)");
      case "state" -> expr("str", "(call $state " + stringArg(a[0]) + ")");
      case "setState" -> expr("void", "(call $set_state " + stringArg(a[0]) + " " + stringArg(a[1]) + ")");
      case "log" -> {
        String level = literalValues.get(parse(a[0]).code);
        int code = MetaproxyAbiFilter.LOG_LEVELS.indexOf(level);
        yield expr("void", "(call $log (i32.const " + code + ") " + stringArg(a[1]) + ")");
      }
      case "count" -> expr("void", "(call $count " + stringArg(a[0]) + " " + integerArg(a[1]) + ")");
      case "now" -> expr("i64", "(call $mp_now)");
      default -> throw new IllegalArgumentException("no WASM binding for " + name);
    };
  }

  @Override
  public String statement(String expression) {
    Expr e = parse(expression);
    return e.type.equals("void") ? e.code : "(drop " + e.code + ")";
  }

  @Override
  public String text(String expression) {
    Expr e = parse(expression);
    return switch (e.type) {
      case "str" -> expression;
      case "number" -> string(ScriptContext.numberText(Double.parseDouble(e.code)));
      case "i64" -> expr("str", "(call $i64_text " + e.code + ")");
      case "bool" -> expr("str", "(call $bool_text " + e.code + ")");
      case "status" -> expr("str", "(call $status_text " + e.code + ")");
      case "mtype" -> expr("str", "(call $mtype_text " + e.code + ")");
      default -> throw new IllegalArgumentException("no text for " + e.type);
    };
  }

  @Override
  public String isAbsent(String expression) {
    return expr("bool", "(i64.eq " + parse(expression).code + " (i64.const -1))");
  }

  @Override
  public String join(String listExpression) {
    return expr("str", "(call $keys_joined)");
  }

  @Override
  public String isFunction(String member) {
    throw new UnsupportedOperationException("WASM resolves imports when a module is linked, not at run time");
  }

  @Override
  public String raise(String message) {
    return "(call $fail " + stringArg(string(message)) + " (i32.const " + LINE_PLACEHOLDER + ")) ;; " + message;
  }

  @Override
  public String loopForever() {
    return "(loop $forever (br $forever))";
  }

  @Override
  public String countInGlobal(String key) {
    return "(global.set $counter (i64.add (global.get $counter) (i64.const 1)))\n"
        + statement(call("set", string(key), text(expr("i64", "(global.get $counter)"))));
  }

  @Override
  public String syntaxErrorOnLine3() {
    return "(module\n  (func $broken\n    (i32.bogus (i32.const 1)))\n)\n";
  }

  @Override
  public List<String> sandboxEscapes() {
    return List.of(
        "(drop (i32.load (i32.const 0xfffffff0)))", // read past linear memory
        "(i32.store (i32.const 0x7ffffff0) (i32.const 1))", // write past linear memory
        "(call_indirect (type $void) (i32.const 7))", // call a function outside the table
        "(call $mp_set (i32.const 0x7fffff00) (i32.const 64) (i32.const 0) (i32.const 1))"); // host read past memory
  }

  // ---- the module ---------------------------------------------------------------------------------------------------

  @Override
  public String script(String onRequestBody, String onResponseBody) {
    StringBuilder wat = new StringBuilder();
    wat.append("(module\n");
    MetaproxyAbiFilter.SIGNATURES.forEach(
        (name, type) ->
            wat.append("  (import \"metaproxy\" \"")
                .append(name)
                .append("\" (func $mp_")
                .append(name)
                .append(AbiTypes.watSignature(type))
                .append("))\n"));
    wat.append(PRELUDE.replace("HEAP_BASE", Integer.toString(HEAP_BASE)).replace("BUFFER", Integer.toString(BUFFER)));
    wat.append(mtypeText());
    wat.append("  (func $bool_text (param $b i32) (result i64) (if (result i64) (local.get $b) (then (i64.const ")
        .append(literal("true"))
        .append(")) (else (i64.const ")
        .append(literal("false"))
        .append("))))\n");
    wat.append("  (func $status_text (param $s i32) (result i64) (if (result i64) (local.get $s) (then (i64.const ")
        .append(literal("stop"))
        .append(")) (else (i64.const ")
        .append(literal("continue"))
        .append("))))\n");
    handler(wat, "on_request", onRequestBody);
    handler(wat, "on_response", onResponseBody);
    // the literal pool, hex-escaped so that no source line but a statement's own contains a marker the contract looks for
    literals.forEach(
        (value, offset) -> {
          wat.append("  (data (i32.const ").append(offset).append(") \"");
          for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            wat.append(String.format("\\%02x", b & 0xff));
          }
          wat.append("\")\n");
        });
    wat.append(")\n");
    return numberLines(wat.toString());
  }

  private static void handler(StringBuilder wat, String export, String body) {
    if (body == null) {
      return;
    }
    wat.append("  (func (export \"").append(export).append("\") (result i32)\n");
    wat.append("    (global.set $heap (i32.const ").append(HEAP_BASE).append("))\n");
    wat.append(body).append('\n');
    wat.append("    (i32.const 0))\n");
  }

  private String mtypeText() {
    StringBuilder f = new StringBuilder("  (func $mtype_text (param $c i32) (result i64)\n");
    for (int i = 0; i < MESSAGE_TYPES.size(); i++) {
      f.append("    (if (i32.eq (local.get $c) (i32.const ")
          .append(i)
          .append(")) (then (return (i64.const ")
          .append(literal(MESSAGE_TYPES.get(i)))
          .append("))))\n");
    }
    return f.append("    (i64.const -1))\n").toString();
  }

  /** Replaces each line placeholder with the number of the line it is on, as a C compiler does for __LINE__. */
  private static String numberLines(String wat) {
    String[] lines = wat.split("\n", -1);
    List<String> numbered = new ArrayList<>(lines.length);
    for (int i = 0; i < lines.length; i++) {
      numbered.add(lines[i].replace(LINE_PLACEHOLDER, Integer.toString(i + 1)));
    }
    return String.join("\n", numbered);
  }

  private static final String PRELUDE =
      """
        (memory (export "memory") 2)
        (table 1 funcref)
        (type $void (func))
        (global $heap (mut i32) (i32.const HEAP_BASE))
        (global $counter (mut i64) (i64.const 0))
        (func $alloc (param $n i32) (result i32) (local $p i32)
          (local.set $p (global.get $heap))
          (global.set $heap (i32.add (local.get $p) (local.get $n)))
          (local.get $p))
        (func $ptr (param $s i64) (result i32) (i32.wrap_i64 (i64.shr_u (local.get $s) (i64.const 32))))
        (func $len (param $s i64) (result i32) (i32.wrap_i64 (local.get $s)))
        (func $pack (param $p i32) (param $n i32) (result i64)
          (i64.or (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32)) (i64.extend_i32_u (local.get $n))))
        (func $result (param $buf i32) (param $n i32) (result i64)
          (if (result i64) (i32.lt_s (local.get $n) (i32.const 0))
            (then (i64.const -1)) (else (call $pack (local.get $buf) (local.get $n)))))
        (func $get (param $k i64) (result i64) (local $b i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (call $result (local.get $b)
            (call $mp_get (call $ptr (local.get $k)) (call $len (local.get $k)) (local.get $b) (i32.const BUFFER))))
        (func $state (param $k i64) (result i64) (local $b i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (call $result (local.get $b)
            (call $mp_state (call $ptr (local.get $k)) (call $len (local.get $k)) (local.get $b) (i32.const BUFFER))))
        (func $operation (result i64) (local $b i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (call $result (local.get $b) (call $mp_operation (local.get $b) (i32.const BUFFER))))
        (func $peerAddress (result i64) (local $b i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (call $result (local.get $b) (call $mp_peer_address (local.get $b) (i32.const BUFFER))))
        (func $listener (result i64) (local $b i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (call $result (local.get $b) (call $mp_listener (local.get $b) (i32.const BUFFER))))
        (func $route (result i64) (local $b i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (call $result (local.get $b) (call $mp_route (local.get $b) (i32.const BUFFER))))
        (func $cluster (result i64) (local $b i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (call $result (local.get $b) (call $mp_cluster (local.get $b) (i32.const BUFFER))))
        (func $keys_joined (result i64) (local $b i32) (local $n i32) (local $i i32)
          (local.set $b (call $alloc (i32.const BUFFER)))
          (local.set $n (call $mp_keys (local.get $b) (i32.const BUFFER)))
          (block $done (loop $next
            (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
            (if (i32.eqz (i32.load8_u (i32.add (local.get $b) (local.get $i))))
              (then (i32.store8 (i32.add (local.get $b) (local.get $i)) (i32.const 44))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
          (if (i32.gt_s (local.get $n) (i32.const 0)) (then (local.set $n (i32.sub (local.get $n) (i32.const 1)))))
          (call $pack (local.get $b) (local.get $n)))
        (func $set (param $k i64) (param $v i64)
          (call $mp_set (call $ptr (local.get $k)) (call $len (local.get $k)) (call $ptr (local.get $v)) (call $len (local.get $v))))
        (func $set_state (param $k i64) (param $v i64)
          (call $mp_set_state (call $ptr (local.get $k)) (call $len (local.get $k)) (call $ptr (local.get $v)) (call $len (local.get $v))))
        (func $remove (param $k i64) (call $mp_remove (call $ptr (local.get $k)) (call $len (local.get $k))))
        (func $route_to (param $c i64) (call $mp_route_to (call $ptr (local.get $c)) (call $len (local.get $c))))
        (func $reply (param $t i64) (param $m i64) (result i32)
          (call $mp_reply (call $ptr (local.get $t)) (call $len (local.get $t)) (call $ptr (local.get $m)) (call $len (local.get $m))))
        (func $log (param $level i32) (param $m i64) (call $mp_log (local.get $level) (call $ptr (local.get $m)) (call $len (local.get $m))))
        (func $count (param $m i64) (param $d i64) (call $mp_count (call $ptr (local.get $m)) (call $len (local.get $m)) (local.get $d)))
        (func $fail (param $m i64) (param $line i32) (call $mp_fail (call $ptr (local.get $m)) (call $len (local.get $m)) (local.get $line)))
        (func $i64_text (param $v i64) (result i64) (local $b i32) (local $end i32) (local $p i32) (local $neg i32) (local $u i64)
          (local.set $b (call $alloc (i32.const 24)))
          (local.set $end (i32.add (local.get $b) (i32.const 24)))
          (local.set $p (local.get $end))
          (local.set $neg (i64.lt_s (local.get $v) (i64.const 0)))
          (local.set $u (if (result i64) (local.get $neg) (then (i64.sub (i64.const 0) (local.get $v))) (else (local.get $v))))
          (loop $digit
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $u) (i64.const 10)))))
            (local.set $u (i64.div_u (local.get $u) (i64.const 10)))
            (br_if $digit (i64.ne (local.get $u) (i64.const 0))))
          (if (local.get $neg) (then
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (i32.store8 (local.get $p) (i32.const 45))))
          (call $pack (local.get $p) (i32.sub (local.get $end) (local.get $p))))
      """;
}

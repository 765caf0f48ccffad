package io.metaproxy.codec.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.alibaba.com.caucho.hessian.io.Hessian2Output;
import io.metaproxy.api.CodecException;
import io.metaproxy.codec.dubbo.TestModel.Address;
import io.metaproxy.codec.dubbo.TestModel.Greeting;
import io.metaproxy.codec.dubbo.TestModel.Mood;
import io.metaproxy.codec.dubbo.TestModel.Person;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Hessian2 skipper against what hessian-lite (Dubbo's Hessian2 implementation) writes for every kind of value,
 * and against hand-written forms hessian-lite rarely produces.
 */
class Hessian2ScannerTest {
  private final Hessian2Scanner scanner = new Hessian2Scanner();

  static Stream<Object> values() {
    List<Object> values = new ArrayList<>();
    values.addAll(Arrays.asList(null, true, false));
    for (int i : new int[] {0, -16, 47, 48, -17, -2048, 2047, 2048, -2049, -262144, 262143, 262144, -262145,
        Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      values.add(i);
    }
    for (long l : new long[] {0, -8, 15, 16, -9, -2048, 2047, 2048, -262144, 262143, 262144, Integer.MAX_VALUE,
        Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, Long.MIN_VALUE, Long.MAX_VALUE}) {
      values.add(l);
    }
    for (double d : new double[] {0.0, 1.0, -128.0, 127.0, -32768.0, 32767.0, 12.25, 0.001, -1.5e300, Double.NaN}) {
      values.add(d);
    }
    values.add(1.5f);
    values.add((short) 300);
    values.add((byte) -3);
    values.add('x');
    values.add(new Date(0)); // a whole minute: the 4-byte form
    values.add(new Date(1_234_567));
    for (int length : new int[] {0, 1, 31, 32, 1023, 1024, 32768, 32769, 70_000}) {
      values.add("s".repeat(length));
    }
    values.add("caf\u00e9 \u4e16\u754c \ud83d\ude00".repeat(5000)); // multi-byte chars across chunk boundaries
    for (int length : new int[] {0, 15, 16, 1023, 1024, 70_000}) {
      values.add(new byte[length]);
    }
    values.add(new ArrayList<>());
    values.add(new ArrayList<>(Arrays.asList(1, "two", 3.0, null, List.of(4, 5), Map.of("k", "v"))));
    values.add(new LinkedList<>(List.of("a", "b")));
    values.add(new int[] {1, 2, 3});
    values.add(new long[] {1L << 40});
    values.add(new String[] {"a", null, "c"});
    values.add(new Person[] {RealDubbo.samplePerson(), RealDubbo.samplePerson()});
    values.add(new Object[] {new Address("a", "b"), new Address("a", "b"), 1});
    values.add(new HashMap<>(Map.of("a", 1, "b", List.of(2))));
    values.add(new TreeMap<>(Map.of("x", new Address("c", "s"))));
    values.add(new LinkedHashMap<>(Map.of(1, "one", 2, "two")));
    values.add(new HashMap<>());
    values.add(RealDubbo.samplePerson());
    Person cyclic = new Person();
    cyclic.name = "self";
    cyclic.friends = new ArrayList<>(List.of(cyclic));
    values.add(cyclic);
    values.add(new Greeting("hi", RealDubbo.samplePerson()));
    values.add(Mood.GRUMPY);
    values.add(new BigDecimal("-1.000000000000000000001"));
    values.add(new BigInteger("123456789012345678901234567890"));
    values.add(new IllegalStateException("failed", new RuntimeException("cause")));
    values.add(RealDubbo.greetArguments());
    return values.stream();
  }

  @ParameterizedTest
  @MethodSource("values")
  void skipsExactlyOneValueAsHessianLiteWritesIt(Object value) throws CodecException {
    // the value twice (the second one uses class definitions and type names the first introduced), then a marker
    byte[] bytes = hessian(value, value, "END");
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    scanner.reset(buf, 0, bytes.length);
    scanner.skipValue();
    scanner.skipValue();
    assertThat(scanner.readString()).isEqualTo("END");
    assertThat(scanner.atEnd()).isTrue();
  }

  @Test
  void readsStringsAsHessianLiteWritesThem() throws CodecException {
    for (String text : List.of("", "plain", "caf\u00e9", "\u4e16\u754c", "\ud83d\ude00 emoji",
        "x".repeat(32767) + "\ud83d\ude00" + "y".repeat(40000), "path")) {
      byte[] bytes = hessian(text);
      scanner.reset(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
      assertThat(scanner.readString()).isEqualTo(text);
      assertThat(scanner.atEnd()).isTrue();
    }
  }

  @Test
  void writerOutputIsWhatHessianLiteReads() throws IOException {
    for (String text : List.of("", "a".repeat(31), "b".repeat(1023), "c".repeat(1024), "d".repeat(32768),
        "\ud83d\ude00".repeat(20000), "caf\u00e9".repeat(9000))) {
      ByteBuf out = Unpooled.buffer();
      Hessian2Writer.writeString(out, text);
      var input = new com.alibaba.com.caucho.hessian.io.Hessian2Input(
          new java.io.ByteArrayInputStream(ByteBufUtil.getBytes(out)));
      assertThat(input.readString()).isEqualTo(text);
      out.release();
    }
  }

  @Test
  void writerBytesAreHessianLitesBytes() {
    // byte for byte, not only readable: the ASCII fast path and the per-char path must write what Hessian2Output
    // writes, chunk headers included
    for (String text : List.of("", "x-engine", "org.example.GreetingService", "a".repeat(1023), "b".repeat(32768),
        "c".repeat(32767) + "\ud83d\ude00" + "d".repeat(5), "caf\u00e9", "mixed ascii \u4e16\u754c tail",
        "\u00ff".repeat(40000))) {
      ByteBuf out = Unpooled.buffer();
      Hessian2Writer.writeString(out, text);
      assertThat(ByteBufUtil.getBytes(out)).as("%.40s", text).isEqualTo(hessian(text));
      out.release();
    }
  }

  @Test
  void knownStringsAreShared() throws CodecException {
    byte[] bytes = hessian("interface", "timeout");
    scanner.reset(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
    assertThat(scanner.readString()).isSameAs("interface");
    assertThat(scanner.readString()).isSameAs("timeout");
  }

  @Test
  void skipsHandWrittenForms() throws CodecException {
    // 17 class definitions, so the last needs 'O' with an int index instead of the compact 0x60-0x6f form
    ByteBuf forms = Unpooled.buffer();
    for (int i = 0; i < 17; i++) {
      forms.writeByte('C');
      Hessian2Writer.writeString(forms, "T" + i);
      forms.writeByte(0x91); // one field
      Hessian2Writer.writeString(forms, "f");
    }
    forms.writeByte('O').writeByte(0x90 + 16).writeByte(0x91);
    assertSkips(forms);

    assertSkips(Unpooled.buffer().writeByte(0x55).writeByte(0x01).writeByte('t').writeByte(0x91).writeByte('Z'));
    assertSkips(Unpooled.buffer().writeByte(0x57).writeByte(0x91).writeByte('N').writeByte('Z'));
    assertSkips(Unpooled.buffer().writeByte('V').writeByte(0x01).writeByte('t').writeByte(0x92).writeByte('T')
        .writeByte('F'));
    assertSkips(Unpooled.buffer().writeByte(0x58).writeByte(0x91).writeByte(0x5b));
    // a typed list by type reference, a typed map by type reference
    assertSkips(Unpooled.buffer().writeByte(0x71).writeByte(0x90).writeByte(0x5c));
    assertSkips(Unpooled.buffer().writeByte('M').writeByte(0x90).writeByte(0x91).writeByte(0x92).writeByte('Z'));
    assertSkips(Unpooled.buffer().writeByte(0x51).writeByte(0x90));
    assertSkips(Unpooled.buffer().writeByte('Y').writeInt(5));
    assertSkips(Unpooled.buffer().writeByte(0x5f).writeInt(5));
    assertSkips(Unpooled.buffer().writeByte(0x5d).writeByte(1));
    assertSkips(Unpooled.buffer().writeByte(0x5e).writeShort(1));
    assertSkips(Unpooled.buffer().writeByte(0x3a).writeShort(1));
    assertSkips(Unpooled.buffer().writeByte('K').writeInt(1));
    assertSkips(Unpooled.buffer().writeByte('A').writeShort(2).writeShort(0).writeByte(0x21).writeByte(0));
    assertSkips(Unpooled.buffer().writeByte('R').writeShort(2).writeByte('a').writeByte('b').writeByte(0x01)
        .writeByte('c'));
  }

  @Test
  void refusesMalformedForms() {
    assertMalformed(Unpooled.buffer().writeByte('H').writeByte(0x91).writeByte('Z'), "end marker");
    assertMalformed(Unpooled.buffer().writeByte('Z'), "end marker");
    assertMalformed(Unpooled.buffer().writeByte('V').writeByte(0x01).writeByte('t').writeByte(0x8f), "negative");
    assertMalformed(Unpooled.buffer().writeByte('R').writeShort(1).writeByte('a').writeByte(0x91), "string chunk");
    assertMalformed(Unpooled.buffer().writeByte('S').writeShort(10).writeByte('a'), "past the end");
    assertMalformed(Unpooled.buffer().writeByte(0x02).writeByte(0xff).writeByte('a'), "UTF-8");
    assertMalformed(Unpooled.buffer().writeByte(0x60), "undefined class definition");
    assertMalformed(Unpooled.buffer().writeByte('C').writeByte(0x01).writeByte('T').writeByte(0x8f), "fields");
    ByteBuf deep = Unpooled.buffer();
    for (int i = 0; i <= Hessian2Scanner.MAX_DEPTH; i++) {
      deep.writeByte(0x57);
    }
    assertMalformed(deep, "nested deeper");
  }

  @Test
  void truncationAnywhereIsACodecException() {
    byte[] bytes = hessian(RealDubbo.samplePerson());
    for (int cut = 0; cut < bytes.length; cut += cut < 500 ? 1 : 97) {
      int end = cut;
      assertThatThrownBy(() -> {
        scanner.reset(Unpooled.wrappedBuffer(bytes), 0, end);
        scanner.skipValue();
      }).as("cut at %d", cut).isInstanceOf(CodecException.class);
    }
  }

  private void assertSkips(ByteBuf value) throws CodecException {
    try {
      Hessian2Writer.writeString(value, "END");
      scanner.reset(value, 0, value.writerIndex());
      scanner.skipValue();
      assertThat(scanner.readString()).as(ByteBufUtil.hexDump(value)).isEqualTo("END");
    } finally {
      value.release();
    }
  }

  private void assertMalformed(ByteBuf value, String reason) {
    try {
      scanner.reset(value, 0, value.writerIndex());
      assertThatThrownBy(scanner::skipValue).as(ByteBufUtil.hexDump(value))
          .isInstanceOf(CodecException.class).hasMessageContaining(reason);
    } finally {
      value.release();
    }
  }

  /** The values as one hessian-lite stream, sharing references and class definitions like a Dubbo body. */
  static byte[] hessian(Object... values) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      Hessian2Output out = new Hessian2Output(bytes);
      for (Object value : values) {
        out.writeObject(value);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

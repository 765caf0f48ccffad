package io.metaproxy.it.protocols;

import java.util.Comparator;
import java.util.Objects;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;

/**
 * A Thrift struct with one string field, written by hand in the shape the Thrift compiler generates for
 * {@code string echo(1: string text)}: the arguments {@code echo_args {1: string text}} and the result {@code
 * echo_result {0: string success}}. Hand-written because the build has no Thrift compiler; {@link TBase} is what
 * libthrift's {@code TServiceClient} sends and receives.
 */
final class StringStruct implements TBase<StringStruct, StringStruct.Field> {
  private static final long serialVersionUID = 1L;

  /** The one field: {@code text} (id 1) in arguments, {@code success} (id 0) in results. */
  enum Field implements TFieldIdEnum {
    TEXT((short) 1, "text"),
    SUCCESS((short) 0, "success");

    private final short id;
    private final String fieldName;

    Field(short id, String fieldName) {
      this.id = id;
      this.fieldName = fieldName;
    }

    @Override
    public short getThriftFieldId() {
      return id;
    }

    @Override
    public String getFieldName() {
      return fieldName;
    }
  }

  private final String structName;
  private final Field field;
  private String value;

  private StringStruct(String structName, Field field, String value) {
    this.structName = structName;
    this.field = field;
    this.value = value;
  }

  /** {@code echo_args {1: text}}. */
  static StringStruct args(String text) {
    return new StringStruct("echo_args", Field.TEXT, text);
  }

  /** {@code echo_result {0: success}}. */
  static StringStruct result(String success) {
    return new StringStruct("echo_result", Field.SUCCESS, success);
  }

  String value() {
    return value;
  }

  @Override
  public void read(TProtocol in) throws TException {
    in.readStructBegin();
    for (TField next = in.readFieldBegin(); next.type != TType.STOP; next = in.readFieldBegin()) {
      if (next.id == field.id && next.type == TType.STRING) {
        value = in.readString();
      } else {
        TProtocolUtil.skip(in, next.type); // as generated code does with fields it does not know
      }
      in.readFieldEnd();
    }
    in.readStructEnd();
  }

  @Override
  public void write(TProtocol out) throws TException {
    out.writeStructBegin(new TStruct(structName));
    if (value != null) {
      out.writeFieldBegin(new TField(field.fieldName, TType.STRING, field.id));
      out.writeString(value);
      out.writeFieldEnd();
    }
    out.writeFieldStop();
    out.writeStructEnd();
  }

  @Override
  public Field fieldForId(int id) {
    return id == field.id ? field : null;
  }

  @Override
  public boolean isSet(Field f) {
    return f == field && value != null;
  }

  @Override
  public Object getFieldValue(Field f) {
    return f == field ? value : null;
  }

  @Override
  public void setFieldValue(Field f, Object newValue) {
    if (f == field) {
      value = (String) newValue;
    }
  }

  @Override
  public StringStruct deepCopy() {
    return new StringStruct(structName, field, value);
  }

  @Override
  public void clear() {
    value = null;
  }

  @Override
  public int compareTo(StringStruct other) {
    return Objects.compare(value, other.value, Comparator.nullsFirst(Comparator.naturalOrder()));
  }
}

package io.metaproxy.host.server;

import io.metaproxy.host.plugin.Json;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/** Renders configuration records as JSON for {@code /config_dump}, with snake_case names as in the YAML. */
final class JsonDump {
  private JsonDump() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String || value instanceof java.nio.file.Path || value instanceof Pattern
        || value instanceof Enum<?>) {
      out.append(Json.quote(value instanceof Enum<?> e ? e.name().toLowerCase(java.util.Locale.ROOT) : value.toString()));
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Duration duration) {
      out.append(Json.quote(duration.toMillis() + "ms"));
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(first ? "" : ",").append(Json.quote(String.valueOf(entry.getKey()))).append(':');
        append(out, entry.getValue());
        first = false;
      }
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        out.append(first ? "" : ",");
        append(out, item);
        first = false;
      }
      out.append(']');
    } else if (value.getClass().isRecord()) {
      out.append('{');
      boolean first = true;
      for (RecordComponent component : value.getClass().getRecordComponents()) {
        if (component.getName().equals("location") || component.getName().equals("regex")) {
          continue;
        }
        Object field;
        try {
          field = component.getAccessor().invoke(value);
        } catch (ReflectiveOperationException e) {
          field = "<" + e + ">";
        }
        out.append(first ? "" : ",").append(Json.quote(snake(component.getName()))).append(':');
        append(out, field);
        first = false;
      }
      out.append('}');
    } else {
      out.append(Json.quote(value.toString()));
    }
  }

  private static String snake(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 4);
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

package io.metaproxy.host.config;

import io.metaproxy.host.config.ClusterConfig.Endpoint;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed reads of composed YAML nodes, each failing with a {@link ConfigException} that names the file, the node's
 * line and the field path. The schema walk in {@link ConfigLoader} is written against this; nothing here knows the
 * schema.
 */
final class NodeReader {
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");
  private static final Set<String> INFINITY = Set.of(".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF");
  private static final Set<String> NEGATIVE_INFINITY = Set.of("-.inf", "-.Inf", "-.INF");
  private static final Set<String> NOT_A_NUMBER = Set.of(".nan", ".NaN", ".NAN");

  private final Path file;

  NodeReader(Path file) {
    this.file = file;
  }

  /** The 1-based line {@code node} starts on, or 0 when the parser kept no mark. */
  static int line(Node node) {
    return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
  }

  Location at(Node node, String field) {
    return new Location(file, line(node), field);
  }

  ConfigException error(Node node, String field, String message) {
    return at(node, field).error(message);
  }

  static String child(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  /**
   * Opens {@code node} as a mapping whose keys must all be among {@code allowed}; an unknown key, a duplicate key or
   * a key that is not a plain string fails here, before any value is read, so a misspelt optional key is reported
   * as the misspelling rather than silently ignored.
   */
  Fields fields(Node node, String path, String... allowed) throws ConfigException {
    if (!(node instanceof MappingNode mapping)) {
      throw error(node, path, "must be a mapping");
    }
    Map<String, NodeTuple> tuples = new LinkedHashMap<>();
    List<String> allowedKeys = List.of(allowed);
    for (NodeTuple tuple : mapping.getValue()) {
      String key = key(tuple.getKeyNode(), path);
      if (!allowedKeys.contains(key)) {
        throw error(
            tuple.getKeyNode(),
            child(path, key),
            "unknown key '" + key + "'; allowed keys: " + String.join(", ", allowedKeys));
      }
      if (tuples.putIfAbsent(key, tuple) != null) {
        throw error(tuple.getKeyNode(), child(path, key), "duplicate key '" + key + "'");
      }
    }
    return new Fields(mapping, path, tuples);
  }

  private String key(Node keyNode, String path) throws ConfigException {
    if (!(keyNode instanceof ScalarNode scalar) || isNull(keyNode)) {
      throw error(keyNode, path, "keys must be plain strings");
    }
    return scalar.getValue();
  }

  /** The items of a list; a null (empty) value reads as an empty list. */
  List<Node> list(Node node, String path) throws ConfigException {
    if (isNull(node)) {
      return List.of();
    }
    if (!(node instanceof SequenceNode sequence)) {
      throw error(node, path, "must be a list");
    }
    return sequence.getValue();
  }

  /** A non-empty list. */
  List<Node> nonEmptyList(Node node, String path) throws ConfigException {
    List<Node> items = list(node, path);
    if (items.isEmpty()) {
      throw error(node, path, "must list at least one entry");
    }
    return items;
  }

  /**
   * A string. Numbers and booleans are accepted as the text written ({@code exact: 2} matches "2", {@code value:
   * 1.10} sets "1.10"), since metadata values are strings anyway; null, lists and mappings are not.
   */
  String string(Node node, String path) throws ConfigException {
    if (node instanceof ScalarNode scalar) {
      Tag tag = scalar.getTag();
      if (tag.equals(Tag.STR) || tag.equals(Tag.INT) || tag.equals(Tag.FLOAT) || tag.equals(Tag.BOOL)) {
        return scalar.getValue();
      }
    }
    throw error(node, path, "must be a string");
  }

  String nonEmptyString(Node node, String path) throws ConfigException {
    String value = string(node, path);
    if (value.isEmpty()) {
      throw error(node, path, "must not be empty");
    }
    return value;
  }

  boolean bool(Node node, String path) throws ConfigException {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
      String value = scalar.getValue().toLowerCase(Locale.ROOT);
      if (value.equals("true") || value.equals("false")) {
        return value.equals("true");
      }
    }
    throw error(node, path, "must be a boolean (true or false)");
  }

  /** An integer within {@code [min, max]}. */
  long integer(Node node, String path, long min, long max) throws ConfigException {
    BigInteger value = null;
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
      value = parseInteger(scalar.getValue());
    }
    if (value == null) {
      throw error(node, path, "must be an integer");
    }
    if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw error(node, path, "must be between " + min + " and " + max + ", not " + value);
    }
    return value.longValue();
  }

  int positiveInt(Node node, String path) throws ConfigException {
    return (int) integer(node, path, 1, Integer.MAX_VALUE);
  }

  /** A number (integer or float). */
  double number(Node node, String path) throws ConfigException {
    if (node instanceof ScalarNode scalar) {
      if (scalar.getTag().equals(Tag.INT)) {
        BigInteger value = parseInteger(scalar.getValue());
        if (value != null) {
          return value.doubleValue();
        }
      } else if (scalar.getTag().equals(Tag.FLOAT)) {
        Double value = parseFloat(scalar.getValue());
        if (value != null) {
          return value;
        }
      }
    }
    throw error(node, path, "must be a number");
  }

  Duration duration(Node node, String path) throws ConfigException {
    if (node instanceof ScalarNode scalar
        && (scalar.getTag().equals(Tag.STR) || scalar.getTag().equals(Tag.INT))) {
      try {
        return Durations.parse(scalar.getValue());
      } catch (IllegalArgumentException e) {
        throw error(node, path, e.getMessage());
      }
    }
    throw error(node, path, "must be a duration like 300ms, 3s, 1m, 1h or 0");
  }

  Duration positiveDuration(Node node, String path) throws ConfigException {
    Duration value = duration(node, path);
    if (value.isZero()) {
      throw error(node, path, "must be longer than 0");
    }
    return value;
  }

  /**
   * A {@code host:port}; an IPv6 host goes in brackets ({@code "[::1]:9901"}, quoted, since a bare {@code [} starts
   * a YAML list). The host is not resolved here: names are looked up when connecting.
   */
  Endpoint address(Node node, String path, int minPort) throws ConfigException {
    String text = string(node, path);
    String problem = "must be host:port (for IPv6, \"[::1]:9901\"), not '" + text + "'";
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw error(node, path, problem);
    }
    String host = text.substring(0, colon);
    String port = text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
        throw error(node, path, problem);
      }
    } else if (host.indexOf(':') >= 0) {
      throw error(node, path, "an IPv6 host goes in brackets, as in \"[::1]:9901\", not '" + text + "'");
    } else if (!HOST_NAME.matcher(host).matches()) {
      throw error(node, path, problem);
    }
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw error(node, path, problem);
    }
    int portNumber = Integer.parseInt(port);
    if (portNumber < minPort || portNumber > 65535) {
      throw error(node, path, "port must be between " + minPort + " and 65535, not " + portNumber);
    }
    return new Endpoint(host, portNumber);
  }

  /** One of {@code values}, written as the constant's name in lower case ({@code least_request}). */
  <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type) throws ConfigException {
    String text = string(node, path);
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      String name = constant.name().toLowerCase(Locale.ROOT);
      if (name.equals(text)) {
        return constant;
      }
      names.add(name);
    }
    throw error(node, path, "must be one of " + String.join(", ", names) + ", not '" + text + "'");
  }

  /**
   * A free-form mapping (a filter's {@code config:}) as plain Java values: String, Boolean, Long, Double, and
   * unmodifiable List and Map (in the order written). Nulls are refused: immutable collections cannot hold them and
   * a filter would read an absent key the same way.
   */
  Map<String, Object> plainMap(Node node, String path) throws ConfigException {
    if (isNull(node)) {
      return Map.of();
    }
    if (!(node instanceof MappingNode)) {
      throw error(node, path, "must be a mapping");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) plain(node, path, Collections.newSetFromMap(new IdentityHashMap<>()));
    return map;
  }

  private Object plain(Node node, String path, Set<Node> enclosing) throws ConfigException {
    if (node instanceof ScalarNode scalar) {
      return plainScalar(scalar, path);
    }
    // Anchors may make a node its own descendant (&a [*a]); the composer allows it, a filter config cannot hold it.
    if (!enclosing.add(node)) {
      throw error(node, path, "an alias refers to a node that contains it");
    }
    try {
      if (node instanceof SequenceNode sequence) {
        List<Object> items = new ArrayList<>(sequence.getValue().size());
        List<Node> nodes = sequence.getValue();
        for (int i = 0; i < nodes.size(); i++) {
          items.add(plain(nodes.get(i), index(path, i), enclosing));
        }
        return Collections.unmodifiableList(items);
      }
      MappingNode mapping = (MappingNode) node;
      Map<String, Object> entries = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        String key = key(tuple.getKeyNode(), path);
        if (entries.containsKey(key)) {
          throw error(tuple.getKeyNode(), child(path, key), "duplicate key '" + key + "'");
        }
        entries.put(key, plain(tuple.getValueNode(), child(path, key), enclosing));
      }
      return Collections.unmodifiableMap(entries);
    } finally {
      enclosing.remove(node);
    }
  }

  private Object plainScalar(ScalarNode scalar, String path) throws ConfigException {
    Tag tag = scalar.getTag();
    String text = scalar.getValue();
    if (tag.equals(Tag.STR)) {
      return text;
    }
    if (tag.equals(Tag.BOOL)) {
      return bool(scalar, path);
    }
    if (tag.equals(Tag.INT)) {
      BigInteger value = parseInteger(text);
      if (value == null) {
        throw error(scalar, path, "must be an integer");
      }
      if (value.bitLength() > 63) {
        throw error(scalar, path, "integer " + text + " is out of range (64-bit)");
      }
      return value.longValue();
    }
    if (tag.equals(Tag.FLOAT)) {
      Double value = parseFloat(text);
      if (value == null) {
        throw error(scalar, path, "must be a number");
      }
      return value;
    }
    if (tag.equals(Tag.NULL)) {
      throw error(scalar, path, "has no value; give it one or remove the key");
    }
    throw error(scalar, path, "unsupported YAML tag " + tag.getValue());
  }

  /** YAML 1.2 core schema integers: decimal with sign, {@code 0o} octal, {@code 0x} hex; null if not one. */
  static BigInteger parseInteger(String text) {
    try {
      if (text.startsWith("0x")) {
        return new BigInteger(text.substring(2), 16);
      }
      if (text.startsWith("0o")) {
        return new BigInteger(text.substring(2), 8);
      }
      return new BigInteger(text.startsWith("+") ? text.substring(1) : text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** YAML 1.2 core schema floats, including {@code .inf} and {@code .nan}; null if not one. */
  static Double parseFloat(String text) {
    if (INFINITY.contains(text)) {
      return Double.POSITIVE_INFINITY;
    }
    if (NEGATIVE_INFINITY.contains(text)) {
      return Double.NEGATIVE_INFINITY;
    }
    if (NOT_A_NUMBER.contains(text)) {
      return Double.NaN;
    }
    // Double.parseDouble also takes "NaN", "Infinity", hex floats and a trailing 'd'/'f'; YAML does not.
    if (!text.matches("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?")) {
      return null;
    }
    return Double.parseDouble(text);
  }

  /** A mapping being read: the keys were checked when it was opened; values are read by name. */
  final class Fields {
    private final MappingNode node;
    private final String path;
    private final Map<String, NodeTuple> tuples;

    private Fields(MappingNode node, String path, Map<String, NodeTuple> tuples) {
      this.node = node;
      this.path = path;
      this.tuples = tuples;
    }

    /** The path of this mapping's field {@code key}. */
    String path(String key) {
      return child(path, key);
    }

    Location location() {
      return at(node, path);
    }

    /** Whether {@code key} is written at all, even with an empty value. */
    boolean has(String key) {
      return tuples.containsKey(key);
    }

    /** The key node of {@code key}, or null when absent; for errors about the key itself. */
    Node keyNode(String key) {
      NodeTuple tuple = tuples.get(key);
      return tuple == null ? null : tuple.getKeyNode();
    }

    /** The value of {@code key}, or null when absent or written with no value ({@code key:} or {@code key: ~}). */
    Node optional(String key) {
      NodeTuple tuple = tuples.get(key);
      return tuple == null || isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
    }

    /** The value of {@code key}, which must be present with a value. */
    Node required(String key) throws ConfigException {
      NodeTuple tuple = tuples.get(key);
      if (tuple == null) {
        throw error(node, path(key), "is required");
      }
      if (isNull(tuple.getValueNode())) {
        throw error(tuple.getValueNode(), path(key), "must not be empty");
      }
      return tuple.getValueNode();
    }
  }
}

package io.metaproxy.bench.setup;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The "typical filter chain" file of the filter scenario:
 *
 * <pre>
 * request_attachments: { x-token: bench }    # what every request carries, in every scenario
 * filters:
 *   - name: lua                            # the filter's name in metaproxy's config
 *     requires: [ "lib/*lua*.jar" ]        # globs under the distribution; any match will do; none: always used
 *     config: { file: filters/bench.lua }  # as in metaproxy's config; a relative `file` is resolved against this file
 * </pre>
 *
 * A filter whose requirements match nothing in the distribution is skipped, with the reason kept for the report.
 */
public final class FilterChain {
  /** A filter that made it into the chain: its name and config map (file paths made absolute). */
  public record Filter(String name, Map<String, Object> config) {}

  private final List<Filter> used;
  private final List<String> notes;
  private final Map<String, String> requestAttachments;

  private FilterChain(List<Filter> used, List<String> notes, Map<String, String> requestAttachments) {
    this.used = List.copyOf(used);
    this.notes = List.copyOf(notes);
    this.requestAttachments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requestAttachments));
  }

  /** Attachments every request of every scenario should carry, for the filters to look at; in file order. */
  public Map<String, String> requestAttachments() {
    return requestAttachments;
  }

  /** The filters to run, in order. */
  public List<Filter> used() {
    return used;
  }

  /** One line per filter: used, or skipped and why. */
  public List<String> notes() {
    return notes;
  }

  /** Reads {@code chainFile} and keeps the filters whose requirements {@code dist} meets. */
  public static FilterChain load(Path chainFile, Path dist) throws IOException {
    Object document = new Load(LoadSettings.builder().setLabel(chainFile.toString()).build())
        .loadFromString(Files.readString(chainFile));
    if (!(document instanceof Map<?, ?> root) || !(root.get("filters") instanceof List<?> entries)) {
      throw new IOException(chainFile + ": expected a map with a `filters:` list");
    }
    Path base = chainFile.toAbsolutePath().getParent();
    List<Path> distFiles = listFiles(dist);
    List<Filter> used = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (!(entries.get(i) instanceof Map<?, ?> entry) || !(entry.get("name") instanceof String name)) {
        throw new IOException(chainFile + ": filters[" + i + "]: expected a map with a `name`");
      }
      List<String> requires = new ArrayList<>();
      if (entry.get("requires") instanceof List<?> globs) {
        globs.forEach(glob -> requires.add(String.valueOf(glob)));
      } else if (entry.get("requires") instanceof String glob) {
        requires.add(glob);
      }
      if (!requires.isEmpty() && !anyMatches(requires, distFiles)) {
        notes.add("filter " + name + ": skipped, nothing in " + dist + " matches " + requires);
        continue;
      }
      Map<String, Object> config = new LinkedHashMap<>();
      if (entry.get("config") instanceof Map<?, ?> settings) {
        settings.forEach((key, value) ->
            config.put(String.valueOf(key), resolveFiles(String.valueOf(key), value, base)));
      }
      used.add(new Filter(name, config));
      notes.add("filter " + name + ": used");
    }
    Map<String, String> attachments = new LinkedHashMap<>();
    if (root.get("request_attachments") instanceof Map<?, ?> map) {
      map.forEach((key, value) -> attachments.put(String.valueOf(key), String.valueOf(value)));
    }
    return new FilterChain(used, notes, attachments);
  }

  private static Object resolveFiles(String key, Object value, Path base) {
    if ("file".equals(key) && value instanceof String path && !Path.of(path).isAbsolute()) {
      return base.resolve(path).normalize().toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> resolved = new LinkedHashMap<>();
      map.forEach((k, v) -> resolved.put(String.valueOf(k), resolveFiles(String.valueOf(k), v, base)));
      return resolved;
    }
    return value;
  }

  private static List<Path> listFiles(Path dist) throws IOException {
    if (dist == null || !Files.isDirectory(dist)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dist, 4)) {
      return files.filter(Files::isRegularFile).map(dist::relativize).toList();
    }
  }

  private static boolean anyMatches(List<String> globs, List<Path> files) {
    for (String glob : globs) {
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      for (Path file : files) {
        if (matcher.matches(file)) {
          return true;
        }
      }
    }
    return false;
  }
}

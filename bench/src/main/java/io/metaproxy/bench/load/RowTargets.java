package io.metaproxy.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection sets of a {@code load --sequence}: one {@link LoadGenerator} per target port, shared by the rows
 * that run there. Where every row has its own server (bench/engines/run's resident mode: one metaproxy process per
 * row, so that no JVM runs, and is JIT-profiled by, more than one engine), each row thus keeps its own connections,
 * opened once at the start and kept for the whole run, and rows still follow each other within seconds.
 */
final class RowTargets implements AutoCloseable {
  /** One port, the rows that run on it (in sequence order), and the connections to it. */
  record Target(int port, List<String> rows, LoadGenerator generator) {}

  private final List<Target> targets = new ArrayList<>();
  private final Map<String, LoadGenerator> byRow = new LinkedHashMap<>();

  private RowTargets() {}

  /**
   * Connects one set of {@code options}' connections per distinct port of {@code ports} (row to port, in row order);
   * closes what it opened when one fails.
   */
  static RowTargets connect(LoadGenerator.Options options, Map<String, Integer> ports)
      throws IOException, InterruptedException {
    RowTargets connected = new RowTargets();
    try {
      for (Map.Entry<String, Integer> row : ports.entrySet()) {
        connected.add(row.getKey(), row.getValue(), options);
      }
      return connected;
    } catch (IOException | InterruptedException | RuntimeException e) {
      connected.close();
      throw e;
    }
  }

  private void add(String row, int port, LoadGenerator.Options options) throws IOException, InterruptedException {
    for (Target target : targets) {
      if (target.port() == port) {
        target.rows().add(row);
        byRow.put(row, target.generator());
        return;
      }
    }
    Target target = new Target(port, new ArrayList<>(List.of(row)), LoadGenerator.connect(options.withPort(port)));
    targets.add(target);
    byRow.put(row, target.generator());
  }

  /** Every connection set, in the order of its first row. */
  List<Target> targets() {
    return targets;
  }

  /** The connections of {@code row}. */
  LoadGenerator generator(String row) {
    LoadGenerator generator = byRow.get(row);
    if (generator == null) {
      throw new IllegalArgumentException("no connections for row " + row);
    }
    return generator;
  }

  /** Connections reopened so far, over all sets. */
  long reconnects() {
    long reconnects = 0;
    for (Target target : targets) {
      reconnects += target.generator().reconnects();
    }
    return reconnects;
  }

  @Override
  public void close() {
    for (Target target : targets) {
      target.generator().close();
    }
  }
}

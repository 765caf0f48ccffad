package io.metaproxy.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When each measured step ran, in wall-clock time: {@code scenario,step,start_ms,end_ms} lines (epoch milliseconds),
 * one per step, appended by {@code load --marks}. A profile recorded in another process during the session (JFR in
 * metaproxy) is cut to one step with them.
 */
public final class StepMarks {
  private StepMarks() {}

  /** One measured step's wall-clock window. */
  public record Mark(String scenario, String step, long startMillis, long endMillis) {
    public Instant start() {
      return Instant.ofEpochMilli(startMillis);
    }

    public Instant end() {
      return Instant.ofEpochMilli(endMillis);
    }
  }

  /** Appends {@code mark} to {@code file}, with a header line when the file is new. */
  public static void append(Path file, Mark mark) throws IOException {
    StringBuilder text = new StringBuilder();
    if (!Files.exists(file) || Files.size(file) == 0) {
      text.append("scenario,step,start_ms,end_ms\n");
    }
    text.append(mark.scenario()).append(',').append(mark.step()).append(',').append(mark.startMillis()).append(',')
        .append(mark.endMillis()).append('\n');
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Every mark in {@code file}, in order. */
  public static List<Mark> read(Path file) throws IOException {
    List<Mark> marks = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] cells = line.split(",");
      if (cells.length != 4 || cells[0].equals("scenario")) {
        continue;
      }
      marks.add(new Mark(cells[0], cells[1], Long.parseLong(cells[2].trim()), Long.parseLong(cells[3].trim())));
    }
    return marks;
  }

  /** The last mark of {@code step} in {@code scenario}, if any. */
  public static Optional<Mark> find(List<Mark> marks, String scenario, String step) {
    Mark found = null;
    for (Mark mark : marks) {
      if (mark.scenario().equals(scenario) && mark.step().equals(step)) {
        found = mark;
      }
    }
    return Optional.ofNullable(found);
  }
}

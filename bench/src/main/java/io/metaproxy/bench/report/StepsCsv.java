package io.metaproxy.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The session's steps file: a header line, then one {@link StepRecord} per line. Cells never contain commas
 * (scenario and step names are checked), so there is no quoting.
 */
public final class StepsCsv {
  private StepsCsv() {}

  /** Appends {@code record}, writing the header first when the file is new or empty. */
  public static void append(Path file, StepRecord record) throws IOException {
    StringBuilder text = new StringBuilder();
    if (!Files.exists(file) || Files.size(file) == 0) {
      text.append(String.join(",", StepRecord.HEADER)).append('\n');
    }
    for (String cell : record.cells()) {
      if (cell.indexOf(',') >= 0 || cell.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("a CSV cell may not hold a comma or newline: " + cell);
      }
    }
    text.append(String.join(",", record.cells())).append('\n');
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Every record of {@code file}, in order. */
  public static List<StepRecord> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<StepRecord> records = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("scenario,")) {
        continue;
      }
      try {
        records.add(StepRecord.parse(Arrays.asList(line.split(",", -1))));
      } catch (RuntimeException e) {
        throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return records;
  }
}

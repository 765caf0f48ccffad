package io.metaproxy.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws latency against offered load, one color per scenario: p99 as a solid line, p50 dashed, on a logarithmic
 * latency axis; a dotted vertical line marks each scenario's closed-loop maximum throughput. Plain Java2D and ImageIO,
 * headless.
 */
public final class LatencyPlot {
  static final int WIDTH = 1100;
  static final int HEIGHT = 680;
  private static final int LEFT = 80;
  private static final int RIGHT = 230;
  private static final int TOP = 56;
  private static final int BOTTOM = 64;
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)
  };

  private LatencyPlot() {}

  /** Writes the plot of {@code report} to {@code png}. */
  public static void write(Report report, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = render(report, title);
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  static BufferedImage render(Report report, String title) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      draw(g, report, title);
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void draw(Graphics2D g, Report report, String title) {
    List<StepRecord> records = report.rows().stream().map(Report.Row::record).toList();
    double maxX = 0;
    double minY = Double.MAX_VALUE;
    double maxY = 0;
    for (StepRecord r : records) {
      maxX = Math.max(maxX, r.closed() ? r.achievedRps() : r.offeredRps());
      if (!r.closed()) {
        for (double y : new double[] {r.p50(), r.p99()}) {
          if (y > 0) {
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
          }
        }
      }
    }
    if (maxX <= 0) {
      maxX = 1;
    }
    if (maxY <= 0) {
      minY = 0.01;
      maxY = 10;
    }
    double xTickStep = niceStep(maxX * 1.05 / 8);
    double xMax = Math.ceil(maxX * 1.05 / xTickStep) * xTickStep;
    double yMinLog = Math.floor(Math.log10(minY));
    double yMaxLog = Math.ceil(Math.log10(maxY));
    if (yMaxLog <= yMinLog) {
      yMaxLog = yMinLog + 1;
    }
    Axes axes = new Axes(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM, xMax, yMinLog, yMaxLog);

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.setColor(Color.BLACK);
    g.drawString(title, LEFT, 32);

    // grid and ticks
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    Color grid = new Color(0xe6e6e6);
    for (double x = 0; x <= xMax + xTickStep / 2; x += xTickStep) {
      int px = axes.px(x);
      g.setColor(grid);
      g.drawLine(px, axes.top, px, axes.top + axes.height);
      g.setColor(Color.DARK_GRAY);
      String label = formatCount(x);
      g.drawString(label, px - metrics.stringWidth(label) / 2, axes.top + axes.height + 18);
    }
    for (double decade = yMinLog; decade <= yMaxLog; decade++) {
      for (int m = 1; m < 10; m++) {
        double value = Math.pow(10, decade) * m;
        if (Math.log10(value) > yMaxLog + 1e-9) {
          break;
        }
        int py = axes.py(value);
        g.setColor(m == 1 ? new Color(0xcccccc) : grid);
        g.drawLine(axes.left, py, axes.left + axes.width, py);
        if (m == 1 || m == 2 || m == 5) {
          g.setColor(Color.DARK_GRAY);
          String label = formatMillis(value);
          g.drawString(label, axes.left - 8 - metrics.stringWidth(label), py + metrics.getAscent() / 2 - 1);
        }
      }
    }
    g.setColor(Color.BLACK);
    g.drawRect(axes.left, axes.top, axes.width, axes.height);
    String xLabel = "offered load (requests/s)";
    g.drawString(xLabel, axes.left + (axes.width - metrics.stringWidth(xLabel)) / 2, HEIGHT - 20);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    String yLabel = "latency (ms, log scale)";
    rotated.drawString(yLabel, -(axes.top + (axes.height + metrics.stringWidth(yLabel)) / 2), 22);
    rotated.dispose();

    // series
    Stroke solid = new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    Stroke dashed = new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 5f}, 0f);
    Stroke dotted = new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {2f, 4f}, 0f);
    List<String> scenarios = report.scenarios();
    int legendY = axes.top + 10;
    for (int s = 0; s < scenarios.size(); s++) {
      String scenario = scenarios.get(s);
      Color color = PALETTE[s % PALETTE.length];
      List<StepRecord> open = new ArrayList<>();
      StepRecord closed = null;
      for (StepRecord r : records) {
        if (r.scenario().equals(scenario)) {
          if (r.closed()) {
            closed = r;
          } else {
            open.add(r);
          }
        }
      }
      open.sort((a, b) -> Double.compare(a.offeredRps(), b.offeredRps()));
      g.setColor(color);
      series(g, axes, open, true, solid, 4);
      series(g, axes, open, false, dashed, 2);
      if (closed != null && closed.achievedRps() > 0) {
        g.setStroke(dotted);
        int px = axes.px(closed.achievedRps());
        g.drawLine(px, axes.top, px, axes.top + axes.height);
      }
      // legend
      int lx = axes.left + axes.width + 16;
      g.setStroke(solid);
      g.drawLine(lx, legendY, lx + 26, legendY);
      g.setColor(Color.BLACK);
      g.drawString(scenario, lx + 32, legendY + 4);
      if (closed != null) {
        g.setColor(Color.DARK_GRAY);
        g.drawString("max " + formatCount(closed.achievedRps()) + "/s", lx + 32, legendY + 19);
      }
      legendY += 40;
    }
    g.setColor(Color.DARK_GRAY);
    int lx = axes.left + axes.width + 16;
    g.setStroke(solid);
    g.drawLine(lx, legendY, lx + 26, legendY);
    g.drawString("p99", lx + 32, legendY + 4);
    g.setStroke(dashed);
    g.drawLine(lx, legendY + 18, lx + 26, legendY + 18);
    g.drawString("p50", lx + 32, legendY + 22);
    g.setStroke(dotted);
    g.drawLine(lx + 13, legendY + 30, lx + 13, legendY + 46);
    g.drawString("closed-loop max", lx + 32, legendY + 42);
  }

  private static void series(Graphics2D g, Axes axes, List<StepRecord> points, boolean p99, Stroke stroke, int dot) {
    Path2D.Double path = new Path2D.Double();
    boolean started = false;
    for (StepRecord r : points) {
      double y = p99 ? r.p99() : r.p50();
      if (!(y > 0)) {
        continue;
      }
      int px = axes.px(r.offeredRps());
      int py = axes.py(y);
      if (started) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        started = true;
      }
      g.fillOval(px - dot, py - dot, dot * 2, dot * 2);
    }
    g.setStroke(stroke);
    g.draw(path);
  }

  /** A step of 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= raw) {
        return m * power;
      }
    }
    return 10 * power;
  }

  private static String formatCount(double value) {
    if (value >= 1000) {
      double k = value / 1000;
      return k == Math.rint(k) ? String.format(Locale.ROOT, "%.0fk", k) : String.format(Locale.ROOT, "%.1fk", k);
    }
    return String.format(Locale.ROOT, "%.0f", value);
  }

  private static String formatMillis(double value) {
    if (value >= 1) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    return new java.math.BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /** Maps data to pixels: x linear from 0, y logarithmic. */
  private record Axes(int left, int top, int width, int height, double xMax, double yMinLog, double yMaxLog) {
    int px(double x) {
      return left + (int) Math.round(x / xMax * width);
    }

    int py(double y) {
      double position = (Math.log10(y) - yMinLog) / (yMaxLog - yMinLog);
      position = Math.max(0, Math.min(1, position));
      return top + height - (int) Math.round(position * height);
    }
  }
}

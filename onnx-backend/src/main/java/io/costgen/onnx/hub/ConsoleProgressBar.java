package io.costgen.onnx.hub;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Text progress bar: one line per file, redrawn in place with {@code \r} at most every 100 ms
 * ({@code interactive}), or one line per finished file otherwise. Thread-safe (synchronized).
 */
final class ConsoleProgressBar implements ProgressListener {
  private static final long REDRAW_INTERVAL_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final boolean interactive;
  private final LongSupplier nanoTime;

  private String currentFile;
  private long fileStartNanos;
  private long fileStartBytes;
  private long lastDrawNanos;
  private int lastLineLength;

  ConsoleProgressBar(PrintStream out, boolean interactive, LongSupplier nanoTime) {
    this.out = Objects.requireNonNull(out, "out");
    this.interactive = interactive;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public synchronized void onProgress(DownloadProgress p) {
    long now = nanoTime.getAsLong();
    if (!p.file().equals(currentFile)) {
      currentFile = p.file();
      fileStartNanos = now;
      fileStartBytes = p.fileBytes();
      lastLineLength = 0;
    } else if (now - lastDrawNanos < REDRAW_INTERVAL_NANOS) {
      return;
    }
    if (interactive) {
      draw(line(p, now));
    }
    lastDrawNanos = now;
  }

  @Override
  public synchronized void onFileComplete(DownloadProgress p) {
    long now = nanoTime.getAsLong();
    if (!p.file().equals(currentFile)) {
      currentFile = p.file();
      fileStartNanos = now;
      fileStartBytes = p.fileBytes();
      lastLineLength = 0;
    }
    if (interactive) {
      draw(line(p, now));
      out.print('\n');
    } else {
      out.println(line(p, now));
    }
    out.flush();
    currentFile = null;
    lastLineLength = 0;
  }

  private void draw(String line) {
    StringBuilder sb = new StringBuilder(line.length() + 2 + lastLineLength).append('\r').append(line);
    for (int i = line.length(); i < lastLineLength; i++) {
      sb.append(' ');
    }
    lastLineLength = line.length();
    out.print(sb);
    out.flush();
  }

  private String line(DownloadProgress p, long now) {
    StringBuilder sb = new StringBuilder(120);
    sb.append('[').append(p.fileIndex());
    if (p.fileCount() > 0) {
      sb.append('/').append(p.fileCount());
    }
    sb.append("] ").append(p.file()).append(' ');
    if (p.fileTotalBytes() > 0) {
      double fraction = Math.min(1.0, (double) p.fileBytes() / p.fileTotalBytes());
      int filled = (int) Math.round(fraction * BAR_WIDTH);
      sb.append(String.format(Locale.ROOT, "%3d%% [", (int) Math.floor(fraction * 100)));
      sb.append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ");
      sb.append(bytes(p.fileBytes())).append(" / ").append(bytes(p.fileTotalBytes()));
    } else {
      sb.append(bytes(p.fileBytes()));
    }
    long elapsed = now - fileStartNanos;
    long transferred = p.fileBytes() - fileStartBytes;
    if (elapsed > 0 && transferred > 0) {
      sb.append("  ").append(bytes((long) (transferred * 1e9 / elapsed))).append("/s");
    }
    if (p.overallTotalBytes() > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  total %d%%",
              (int) Math.floor(Math.min(1.0, (double) p.overallBytes() / p.overallTotalBytes()) * 100)));
    }
    return sb.toString();
  }

  /** {@code 1536} → {@code "1.5 KiB"}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    do {
      v /= 1024;
      u++;
    } while (v >= 1024 && u < units.length - 1);
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}

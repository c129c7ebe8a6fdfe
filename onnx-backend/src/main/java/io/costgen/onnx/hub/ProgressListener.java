package io.costgen.onnx.hub;

import java.io.PrintStream;

/**
 * Told how a {@link HubDownloader} download advances. Called on the downloading thread, often
 * (every few tens of KiB); implementations must be fast and must not call back into the
 * downloader. Exceptions thrown here are caught and logged at WARN; they never stop a download.
 */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores everything; the default. */
  ProgressListener NONE = progress -> {};

  /** Bytes of {@code progress.file()} arrived (or were found in the cache). */
  void onProgress(DownloadProgress progress);

  /** {@code progress.file()} is complete and verified (its final progress). */
  default void onFileComplete(DownloadProgress progress) {}

  /**
   * A progress bar on standard error. When a console is attached it redraws one line per file
   * with {@code \r} (percentage, bytes, speed; bytes only when the size is unknown); otherwise it
   * prints one line per finished file. Thread-safe.
   */
  static ProgressListener console() {
    return new ConsoleProgressBar(System.err, System.console() != null, System::nanoTime);
  }

  /** A progress bar that redraws on {@code out} with {@code \r}. Thread-safe. */
  static ProgressListener console(PrintStream out) {
    return new ConsoleProgressBar(out, true, System::nanoTime);
  }
}

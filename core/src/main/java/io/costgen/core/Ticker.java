package io.costgen.core;

/**
 * A nanosecond time source for measuring durations (time to first token, deadlines,
 * {@code maxTime}); inject a fake one in tests. Implementations must be thread-safe and
 * monotonic.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds since an arbitrary fixed origin. */
  long read();

  /** {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}

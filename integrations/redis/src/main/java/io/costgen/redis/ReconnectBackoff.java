package io.costgen.redis;

import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The reconnect schedule of a {@link RedisBudgetStore}: after a failed connect the next attempt
 * waits {@code min}, then twice as long after each further failure, capped at {@code max}; a
 * successful connect starts again from {@code min}. Operations that come before the next attempt
 * is due fail fast instead of connecting.
 *
 * <p>Times are {@link System#nanoTime()} readings passed in by the caller (so that tests can drive
 * the schedule). Not thread-safe: the store calls it under its connect lock.
 */
final class ReconnectBackoff {

  private final Duration min;
  private final Duration max;
  private Duration delay;
  private boolean waiting;
  private long nextAttemptNanos;

  /** A schedule doubling from {@code min} up to {@code max} (0 &lt; min &le; max). */
  ReconnectBackoff(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("reconnectBackoff: min " + min + " must be > 0 and <= max " + max);
    }
    this.min = min;
    this.max = max;
    this.delay = min;
  }

  /**
   * The same schedule for Lettuce's own reconnection of an established connection (exponential
   * from {@code min}, doubling, capped at {@code max}).
   */
  static Delay lettuceDelay(Duration min, Duration max) {
    return Delay.exponential(min, max, 2, TimeUnit.MILLISECONDS);
  }

  /** Nanoseconds until the next connect attempt is due at {@code nowNanos}; 0 if one may be made now. */
  long nanosUntilNextAttempt(long nowNanos) {
    if (!waiting) {
      return 0;
    }
    long left = nextAttemptNanos - nowNanos;
    return left > 0 ? left : 0;
  }

  /** Records a failed attempt at {@code nowNanos}: the next waits the current delay, which then doubles (capped). */
  void onFailure(long nowNanos) {
    nextAttemptNanos = nowNanos + delay.toNanos();
    waiting = true;
    Duration doubled = delay.multipliedBy(2);
    delay = doubled.compareTo(max) > 0 ? max : doubled;
  }

  /** Records a successful connect: the next failure waits {@code min} again. */
  void onSuccess() {
    delay = min;
    waiting = false;
    nextAttemptNanos = 0;
  }

  /** How long the wait after the next failure will be. */
  Duration nextDelay() {
    return delay;
  }
}

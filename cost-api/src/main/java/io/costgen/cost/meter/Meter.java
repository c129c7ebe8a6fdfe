package io.costgen.cost.meter;

import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one {@link UsageRecord} per call (SPI). Implementations must be thread-safe. When
 * {@link #record} returns normally the record is acknowledged (for a durable meter such as
 * {@link JsonLinesLedger}: written per its fsync policy); a failure is thrown.
 */
public interface Meter {

  /** Records one call. */
  void record(UsageRecord record);

  /** A meter that drops everything. */
  static Meter noop() {
    return r -> { };
  }

  /**
   * A meter that records into each of {@code meters} in order. Every meter is tried; if any
   * threw, the first exception is rethrown after all were tried.
   */
  static Meter composite(Meter... meters) {
    List<Meter> list = List.of(meters);
    return r -> {
      RuntimeException first = null;
      for (Meter m : list) {
        try {
          m.record(r);
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    };
  }

  /** A meter that catches and logs (WARN) whatever {@code meter} throws; for meters whose failure must not fail the call. */
  static Meter guarded(Meter meter) {
    Objects.requireNonNull(meter, "meter");
    Logger log = LoggerFactory.getLogger(Meter.class);
    return r -> {
      try {
        meter.record(r);
      } catch (RuntimeException e) {
        log.warn("meter {} failed to record {}; ignored", meter.getClass().getName(), r.id(), e);
      }
    };
  }
}

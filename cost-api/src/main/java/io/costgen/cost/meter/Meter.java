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

  /**
   * Records one call.
   *
   * @throws MeterException (or another unchecked exception) if it could not be recorded
   */
  void record(UsageRecord record);

  /**
   * Checks that this meter can record now; a call runs this before doing any work, so a meter
   * that cannot record fails the call up front instead of losing its record. The default does
   * nothing.
   *
   * @throws MeterException if the meter cannot record (e.g. its ledger cannot be written)
   */
  default void checkReady() {}

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
    return new Meter() {
      @Override
      public void checkReady() {
        list.forEach(Meter::checkReady);
      }

      @Override
      public void record(UsageRecord r) {
        recordAll(list, r);
      }
    };
  }

  private static void recordAll(List<Meter> list, UsageRecord r) {
    {
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
    }
  }

  /**
   * A meter that catches and logs (WARN) whatever {@code meter} throws, and is always ready; for
   * meters whose failure must not fail the call (their records are then lost).
   */
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

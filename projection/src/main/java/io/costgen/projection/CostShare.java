package io.costgen.projection;

import io.costgen.cost.Money;
import java.util.Locale;
import java.util.Objects;

/**
 * One slice of where a day's money goes ({@link ProjectionResult#breakdown()}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param part what the money pays for
 * @param perDay money per day
 * @param fraction share of the day's total cost, in [0, 1] (the parts of one result add to 1)
 */
public record CostShare(Part part, Money perDay, double fraction) {

  /** What a slice pays for. */
  public enum Part {
    /** Device time running prompts (prefill), from the roofline split. */
    PREFILL("prefill"),
    /** Device time generating tokens (decode), from the roofline split. */
    DECODE("decode"),
    /**
     * Busy device time that a measured throughput does not split into prefill and decode.
     */
    BUSY("busy (measured, not split)"),
    /** Paid device time that is not busy: {@code (1 − utilisation) / utilisation} × busy time. */
    IDLE("idle (paid, not busy)"),
    /** Electricity, when a price per kWh is given (else it is inside the device-hour price). */
    ELECTRICITY("electricity");

    private final String label;

    Part(String label) {
      this.label = label;
    }

    /** A short human label, e.g. {@code "idle (paid, not busy)"}. */
    public String label() {
      return label;
    }

    /** The lower-case key used in JSON and CSV, e.g. {@code "prefill"}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Validates.
   *
   * @throws IllegalArgumentException if the money is negative or the fraction is outside [0, 1]
   */
  public CostShare {
    Objects.requireNonNull(part, "part");
    Objects.requireNonNull(perDay, "perDay");
    if (perDay.isNegative()) {
      throw new IllegalArgumentException("perDay: " + perDay + " must be >= 0");
    }
    if (!(fraction >= 0 && fraction <= 1 + 1e-9)) {
      throw new IllegalArgumentException("fraction: " + fraction + " must be in [0, 1]");
    }
  }
}

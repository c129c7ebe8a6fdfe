package io.costgen.cost;

import java.util.Objects;

/**
 * A roofline prediction for one call ({@link RooflineModel#predict}): prefill time, decode time,
 * their sum, and which roofline limit each phase hit. Times are wall-clock seconds of the whole
 * device group; {@link #deviceSeconds()} multiplies by the device count.
 *
 * <p>Immutable and thread-safe.
 *
 * @param prefillSeconds time to run the prompt through the model, seconds
 * @param decodeSeconds time for all decode steps, seconds
 * @param decodeSecondsPerToken mean time per decode step, seconds (0 when there are none)
 * @param totalSeconds prefill + decode (+ any per-pass overhead), seconds
 * @param decodeSteps decode forward passes predicted
 * @param devices devices the model is split over
 * @param prefillBound the limit of the prefill pass
 * @param decodeBound the limit that dominates the decode steps (the larger of summed compute
 *     and summed memory time; for zero steps, the limit of one step at context prompt + 1)
 */
public record LatencyEstimate(
    double prefillSeconds,
    double decodeSeconds,
    double decodeSecondsPerToken,
    double totalSeconds,
    long decodeSteps,
    int devices,
    Bound prefillBound,
    Bound decodeBound) {

  /** Which roofline limit a phase hit. */
  public enum Bound {
    /** Time set by bytes moved ÷ (bandwidth × efficiency). */
    MEMORY,
    /** Time set by FLOPs ÷ (peak × MFU). */
    COMPUTE
  }

  public LatencyEstimate {
    requireNonNegative("prefillSeconds", prefillSeconds);
    requireNonNegative("decodeSeconds", decodeSeconds);
    requireNonNegative("decodeSecondsPerToken", decodeSecondsPerToken);
    requireNonNegative("totalSeconds", totalSeconds);
    if (decodeSteps < 0) {
      throw new IllegalArgumentException("decodeSteps: " + decodeSteps + " must be >= 0");
    }
    if (devices < 1) {
      throw new IllegalArgumentException("devices: " + devices + " must be >= 1");
    }
    Objects.requireNonNull(prefillBound, "prefillBound");
    Objects.requireNonNull(decodeBound, "decodeBound");
  }

  /** {@code totalSeconds × devices}: device-seconds the call occupies. */
  public double deviceSeconds() {
    return totalSeconds * devices;
  }

  private static void requireNonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value >= 0");
    }
  }
}

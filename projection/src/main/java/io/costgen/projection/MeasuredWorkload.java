package io.costgen.projection;

import io.costgen.cost.HardwareProfile;
import io.costgen.cost.ModelShape;
import java.util.Objects;

/**
 * What a real deployment measured over some window, as input to a calibrated projection
 * ({@link DailyCostProjection.Builder#calibratedFrom(MeasuredWorkload)}): how many requests, how
 * many tokens in all, and how many device-seconds they kept the measuring machine busy.
 *
 * <p>Fill it from a meter or ledger (sum of {@code Usage.deviceSeconds()} over the window).
 * The projection divides the measured device-seconds per request by the roofline prediction
 * for the same model and tokens on {@link #measuredOn()} (at {@link #batch()} rows per forward
 * pass, one device, {@link io.costgen.cost.RooflineModel} defaults) and applies that factor to
 * the roofline prediction on the target hardware.
 *
 * <p>Immutable and thread-safe.
 *
 * @param requests requests measured (≥ 1)
 * @param promptTokens prompt tokens of all measured requests, tokens (≥ 0)
 * @param completionTokens generated tokens of all measured requests, tokens (≥ 1)
 * @param deviceSeconds busy device time of all measured requests, seconds (> 0)
 * @param measuredOn the machine that ran them, e.g. {@link HardwareProfile#cpu()}
 * @param model the model that ran
 * @param batch rows per forward pass on the measuring machine (≥ 1; 1 for one call at a time)
 */
public record MeasuredWorkload(
    long requests,
    long promptTokens,
    long completionTokens,
    double deviceSeconds,
    HardwareProfile measuredOn,
    ModelShape model,
    int batch) {

  /**
   * Validates eagerly.
   *
   * @throws IllegalArgumentException naming the bad field, its value and the allowed range
   */
  public MeasuredWorkload {
    Objects.requireNonNull(measuredOn, "measuredOn");
    Objects.requireNonNull(model, "model");
    if (requests < 1) {
      throw new IllegalArgumentException("requests: " + requests + " must be >= 1");
    }
    if (promptTokens < 0) {
      throw new IllegalArgumentException("promptTokens: " + promptTokens + " must be >= 0");
    }
    if (completionTokens < 1) {
      throw new IllegalArgumentException(
          "completionTokens: " + completionTokens + " must be >= 1");
    }
    if (!(deviceSeconds > 0) || Double.isInfinite(deviceSeconds)) {
      throw new IllegalArgumentException(
          "deviceSeconds: " + deviceSeconds + " must be a finite value > 0");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " must be >= 1");
    }
  }

  /** A workload measured one request at a time ({@code batch = 1}). */
  public MeasuredWorkload(long requests, long promptTokens, long completionTokens,
      double deviceSeconds, HardwareProfile measuredOn, ModelShape model) {
    this(requests, promptTokens, completionTokens, deviceSeconds, measuredOn, model, 1);
  }

  /** Mean prompt tokens per request, rounded to the nearest token. */
  public long promptTokensPerRequest() {
    return Math.round((double) promptTokens / requests);
  }

  /** Mean generated tokens per request, rounded to the nearest token (at least 1). */
  public long completionTokensPerRequest() {
    return Math.max(1, Math.round((double) completionTokens / requests));
  }

  /** Mean busy device-seconds per request on {@link #measuredOn()}, seconds. */
  public double deviceSecondsPerRequest() {
    return deviceSeconds / requests;
  }
}

package io.costgen.projection;

import io.costgen.cost.DType;
import io.costgen.cost.Money;
import java.util.Objects;

/**
 * The training side of a projection ({@link DailyCostProjection#training(double, double)}):
 * {@code 6·N·D} FLOPs (Kaplan et al. 2020 §2.1; Brown et al. 2020 Table D.1) on the
 * projection's hardware at a model FLOPs utilisation, with the projection's price, power, PUE
 * and grid intensity. Device time is all busy (no fleet-utilisation division).
 *
 * <p>Immutable and thread-safe.
 *
 * @param tokens training tokens D
 * @param flops {@code 6·parameters·tokens}, FLOPs
 * @param petaflopSDays FLOPs ÷ 8.64e19
 * @param computeDtype which peak of the hardware the matmuls run at
 * @param computeEfficiency model FLOPs utilisation (MFU), in (0, 1]
 * @param deviceHours {@code flops / (peak · MFU) / 3600}, device-hours
 * @param cost device-hours × price per device-hour (+ electricity when priced)
 * @param energyKwh device-seconds × power × PUE, kWh
 * @param co2eKg energy × grid intensity, kg CO2e
 */
public record TrainingEstimate(
    double tokens,
    double flops,
    double petaflopSDays,
    DType computeDtype,
    double computeEfficiency,
    double deviceHours,
    Money cost,
    double energyKwh,
    double co2eKg) {

  public TrainingEstimate {
    Objects.requireNonNull(computeDtype, "computeDtype");
    Objects.requireNonNull(cost, "cost");
  }

  /**
   * Wall-clock days on {@code devices} devices: {@code deviceHours / devices / 24}.
   *
   * @throws IllegalArgumentException if {@code devices < 1}
   */
  public double daysOn(int devices) {
    if (devices < 1) {
      throw new IllegalArgumentException("devices: " + devices + " must be >= 1");
    }
    return deviceHours / devices / 24.0;
  }
}

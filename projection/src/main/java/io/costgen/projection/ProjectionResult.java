package io.costgen.projection;

import io.costgen.cost.LatencyEstimate;
import io.costgen.cost.Money;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The projection of one day. Money is decimal ({@link Money}) in the price's currency, to
 * {@value DailyCostProjection#SIGNIFICANT_DIGITS} significant digits (it derives from
 * device-seconds held as doubles); the breakdown adds up to the day's cost exactly. Energy in
 * kWh (per day) and Wh (per request); CO2e in kg per day.
 *
 * <p>Immutable and thread-safe.
 *
 * @param projection the inputs
 * @param method how busy device-seconds were obtained
 * @param requestsPerDay requests per day
 * @param promptTokensPerDay prompt tokens per day
 * @param outputTokensPerDay generated tokens per day
 * @param tokensPerDay prompt + generated tokens per day
 * @param batch rows per forward pass the roofline used (empty for a measured throughput)
 * @param devices devices on average and at the peak
 * @param deviceSecondsPerRequest busy device-seconds per request
 * @param prefillDeviceSecondsPerRequest the prefill part (0 when not split)
 * @param decodeDeviceSecondsPerRequest the decode part (0 when not split)
 * @param outputTokensPerDeviceSecond output tokens per busy device-second
 * @param busyDeviceHoursPerDay busy device-hours per day
 * @param deviceHoursPerDay paid device-hours per day
 * @param costPerDay money per day
 * @param costPerMonth money per month (365 / 12 days)
 * @param costPerYear money per year (365 days)
 * @param costPerRequest money per request
 * @param costPerMillionOutputTokens money per million generated tokens
 * @param energyKwhPerDay facility energy per day (device energy × PUE), kWh
 * @param energyWhPerRequest facility energy per request, Wh
 * @param co2eKgPerDay emissions per day, kg CO2e
 * @param bound the roofline limit of the longer phase (empty for a measured throughput)
 * @param latencySeconds request latency at the batch, seconds (empty for a measured throughput)
 * @param latency the roofline estimate for one batch (calibrated: scaled by the factor)
 * @param calibrationFactor measured ÷ roofline time on the measuring machine (calibrated only)
 * @param breakdown where the day's money goes; fractions add to 1
 * @param warnings things to check (inputs outside the model's assumptions)
 */
public record ProjectionResult(
    DailyCostProjection projection,
    DailyCostProjection.Method method,
    double requestsPerDay,
    double promptTokensPerDay,
    double outputTokensPerDay,
    double tokensPerDay,
    OptionalInt batch,
    Devices devices,
    double deviceSecondsPerRequest,
    double prefillDeviceSecondsPerRequest,
    double decodeDeviceSecondsPerRequest,
    double outputTokensPerDeviceSecond,
    double busyDeviceHoursPerDay,
    double deviceHoursPerDay,
    Money costPerDay,
    Money costPerMonth,
    Money costPerYear,
    Money costPerRequest,
    Money costPerMillionOutputTokens,
    double energyKwhPerDay,
    double energyWhPerRequest,
    double co2eKgPerDay,
    Optional<LatencyEstimate.Bound> bound,
    OptionalDouble latencySeconds,
    Optional<LatencyEstimate> latency,
    OptionalDouble calibrationFactor,
    List<CostShare> breakdown,
    List<String> warnings) {

  public ProjectionResult {
    Objects.requireNonNull(projection, "projection");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(devices, "devices");
    Objects.requireNonNull(costPerDay, "costPerDay");
    breakdown = List.copyOf(breakdown);
    warnings = List.copyOf(warnings);
  }

  /** Grams CO2e per request. */
  public double co2eGramsPerRequest() {
    return co2eKgPerDay * 1000 / requestsPerDay;
  }

  /** The share of {@code part}, or zero money when absent. */
  public CostShare share(CostShare.Part part) {
    for (CostShare s : breakdown) {
      if (s.part() == part) {
        return s;
      }
    }
    return new CostShare(part, Money.zero(costPerDay.currency()), 0);
  }

  /**
   * Devices for a projection.
   *
   * @param perReplica devices one model replica runs on
   * @param minimumPerReplica fewest devices that hold weights + KV cache at the batch
   * @param average paid devices averaged over the day (busy ÷ utilisation ÷ 86,400; fractional)
   * @param peak devices at the peak hour: ⌈average × peak-to-average ÷ perReplica⌉ × perReplica
   * @param peakReplicas replicas at the peak hour
   * @param servers ⌈peak ÷ devices per server⌉, when devices per server was given
   */
  public record Devices(int perReplica, int minimumPerReplica, double average, long peak,
      long peakReplicas, OptionalLong servers) {
    public Devices {
      Objects.requireNonNull(servers, "servers");
    }
  }
}

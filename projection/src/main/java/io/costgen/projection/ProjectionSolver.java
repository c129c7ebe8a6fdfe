package io.costgen.projection;

import io.costgen.cost.LatencyEstimate;
import io.costgen.cost.Money;
import io.costgen.cost.RooflineModel;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Solves one {@link DailyCostProjection}: chooses the batch and devices, gets busy device-seconds
 * per request (roofline, measured or calibrated), sizes the fleet and prices the day
 * ({@code docs/daily-cost.md} has the formulas). One per {@link DailyCostProjection#project()}
 * call; not thread-safe, holds no state beyond the inputs.
 */
final class ProjectionSolver {

  private record Choice(int batch, int devices, LatencyEstimate latency) {}

  private final DailyCostProjection p;

  ProjectionSolver(DailyCostProjection p) {
    this.p = p;
  }

  ProjectionResult solve() {
    List<String> warnings = new ArrayList<>();
    DailyCostProjection.Method method = p.method();
    int devices;
    int minimumDevices;
    OptionalInt usedBatch = OptionalInt.empty();
    Optional<LatencyEstimate> latency = Optional.empty();
    OptionalDouble factor = OptionalDouble.empty();
    double prefillDsr;
    double decodeDsr;
    double busyDsr;

    if (method == DailyCostProjection.Method.MEASURED_THROUGHPUT) {
      int b = p.batch == null ? 1 : p.batch;
      minimumDevices = p.minimumDevicesPerReplica(b);
      devices = p.devicesPerReplica != null ? p.devicesPerReplica : minimumDevices;
      if (devices < minimumDevices) {
        warnings.add("devicesPerReplica: " + devices + " cannot hold " + p.memoryText(b)
            + "; the roofline needs >= " + minimumDevices + " (the measured throughput is used"
            + " as given)");
      }
      busyDsr = p.outputTokens / p.measuredThroughput;
      prefillDsr = 0;
      decodeDsr = 0;
    } else {
      Choice c = chooseBatch();
      devices = c.devices;
      minimumDevices = p.minimumDevicesPerReplica(c.batch);
      usedBatch = OptionalInt.of(c.batch);
      double k = 1;
      if (method == DailyCostProjection.Method.CALIBRATED) {
        k = calibrationFactor();
        factor = OptionalDouble.of(k);
        if (k < SUSPICIOUS_CALIBRATION || k > 1 / SUSPICIOUS_CALIBRATION) {
          warnings.add(String.format(Locale.ROOT, "calibration: the measurement on %s took %.3g×"
              + " its roofline prediction; check the units of the measured device-seconds and"
              + " the measuring profile", p.calibration.measuredOn().name(), k));
        }
      }
      LatencyEstimate e = c.latency;
      if (k != 1) {
        e = new LatencyEstimate(e.prefillSeconds() * k, e.decodeSeconds() * k,
            e.decodeSecondsPerToken() * k, e.totalSeconds() * k, e.decodeSteps(), e.devices(),
            e.prefillBound(), e.decodeBound());
      }
      latency = Optional.of(e);
      prefillDsr = e.prefillSeconds() * devices / c.batch;
      decodeDsr = e.decodeSeconds() * devices / c.batch;
      busyDsr = e.totalSeconds() * devices / c.batch;
    }
    if (p.context() > p.model.contextLength()) {
      warnings.add("promptTokens + outputTokens: " + p.context() + " exceeds " + p.model.name()
          + "'s context length " + p.model.contextLength() + " (projected as if it fitted)");
    }

    double busyPerDay = p.requestsPerDay * busyDsr;
    double averageDevices = busyPerDay / p.utilization / DailyCostProjection.SECONDS_PER_DAY;
    long peakReplicas = DailyCostProjection.ceil(averageDevices * p.peakToAverage / devices);
    long peakDevices = peakReplicas * devices;
    OptionalLong servers = p.devicesPerServer == null ? OptionalLong.empty()
        : OptionalLong.of(DailyCostProjection.ceil((double) peakDevices / p.devicesPerServer));
    double paidPerDay = p.provisioning == DailyCostProjection.Provisioning.ELASTIC ? busyPerDay / p.utilization
        : peakDevices * DailyCostProjection.SECONDS_PER_DAY;
    if (p.provisioning == DailyCostProjection.Provisioning.PEAK && paidPerDay < busyPerDay) {
      paidPerDay = busyPerDay; // cannot happen with utilisation <= 1 and peak >= 1; guards rounding
    }
    double idlePerDay = Math.max(0, paidPerDay - busyPerDay);

    double watts = p.busyWattsPerDevice();
    double joulesPerDay = (busyPerDay + idlePerDay * p.idlePowerFraction) * watts * p.pue;
    double kwhPerDay = joulesPerDay / 3.6e6;
    double whPerRequest = kwhPerDay * 1000 / p.requestsPerDay;
    double co2eKgPerDay = kwhPerDay * p.gridGramsCo2ePerKwh / 1000;

    Money deviceMoney = p.deviceMoney(paidPerDay);
    Money electricity = p.electricityPerKwh == null ? Money.zero(p.pricePerDeviceHour.currency())
        : p.electricityPerKwh.times(kwhPerDay);
    Money perDay = deviceMoney.plus(electricity);
    List<CostShare> breakdown = breakdown(method, perDay, deviceMoney, electricity,
        p.requestsPerDay * prefillDsr, busyPerDay, paidPerDay);

    double outputPerDay = p.requestsPerDay * p.outputTokens;
    ProjectionResult.Devices d = new ProjectionResult.Devices(devices, minimumDevices, averageDevices, peakDevices, peakReplicas,
        servers);
    Optional<LatencyEstimate.Bound> bound = latency.map(e ->
        e.prefillSeconds() > e.decodeSeconds() ? e.prefillBound() : e.decodeBound());
    return new ProjectionResult(p, method, p.requestsPerDay, p.requestsPerDay * p.promptTokens, outputPerDay,
        p.requestsPerDay * (p.promptTokens + p.outputTokens), usedBatch, d, busyDsr, prefillDsr,
        decodeDsr, p.outputTokens / busyDsr, busyPerDay / 3600, paidPerDay / 3600, perDay,
        DailyCostProjection.significant(perDay.times(BigDecimal.valueOf(DailyCostProjection.DAYS_PER_YEAR))
            .dividedBy(BigDecimal.valueOf(12))),
        perDay.times(BigDecimal.valueOf(DailyCostProjection.DAYS_PER_YEAR)),
        DailyCostProjection.significant(perDay.dividedBy(BigDecimal.valueOf(p.requestsPerDay))),
        DailyCostProjection.significant(perDay.dividedBy(BigDecimal.valueOf(outputPerDay / 1e6))),
        kwhPerDay, whPerRequest, co2eKgPerDay, bound,
        latency.map(e -> OptionalDouble.of(e.totalSeconds())).orElse(OptionalDouble.empty()),
        latency, factor, breakdown, warnings);
  }

  /**
   * A p.calibration factor outside [1/50, 50] is reported as a warning: real kernels differ from
   * the roofline by small factors (a {@code cpu()} profile's Java matmul peak is a lower bound,
   * so factors below 1 are normal there), not by orders of magnitude.
   */
  private static final double SUSPICIOUS_CALIBRATION = 1.0 / 50;


  private Choice chooseBatch() {
    if (p.targetLatencySeconds == null) {
      int b = p.batch == null ? 1 : p.batch;
      int d = devicesFor(b, true);
      return new Choice(b, d, p.roofline(d).predict(p.model, p.promptTokens, p.outputTokens, b));
    }
    Choice best = null;
    double bestDsr = Double.POSITIVE_INFINITY;
    double fastest = Double.POSITIVE_INFINITY;
    for (int b = 1; b <= p.maxBatch; b++) {
      int d = devicesFor(b, false);
      if (d < 0) {
        break; // fixed devices: larger batches do not fit either
      }
      LatencyEstimate e = p.roofline(d).predict(p.model, p.promptTokens, p.outputTokens, b);
      fastest = Math.min(fastest, e.totalSeconds());
      if (e.totalSeconds() <= p.targetLatencySeconds) {
        double dsr = e.totalSeconds() * d / b;
        if (dsr < bestDsr * (1 - 1e-12)) {
          bestDsr = dsr;
          best = new Choice(b, d, e);
        }
      }
    }
    if (best == null) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "targetLatencySeconds: %s s is unreachable for %s on %s (fastest batch: %.4g s); "
              + "raise it, or use faster hardware or fewer tokens",
          DailyCostProjection.num(p.targetLatencySeconds), p.model.name(), p.hardware.name(), fastest));
    }
    return best;
  }

  /** Devices for p.batch b: the fixed count (checked) or the minimum. -1 if fixed and too few. */
  private int devicesFor(int b, boolean fail) {
    int minimum = p.minimumDevicesPerReplica(b);
    if (p.devicesPerReplica == null) {
      return minimum;
    }
    if (p.devicesPerReplica < minimum) {
      if (!fail) {
        return -1;
      }
      throw new IllegalArgumentException("devicesPerReplica: " + p.devicesPerReplica
          + " is too few: " + p.memoryText(b) + " needs >= " + minimum + " x " + p.hardware.name()
          + " (" + DailyCostProjection.bytes(p.hardware.memoryBytes()) + " each); set devicesPerReplica >= " + minimum
          + " or leave it unset to size it automatically");
    }
    return p.devicesPerReplica;
  }

  private double calibrationFactor() {
    MeasuredWorkload w = p.calibration;
    LatencyEstimate m = RooflineModel.of(w.measuredOn()).predict(w.model(),
        w.promptTokensPerRequest(), w.completionTokensPerRequest(), w.batch());
    double rooflinePerRequest = m.totalSeconds() / w.batch();
    return w.deviceSecondsPerRequest() / rooflinePerRequest;
  }

  private List<CostShare> breakdown(DailyCostProjection.Method method, Money total, Money deviceMoney,
      Money electricity, double prefillPerDay, double busyPerDay, double paidPerDay) {
    List<CostShare> out = new ArrayList<>();
    // Exact parts: busy = money(min(busy, paid)); idle = device − busy; decode = busy − prefill.
    Money busy = busyPerDay >= paidPerDay ? deviceMoney : p.deviceMoney(busyPerDay);
    if (method == DailyCostProjection.Method.MEASURED_THROUGHPUT) {
      out.add(share(CostShare.Part.BUSY, busy, total));
    } else {
      Money prefill = p.deviceMoney(prefillPerDay);
      if (prefill.compareTo(busy) > 0) {
        prefill = busy;
      }
      out.add(share(CostShare.Part.PREFILL, prefill, total));
      out.add(share(CostShare.Part.DECODE, busy.minus(prefill), total));
    }
    out.add(share(CostShare.Part.IDLE, deviceMoney.minus(busy), total));
    out.add(share(CostShare.Part.ELECTRICITY, electricity, total));
    return out;
  }

  private static CostShare share(CostShare.Part part, Money money, Money total) {
    double f = total.isZero() ? 0
        : money.amount().doubleValue() / total.amount().doubleValue();
    return new CostShare(part, money, Math.min(1, Math.max(0, f)));
  }
}

package io.costgen.cost;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * The {@link CostModel} built by {@link CostModel.Builder}: per-token, per-device-hour (measured
 * or roofline-predicted device time) and energy/carbon strategies, added up. Immutable and
 * thread-safe; the local hardware defaults to {@link HardwareProfile#cpu()}, resolved on first
 * use.
 */
final class PricedCostModel implements CostModel {

  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
  private static final double JOULES_PER_KWH = 3.6e6;

  private final Money inputPerMillion;
  private final Money outputPerMillion;
  private final Money devicePrice;
  private final BigDecimal deviceDivisor;
  private final RooflineModel target;
  private final RooflineModel configuredLocal;
  private final HardwareProfile localHardware;
  private final double safetyFactor;
  private final boolean energy;
  private final double pue;
  private final double powerFactor;
  private final Double powerWatts;
  private final double gridIntensity;
  private final Money electricityPerKwh;
  private final Currency currency;
  private final String pricing;
  private volatile RooflineModel resolvedLocal;

  PricedCostModel(CostModel.Builder b, Money devicePrice, Currency currency) {
    this.inputPerMillion = b.inputPerMillion;
    this.outputPerMillion = b.outputPerMillion;
    this.devicePrice = devicePrice;
    this.deviceDivisor = SECONDS_PER_HOUR.multiply(BigDecimal.valueOf(b.utilization));
    this.target = b.target;
    this.configuredLocal = b.local;
    this.localHardware = b.localHardware;
    this.safetyFactor = b.safetyFactor == null
        ? CostModel.Builder.DEFAULT_ESTIMATE_SAFETY_FACTOR : b.safetyFactor;
    this.energy = b.energy;
    this.pue = b.pue;
    this.powerFactor = b.powerFactor;
    this.powerWatts = b.powerWatts;
    this.gridIntensity = b.gridIntensity;
    this.electricityPerKwh = b.electricityPerKwh;
    this.currency = currency;
    this.pricing = describe(b.utilization);
  }

  @Override
  public CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences) {
    Objects.requireNonNull(model, "model");
    if (promptTokens < 0) {
      throw new IllegalArgumentException("promptTokens: " + promptTokens + " must be >= 0");
    }
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("maxNewTokens: " + maxNewTokens + " must be >= 0");
    }
    if (sequences < 1) {
      throw new IllegalArgumentException("sequences: " + sequences + " must be >= 1");
    }
    long completion;
    try {
      completion = Math.multiplyExact(maxNewTokens, (long) sequences);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("maxNewTokens × sequences overflows: " + maxNewTokens
          + " × " + sequences, e);
    }
    long promptPerRow = ceilDiv(promptTokens, sequences);
    Usage.Builder u = Usage.builder().model(model)
        .promptTokens(promptTokens)
        .completionTokens(completion)
        .sequences(sequences)
        .decodeSteps(maxNewTokens)
        .prefillFlops(model.prefillFlops(promptPerRow, sequences))
        .decodeFlops(model.decodeFlops(promptPerRow, maxNewTokens, sequences));
    double deviceSeconds = 0;
    if (needsDeviceTime()) {
      RooflineModel roofline = target != null ? target : local();
      double factor = target != null ? 1.0 : safetyFactor;
      LatencyEstimate e = roofline.predict(model, promptPerRow, maxNewTokens, sequences);
      deviceSeconds = e.deviceSeconds() * factor;
      u.wallSeconds(e.totalSeconds() * factor).devices(roofline.devices());
    }
    u.deviceSeconds(deviceSeconds);
    return report(u.build(), deviceSeconds);
  }

  @Override
  public CostReport price(Usage usage) {
    Objects.requireNonNull(usage, "usage");
    double deviceSeconds = 0;
    if (needsDeviceTime()) {
      deviceSeconds = target != null ? predictedDeviceSeconds(usage) : usage.deviceSeconds();
    }
    return report(usage, deviceSeconds);
  }

  private double predictedDeviceSeconds(Usage usage) {
    ModelShape model = usage.model().orElseThrow(() -> new IllegalArgumentException(
        "usage.model: absent; pricing on target hardware " + target.hardware().name()
            + " needs the model shape (Usage.builder().model(...))"));
    int rows = Math.max(1, usage.sequences());
    long promptPerRow = ceilDiv(usage.promptTokens(), rows);
    long steps = Math.max(usage.decodeSteps(), ceilDiv(usage.completionTokens(), rows));
    return target.predict(model, promptPerRow, steps, rows).deviceSeconds();
  }

  private CostReport report(Usage usage, double deviceSeconds) {
    Money total = Money.zero(currency);
    if (inputPerMillion != null) {
      total = total
          .plus(inputPerMillion.times(BigDecimal.valueOf(usage.promptTokens()).movePointLeft(6)))
          .plus(outputPerMillion.times(
              BigDecimal.valueOf(usage.completionTokens()).movePointLeft(6)));
    }
    if (devicePrice != null) {
      total = total.plus(devicePrice.times(BigDecimal.valueOf(deviceSeconds))
          .dividedBy(deviceDivisor));
    }
    double joules = 0;
    double co2e = 0;
    if (energy) {
      joules = powerWattsPerDevice() * deviceSeconds * pue;
      double kwh = joules / JOULES_PER_KWH;
      co2e = kwh * gridIntensity;
      if (electricityPerKwh != null) {
        total = total.plus(electricityPerKwh.times(BigDecimal.valueOf(kwh)));
      }
    }
    return new CostReport(usage, deviceSeconds, joules, co2e, total, pricing);
  }

  private boolean needsDeviceTime() {
    return devicePrice != null || energy;
  }

  private double powerWattsPerDevice() {
    if (powerWatts != null) {
      return powerWatts;
    }
    HardwareProfile hw = target != null ? target.hardware() : local().hardware();
    return hw.tdpWatts() * powerFactor;
  }

  private RooflineModel local() {
    RooflineModel r = resolvedLocal;
    if (r == null) {
      if (configuredLocal != null) {
        r = configuredLocal;
      } else {
        HardwareProfile hw = localHardware != null ? localHardware : HardwareProfile.cpu();
        r = RooflineModel.builder(hw)
            .passOverheadSeconds(CostModel.Builder.DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS).build();
      }
      resolvedLocal = r;
    }
    return r;
  }

  private String describe(double utilization) {
    List<String> parts = new ArrayList<>();
    String code = currency.getCurrencyCode();
    if (inputPerMillion != null) {
      parts.add("per-token(in=" + inputPerMillion.toPlainString() + "/1M, out="
          + outputPerMillion.toPlainString() + "/1M " + code + ")");
    }
    if (devicePrice != null) {
      StringBuilder s = new StringBuilder("device-hour(").append(devicePrice.toPlainString())
          .append(' ').append(code).append("/h on ");
      if (target != null) {
        s.append("roofline-predicted time on ").append(describe(target));
      } else {
        s.append("measured device-seconds; estimate = ").append(localName())
            .append(" roofline x").append(safetyFactor);
      }
      if (utilization != 1.0) {
        s.append(", utilization ").append(utilization);
      }
      parts.add(s.append(')').toString());
    }
    if (energy) {
      StringBuilder s = new StringBuilder("energy(");
      s.append(powerWatts != null ? powerWatts + " W" : "TDP x" + powerFactor)
          .append(" of ").append(target != null ? target.hardware().name() : localName())
          .append(", PUE ").append(pue).append(", ").append(gridIntensity).append(" gCO2e/kWh");
      if (electricityPerKwh != null) {
        s.append(", ").append(electricityPerKwh.toPlainString()).append(' ').append(code)
            .append("/kWh");
      }
      parts.add(s.append(')').toString());
    }
    return String.join(" + ", parts);
  }

  private String localName() {
    return localHardware != null ? localHardware.name() : "cpu";
  }

  private static String describe(RooflineModel r) {
    return r.hardware().name() + (r.devices() > 1 ? " x" + r.devices() : "") + " ("
        + r.weightDtype() + " weights, MFU " + r.computeEfficiency() + ", bandwidth efficiency "
        + r.bandwidthEfficiency() + ")";
  }

  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }

  @Override
  public String toString() {
    return "CostModel[" + pricing + "]";
  }
}

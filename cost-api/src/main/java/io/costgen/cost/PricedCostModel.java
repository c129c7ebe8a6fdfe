package io.costgen.cost;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link CostModel} built by {@link CostModel.Builder}: per-token, per-device-hour (measured
 * or roofline-predicted device time) and energy/carbon strategies, added up. Immutable and
 * thread-safe (the shared {@link OnlineCorrection} is itself thread-safe); the local hardware is
 * resolved when the model is built (default: the uncalibrated {@link HardwareProfile#cpu()}).
 */
final class PricedCostModel implements CostModel {

  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
  private static final double JOULES_PER_KWH = 3.6e6;

  private final Money inputPerMillion;
  private final Money outputPerMillion;
  private final Money devicePrice;
  private final BigDecimal deviceDivisor;
  private final RooflineModel target;
  private final RooflineModel local;
  private final HardwareProfile localHardware;
  private final double boundMargin;
  private final DeviceCalibration calibration;
  private final DType calibrationWeights;
  private final PassOverhead passOverhead;
  private final OnlineCorrection corrections;
  private final double coldStartSeconds;
  private final int threads;
  private final boolean energy;
  private final double pue;
  private final double powerFactor;
  private final Double powerWatts;
  private final double gridIntensity;
  private final Money electricityPerKwh;
  private final Currency currency;
  private final String pricing;

  PricedCostModel(CostModel.Builder b, Money devicePrice, Currency currency) {
    this.inputPerMillion = b.inputPerMillion;
    this.outputPerMillion = b.outputPerMillion;
    this.devicePrice = devicePrice;
    this.deviceDivisor = SECONDS_PER_HOUR.multiply(BigDecimal.valueOf(b.utilization));
    this.target = b.target;
    this.calibration = b.calibration;
    this.calibrationWeights = b.calibrationWeights;
    this.passOverhead = b.passOverhead;
    if (b.local != null) {
      this.local = b.local;
    } else {
      HardwareProfile hw = b.localHardware != null ? b.localHardware : HardwareProfile.cpu();
      this.local = RooflineModel.builder(hw)
          .passOverheadSeconds(CostModel.Builder.DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS).build();
    }
    this.localHardware = local.hardware();
    this.boundMargin = b.boundMargin == null
        ? CostModel.Builder.DEFAULT_BOUND_MARGIN : b.boundMargin;
    this.corrections = b.corrections;
    this.coldStartSeconds = b.coldStartSeconds != null ? b.coldStartSeconds
        : calibration != null
            ? calibration.coldPassOverheadSeconds() * CostModel.Builder.COLD_START_HEADROOM
            : CostModel.Builder.DEFAULT_COLD_START_SECONDS;
    this.threads = calibration != null ? calibration.threads() : 0;
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
    return priced(model, promptTokens, maxNewTokens, sequences, false, false);
  }

  @Override
  public CostReport bound(ModelShape model, long promptTokens, long maxNewTokens, int sequences,
      boolean coldStart) {
    return priced(model, promptTokens, maxNewTokens, sequences, true, coldStart);
  }

  private CostReport priced(ModelShape model, long promptTokens, long maxNewTokens, int sequences,
      boolean bound, boolean coldStart) {
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
      if (target != null) {
        LatencyEstimate e = target.predict(model, promptPerRow, maxNewTokens, sequences);
        deviceSeconds = e.deviceSeconds();
        u.wallSeconds(e.totalSeconds()).devices(target.devices());
      } else {
        LatencyEstimate e = predictLocal(model, promptPerRow, maxNewTokens, sequences);
        double prefill = e.prefillSeconds()
            * factor(model, OnlineCorrection.Phase.PREFILL, sequences, bound);
        double decode = e.decodeSeconds()
            * factor(model, OnlineCorrection.Phase.DECODE, sequences, bound);
        if (bound && coldStart && promptPerRow > 0) {
          prefill = coldPrefill(model, e.prefillSeconds(), prefill, sequences);
        }
        double wall = prefill + decode;
        deviceSeconds = wall * local.devices();
        u.wallSeconds(wall).devices(local.devices());
      }
    }
    u.deviceSeconds(deviceSeconds);
    return report(u.build(), deviceSeconds);
  }

  /** Correction (estimate) or correction × margin (bound) of a phase on the local device. */
  private double factor(ModelShape model, OnlineCorrection.Phase phase, int rows, boolean bound) {
    if (corrections == null) {
      return bound ? boundMargin : 1.0;
    }
    String key = OnlineCorrection.key(model.name(), phase, rows, threads);
    double c = corrections.correction(key).orElse(1.0);
    return bound ? c * corrections.margin(key, boundMargin) : c;
  }

  /** A cold first pass: the warm bound plus the allowance, or what cold passes were seen to take. */
  private double coldPrefill(ModelShape model, double predicted, double warmBound, int rows) {
    double cold = warmBound + coldStartSeconds;
    if (corrections != null) {
      String key = OnlineCorrection.key(model.name(), OnlineCorrection.Phase.COLD_PREFILL, rows,
          threads);
      Optional<Double> seen = corrections.maxRatio(key);
      if (seen.isPresent()) {
        cold = Math.max(cold, predicted * seen.get() * OnlineCorrection.MARGIN_HEADROOM);
      }
    }
    return cold;
  }

  @Override
  public double passBoundSeconds(ModelShape model, long tokensPerRow, long contextPerRow,
      int rows, boolean coldStart) {
    Objects.requireNonNull(model, "model");
    if (target != null || !needsDeviceTime() || tokensPerRow <= 0) {
      return 0;
    }
    if (rows < 1) {
      throw new IllegalArgumentException("rows: " + rows + " must be >= 1");
    }
    double seconds;
    if (contextPerRow == 0 || tokensPerRow > 1) {
      double predicted = predictLocal(model, tokensPerRow, 0, rows).prefillSeconds();
      seconds = predicted * factor(model, OnlineCorrection.Phase.PREFILL, rows, true);
      if (coldStart) {
        seconds = coldPrefill(model, predicted, seconds, rows);
      }
    } else {
      seconds = decodeStepSeconds(model, contextPerRow, rows)
          * factor(model, OnlineCorrection.Phase.DECODE, rows, true);
      if (coldStart) {
        seconds += coldStartSeconds;
      }
    }
    return seconds * local.devices();
  }

  @Override
  public void observe(PassObservation o) {
    Objects.requireNonNull(o, "observation");
    if (corrections == null || target != null || o.tokensPerRow() <= 0) {
      return;
    }
    double predicted = o.phase() == OnlineCorrection.Phase.DECODE
        ? predictLocal(o.model(), o.contextPerRow(), o.tokensPerRow(), o.rows()).decodeSeconds()
        : predictLocal(o.model(), o.tokensPerRow(), 0, o.rows()).prefillSeconds();
    corrections.observe(OnlineCorrection.key(o.model().name(), o.phase(), o.rows(), threads),
        predicted, o.measuredSeconds());
  }

  /**
   * The local device's time for a call: the calibrated prediction when a calibration is set
   * (per-row-count rates, the model's pass overhead), else the local roofline.
   */
  private LatencyEstimate predictLocal(ModelShape model, long promptPerRow, long newPerRow,
      int rows) {
    if (calibration != null) {
      return calibration.predict(model, calibrationWeights, promptPerRow, newPerRow, rows,
          passOverhead);
    }
    return local.predict(model, promptPerRow, newPerRow, rows);
  }

  /** {@code predictLocal(model, contextPerRow, 1, rows).decodeSeconds()}, without the estimate on the roofline. */
  private double decodeStepSeconds(ModelShape model, long contextPerRow, int rows) {
    if (calibration != null) {
      return predictLocal(model, contextPerRow, 1, rows).decodeSeconds();
    }
    return local.decodeStepSeconds(model, contextPerRow, rows);
  }

  /** The local device's roofline (measured device time is estimated on it). */
  RooflineModel local() {
    return local;
  }

  @Override
  public CostReport price(Usage usage) {
    Objects.requireNonNull(usage, "usage");
    // Device time is recorded whatever the pricing: per-token prices ignore it, but the ledger and
    // meters still get the measured seconds (only a target-hardware price predicts its own).
    boolean onTarget = target != null && (needsDeviceTime() || usage.model().isPresent());
    double deviceSeconds = onTarget ? predictedDeviceSeconds(usage) : usage.deviceSeconds();
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
            .append(" roofline").append(corrections != null ? " x learned correction" : "")
            .append(", bound x").append(boundMargin)
            .append(corrections != null ? " until learned" : "")
            .append(" + cold start ").append(String.format(java.util.Locale.ROOT, "%.3f s",
                coldStartSeconds));
      }
      if (utilization != 1.0) {
        s.append(", utilization ").append(utilization);
      }
      parts.add(s.append(')').toString());
    }
    if (energy) {
      StringBuilder s = new StringBuilder("energy(");
      s.append(powerWatts != null ? powerWatts + " W" : "TDP x" + powerFactor)
          .append(" of ").append(target != null ? target.hardware().name()
              : devicePrice != null ? localHardware.name() : localName())
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
    if (calibration != null) {
      return calibration.device() + " (" + calibration.describe() + ")";
    }
    return localHardware.name()
        + (localHardware == HardwareProfile.cpu() ? " (uncalibrated; run costgen calibrate)" : "");
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

package io.costgen.cost;

import java.util.Currency;
import java.util.Objects;

/**
 * Prices LLM calls. {@link #estimate} runs before a call and must return a worst case for the
 * call's limits (budgets reserve it); {@link #price} runs after it on the measured usage.
 *
 * <p>Build one with {@link #builder()} from pricing strategies that add up:
 *
 * <pre>{@code
 * // API style: $0.50 / $1.50 per million input / output tokens
 * CostModel api = CostModel.builder()
 *     .perMillionTokens(Money.usd("0.50"), Money.usd("1.50"))
 *     .build();
 *
 * // Self-hosted: measured device-seconds at $2.79 per device-hour, plus energy and carbon
 * CostModel local = CostModel.builder()
 *     .perDeviceHour(Money.usd("2.79"))
 *     .localHardware(HardwareProfile.A100_80GB_SXM)
 *     .energy()
 *     .build();
 *
 * // "What would this call cost on an H100?": roofline time on the target at its catalog price
 * CostModel onH100 = CostModel.builder()
 *     .targetHardware(HardwareProfile.H100_SXM)
 *     .perDeviceHour()
 *     .build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe and fast (they run on every call).
 */
public interface CostModel {

  /**
   * Worst-case cost of a call on {@code model} with {@code promptTokens} prompt tokens in all,
   * spread over {@code sequences} rows, each generating up to {@code maxNewTokens} tokens.
   */
  CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences);

  /** The cost of a call that used {@code usage}. */
  CostReport price(Usage usage);

  /**
   * What a hard budget reserves for the call: an upper bound on its cost, where
   * {@link #estimate} is the expected cost. With measured device time it is the estimate ×
   * the margin learned from the observed spread (the cold-start margin until enough calls are
   * seen), plus, when {@code coldStart}, the allowance for a fresh session's first pass.
   * Default: {@link #estimate} (per-token and predicted prices have no runtime risk).
   */
  default CostReport bound(ModelShape model, long promptTokens, long maxNewTokens, int sequences,
      boolean coldStart) {
    return estimate(model, promptTokens, maxNewTokens, sequences);
  }

  /**
   * Upper bound on the device-seconds of one forward pass that cannot be interrupted: a prompt
   * pass of {@code tokensPerRow} tokens (with {@code contextPerRow} already cached) or a decode
   * step ({@code tokensPerRow} = 1), over {@code rows} rows; {@code coldStart} adds the first-pass
   * allowance. 0 when this model does not price measured device time (the default).
   */
  default double passBoundSeconds(ModelShape model, long tokensPerRow, long contextPerRow,
      int rows, boolean coldStart) {
    return 0;
  }

  /**
   * Feeds a measured phase back for online correction; estimates use it from the next call on.
   * Default: ignored.
   */
  default void observe(PassObservation observation) {}

  /**
   * One measured phase of a call.
   *
   * @param model the model
   * @param phase prefill (cold or warm) or decode
   * @param rows batch rows (≥ 1)
   * @param tokensPerRow prompt tokens per row (prefill) or decode steps (decode)
   * @param contextPerRow tokens cached per row before the phase
   * @param measuredSeconds measured wall time of the phase, seconds
   */
  record PassObservation(ModelShape model, OnlineCorrection.Phase phase, int rows,
      long tokensPerRow, long contextPerRow, double measuredSeconds) {
    /** Validates the observation. */
    public PassObservation {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(phase, "phase");
      if (rows < 1) {
        throw new IllegalArgumentException("rows: " + rows + " must be >= 1");
      }
    }
  }

  /** A cost model that prices everything at zero but still reports usage and device-seconds. */
  static CostModel free() {
    return new CostModel() {
      @Override
      public CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences) {
        return CostReport.free(Usage.builder().model(model).promptTokens(promptTokens)
            .completionTokens(maxNewTokens * sequences).sequences(sequences).build());
      }

      @Override
      public CostReport price(Usage usage) {
        return CostReport.free(usage);
      }
    };
  }

  /** A builder for a cost model composed of the strategies described on {@link Builder}. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Composes pricing strategies; the money of every configured strategy is added.
   *
   * <ul>
   *   <li><b>Per token</b> ({@link #perMillionTokens}): {@code prompt × in/1e6 + completion ×
   *       out/1e6}, API style.
   *   <li><b>Per device-hour</b> ({@link #perDeviceHour(Money)} or {@link #perDeviceHour()}):
   *       {@code deviceSeconds / 3600 × price ÷ utilization}. Device time is the measured
   *       {@link Usage#deviceSeconds()} by default, or, after {@link #targetHardware}, the
   *       roofline time predicted for the target ({@link RooflineModel}; needs
   *       {@link Usage#model()}).
   *   <li><b>Energy and carbon</b> ({@link #energy()} and the setters below it): {@code joules =
   *       power × deviceSeconds × PUE} with power = TDP × power factor of the device-time
   *       hardware; {@code gCO2e = kWh × grid intensity}; optionally {@code kWh × electricity
   *       price} as money.
   * </ul>
   *
   * <p><b>Estimates and bounds.</b> {@link CostModel#estimate} prices the call at its limits:
   * every row generates {@code maxNewTokens}, decoding at the full growing context with all rows
   * alive. With the same strategy it is never below {@link CostModel#price} for a call within
   * those limits when device time is predicted (target hardware) or not priced. With measured
   * device time the estimate is the <em>expected</em> time: the roofline on the local device
   * ({@link #calibration calibration}, else {@link #localHardware local hardware}, else the
   * uncalibrated {@link HardwareProfile#cpu()}; {@value #DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS} s
   * per forward pass when uncalibrated) × the learned {@link #corrections correction}; the
   * {@link CostModel#bound bound} that hard budgets reserve adds the learned margin (the
   * cold-start {@link #boundMargin margin}, default {@value #DEFAULT_BOUND_MARGIN}, until
   * enough calls are seen) and the first-pass allowance. A pass that takes longer than its bound
   * (a stalled machine) is an overrun: see {@code docs/budgets.md}.
   *
   * <p>Validation is eager ({@link IllegalArgumentException} naming the field);
   * conflicting settings raise {@link IllegalStateException} in {@link #build()}. Not
   * thread-safe; the built model is immutable and thread-safe.
   */
  final class Builder {

    /**
     * Default PUE 1.2: Epoch AI's ChatGPT-energy sheet, "ranges from 1.1 to 1.3 for AI data
     * centers per SemiAnalysis" (Uptime Institute's 2023 industry average is 1.58).
     */
    public static final double DEFAULT_PUE = 1.2;

    /**
     * Default grid carbon intensity, 436 gCO2e/kWh: world average 2022 (Ember, Global
     * Electricity Review 2023). The US 2023 figure is 367 g/kWh (EIA FAQ 74: 0.81 lb/kWh).
     */
    public static final double DEFAULT_GRID_GRAMS_CO2E_PER_KWH = 436.0;

    /** Default device power as a fraction of TDP (1.0 = TDP; Epoch uses 0.7). */
    public static final double DEFAULT_POWER_FACTOR = 1.0;

    /**
     * Default cold-start margin of a bound over the estimate of measured device time, used until
     * {@link OnlineCorrection} has learned the observed spread.
     */
    public static final double DEFAULT_BOUND_MARGIN = 2.0;

    /**
     * Default allowance for a fresh session's first pass when no calibration measured it,
     * seconds (an uncalibrated host: ONNX Runtime's first run allocates its arena and the JVM
     * path is still interpreted; about 30 ms for a 260k-parameter model on a loaded 2-vCPU VM).
     */
    public static final double DEFAULT_COLD_START_SECONDS = 0.25;

    /** Multiplier on a calibration's measured cold-start overhead for the bound's allowance. */
    public static final double COLD_START_HEADROOM = 3.0;

    /**
     * Default electricity price, USD 0.1545 per kWh: the US average residential revenue per kWh
     * for January 2024 (15.45 cents; EIA Electricity Monthly Update, "End Use: January 2024",
     * released 2024-03-26). Used by {@code costgen generate} when no price flag is given, so a
     * local call is never priced at zero; pass your own with {@link #electricityPrice(Money)}.
     */
    public static final Money DEFAULT_ELECTRICITY_PRICE_PER_KWH = Money.usd("0.1545");

    /** Source and date of {@link #DEFAULT_ELECTRICITY_PRICE_PER_KWH}. */
    public static final String DEFAULT_ELECTRICITY_PRICE_SOURCE =
        "EIA Electricity Monthly Update, US average residential revenue per kWh, January 2024 "
            + "(released 2024-03-26)";

    /** Default per-forward-pass overhead added to the local roofline for estimates, seconds. */
    public static final double DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS = 0.002;

    Money inputPerMillion;
    Money outputPerMillion;
    Money devicePrice;
    boolean deviceCatalogPrice;
    RooflineModel target;
    RooflineModel local;
    HardwareProfile localHardware;
    Double boundMargin;
    DeviceCalibration calibration;
    DType calibrationWeights;
    PassOverhead passOverhead;
    OnlineCorrection corrections;
    Double coldStartSeconds;
    double utilization = 1.0;
    boolean energy;
    double pue = DEFAULT_PUE;
    double powerFactor = DEFAULT_POWER_FACTOR;
    Double powerWatts;
    double gridIntensity = DEFAULT_GRID_GRAMS_CO2E_PER_KWH;
    Money electricityPerKwh;

    Builder() {}

    /**
     * Prices tokens API-style: {@code inputPerMillion} per million prompt tokens and
     * {@code outputPerMillion} per million completion tokens.
     */
    public Builder perMillionTokens(Money inputPerMillion, Money outputPerMillion) {
      requireNonNegative("inputPerMillion", inputPerMillion);
      requireNonNegative("outputPerMillion", outputPerMillion);
      this.inputPerMillion = inputPerMillion;
      this.outputPerMillion = outputPerMillion;
      return this;
    }

    /** Charges device time at {@code pricePerDeviceHour} per device-hour. */
    public Builder perDeviceHour(Money pricePerDeviceHour) {
      requireNonNegative("pricePerDeviceHour", pricePerDeviceHour);
      this.devicePrice = pricePerDeviceHour;
      this.deviceCatalogPrice = false;
      return this;
    }

    /**
     * Charges device time at the catalog {@link HardwareProfile#price()} of the device-time
     * hardware (the target, else the local hardware); {@link #build()} fails if it has none.
     */
    public Builder perDeviceHour() {
      this.devicePrice = null;
      this.deviceCatalogPrice = true;
      return this;
    }

    /**
     * Device time = the roofline time predicted on {@code target} with default settings, instead
     * of the measured {@link Usage#deviceSeconds()}.
     */
    public Builder targetHardware(HardwareProfile target) {
      return targetHardware(RooflineModel.of(Objects.requireNonNull(target, "target")));
    }

    /** Device time = the time {@code target} predicts for the call. */
    public Builder targetHardware(RooflineModel target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /**
     * The hardware calls run on when device time is measured: its roofline (with
     * {@value #DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS} s per pass) sizes estimates, its TDP sizes
     * energy, its catalog price serves {@link #perDeviceHour()}. Default: the calibration if set,
     * else the uncalibrated {@link HardwareProfile#cpu()} (no measurement happens here).
     */
    public Builder localHardware(HardwareProfile local) {
      this.localHardware = Objects.requireNonNull(local, "local");
      this.local = null;
      this.calibration = null;
      return this;
    }

    /** As {@link #localHardware(HardwareProfile)} with a fully configured roofline. */
    public Builder localHardware(RooflineModel local) {
      this.local = Objects.requireNonNull(local, "local");
      this.localHardware = local.hardware();
      this.calibration = null;
      return this;
    }

    /**
     * Cold-start margin (≥ 1) of the bound over the estimate of measured device time, used until
     * the {@link #corrections corrections} learned the spread (default
     * {@value #DEFAULT_BOUND_MARGIN}).
     */
    public Builder boundMargin(double margin) {
      if (!(margin >= 1) || Double.isInfinite(margin)) {
        throw new IllegalArgumentException(
            "boundMargin: " + margin + " must be a finite value >= 1");
      }
      this.boundMargin = margin;
      return this;
    }

    /**
     * The local device as measured by its runtime: {@link DeviceCalibration#predict its calibrated
     * time} (fp32 weights: each pass at the matmul rate measured for its row count, plus the
     * per-pass overhead) sizes estimates, its cold-start overhead sizes the bound's first-pass
     * allowance, its threads key the corrections. Replaces {@link #localHardware}.
     */
    public Builder calibration(DeviceCalibration calibration) {
      return calibration(calibration, DType.FP32);
    }

    /** As {@link #calibration(DeviceCalibration)} for a model whose weights are {@code weights}. */
    public Builder calibration(DeviceCalibration calibration, DType weights) {
      this.calibration = Objects.requireNonNull(calibration, "calibration");
      this.calibrationWeights = Objects.requireNonNull(weights, "weights");
      this.local = calibration.roofline(weights);
      this.localHardware = local.hardware();
      return this;
    }

    /**
     * The measured per-pass overhead of one model (ONNX backend:
     * {@code OnnxCalibration.measurePassOverhead}); with a {@link #calibration calibration} it
     * replaces the device's warm pass overhead for calls on that model (others keep the device's).
     */
    public Builder passOverhead(PassOverhead overhead) {
      this.passOverhead = Objects.requireNonNull(overhead, "overhead");
      return this;
    }

    /**
     * Learned corrections of measured time (see {@link OnlineCorrection}); {@link
     * CostModel#observe} feeds them. Shared, not copied.
     */
    public Builder corrections(OnlineCorrection corrections) {
      this.corrections = Objects.requireNonNull(corrections, "corrections");
      return this;
    }

    /**
     * Allowance for a fresh session's first pass in a bound, seconds ≥ 0 (default: the
     * calibration's cold overhead × {@value #COLD_START_HEADROOM}, else
     * {@value #DEFAULT_COLD_START_SECONDS}).
     */
    public Builder coldStartSeconds(double seconds) {
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        throw new IllegalArgumentException(
            "coldStartSeconds: " + seconds + " must be a finite value >= 0");
      }
      this.coldStartSeconds = seconds;
      return this;
    }

    /**
     * Fraction of paid device time that does useful work, in (0, 1]; device money is divided by
     * it (e.g. SemiAnalysis' 50% utilisation). Default 1.
     */
    public Builder utilization(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("utilization: " + fraction + " must be in (0, 1]");
      }
      this.utilization = fraction;
      return this;
    }

    /** Reports energy (joules) and carbon (gCO2e) with the defaults. */
    public Builder energy() {
      this.energy = true;
      return this;
    }

    /** Power usage effectiveness, ≥ 1 (default {@value #DEFAULT_PUE}); enables energy. */
    public Builder pue(double pue) {
      if (!(pue >= 1) || Double.isInfinite(pue)) {
        throw new IllegalArgumentException("pue: " + pue + " must be a finite value >= 1");
      }
      this.pue = pue;
      this.energy = true;
      return this;
    }

    /**
     * Device power as a fraction of TDP, in (0, 1] (default {@value #DEFAULT_POWER_FACTOR});
     * enables energy.
     */
    public Builder powerFactor(double factor) {
      if (!(factor > 0 && factor <= 1)) {
        throw new IllegalArgumentException("powerFactor: " + factor + " must be in (0, 1]");
      }
      this.powerFactor = factor;
      this.energy = true;
      return this;
    }

    /** Explicit power per device, watts (> 0), instead of TDP × power factor; enables energy. */
    public Builder powerWatts(double watts) {
      if (!(watts > 0) || Double.isInfinite(watts)) {
        throw new IllegalArgumentException("powerWatts: " + watts + " must be a finite value > 0");
      }
      this.powerWatts = watts;
      this.energy = true;
      return this;
    }

    /**
     * Grid carbon intensity, gCO2e per kWh, ≥ 0 (default
     * {@value #DEFAULT_GRID_GRAMS_CO2E_PER_KWH}); enables energy.
     */
    public Builder gridCarbonIntensity(double gramsCo2ePerKwh) {
      if (!(gramsCo2ePerKwh >= 0) || Double.isInfinite(gramsCo2ePerKwh)) {
        throw new IllegalArgumentException(
            "gridCarbonIntensity: " + gramsCo2ePerKwh + " must be a finite value >= 0");
      }
      this.gridIntensity = gramsCo2ePerKwh;
      this.energy = true;
      return this;
    }

    /**
     * Charges energy at {@code perKilowattHour} (for self-hosted hardware whose device price
     * excludes power); enables energy.
     */
    public Builder electricityPrice(Money perKilowattHour) {
      requireNonNegative("electricityPrice", perKilowattHour);
      this.electricityPerKwh = perKilowattHour;
      this.energy = true;
      return this;
    }

    /**
     * Builds the model.
     *
     * @throws IllegalStateException when no strategy is configured, settings conflict (local and
     *     target hardware; a bound margin with target hardware), the catalog price is missing,
     *     or prices use different currencies
     */
    public CostModel build() {
      boolean devicePriced = devicePrice != null || deviceCatalogPrice;
      if (inputPerMillion == null && !devicePriced && !energy) {
        throw new IllegalStateException("no pricing strategy configured: set perMillionTokens, "
            + "perDeviceHour or energy (or use CostModel.free())");
      }
      if (target != null && localHardware != null) {
        throw new IllegalStateException("localHardware and targetHardware conflict: device time "
            + "is either measured (local) or predicted on the target");
      }
      if (target != null && boundMargin != null) {
        throw new IllegalStateException("boundMargin applies to measured device time; "
            + "it conflicts with targetHardware (predicted time needs no margin)");
      }
      Money price = devicePrice;
      if (deviceCatalogPrice) {
        HardwareProfile hw = target != null ? target.hardware() : localHardware;
        if (hw == null) {
          throw new IllegalStateException("perDeviceHour() uses the hardware's catalog price: "
              + "set targetHardware or localHardware, or pass a price");
        }
        price = hw.price().map(HardwareProfile.Price::perDeviceHour).orElseThrow(() ->
            new IllegalStateException("perDeviceHour(): " + hw.name()
                + " has no catalog price; pass one with perDeviceHour(Money)"));
      }
      Currency currency = null;
      for (Money m : new Money[] {inputPerMillion, outputPerMillion, price, electricityPerKwh}) {
        if (m != null) {
          if (currency != null && !currency.equals(m.currency())) {
            throw new IllegalStateException("prices use different currencies: " + currency
                + " and " + m.currency() + " (convert before combining)");
          }
          currency = m.currency();
        }
      }
      return new PricedCostModel(this, price, currency == null ? Money.USD : currency);
    }

    private static void requireNonNegative(String field, Money m) {
      Objects.requireNonNull(m, field);
      if (m.isNegative()) {
        throw new IllegalArgumentException(field + ": " + m + " must be >= 0");
      }
    }
  }
}

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
   * <p><b>Estimates.</b> {@link CostModel#estimate} prices the worst case: every row generates
   * {@code maxNewTokens}, decoding at the full growing context with all rows alive. With the
   * same strategy it is never below {@link CostModel#price} for a call within those limits when
   * device time is predicted (target hardware) or not priced. With measured device time the
   * estimate is the roofline time on the {@link #localHardware local hardware} (default
   * {@link HardwareProfile#cpu()}, with {@value #DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS} s per
   * forward pass) × {@link #estimateSafetyFactor safety factor} (default
   * {@value #DEFAULT_ESTIMATE_SAFETY_FACTOR}); a call slower than that can cost more than its
   * estimate, which is why budgets also stop calls at run time.
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

    /** Default safety factor on local roofline time for estimates of measured device time. */
    public static final double DEFAULT_ESTIMATE_SAFETY_FACTOR = 2.0;

    /** Default per-forward-pass overhead added to the local roofline for estimates, seconds. */
    public static final double DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS = 0.002;

    Money inputPerMillion;
    Money outputPerMillion;
    Money devicePrice;
    boolean deviceCatalogPrice;
    RooflineModel target;
    RooflineModel local;
    HardwareProfile localHardware;
    Double safetyFactor;
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
     * energy, its catalog price serves {@link #perDeviceHour()}. Default {@link
     * HardwareProfile#cpu()}, measured on first use.
     */
    public Builder localHardware(HardwareProfile local) {
      this.localHardware = Objects.requireNonNull(local, "local");
      this.local = null;
      return this;
    }

    /** As {@link #localHardware(HardwareProfile)} with a fully configured roofline. */
    public Builder localHardware(RooflineModel local) {
      this.local = Objects.requireNonNull(local, "local");
      this.localHardware = local.hardware();
      return this;
    }

    /** Multiplier (≥ 1) on the local roofline time for estimates of measured device time. */
    public Builder estimateSafetyFactor(double factor) {
      if (!(factor >= 1) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException(
            "estimateSafetyFactor: " + factor + " must be a finite value >= 1");
      }
      this.safetyFactor = factor;
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
     *     target hardware; a safety factor with target hardware), the catalog price is missing,
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
      if (target != null && safetyFactor != null) {
        throw new IllegalStateException("estimateSafetyFactor applies to measured device time; "
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

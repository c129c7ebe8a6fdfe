package io.costgen.projection;

import io.costgen.cost.CostModel;
import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.LatencyEstimate;
import io.costgen.cost.Money;
import io.costgen.cost.ModelShape;
import io.costgen.cost.RooflineModel;
import io.costgen.cost.TrainingCompute;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What it costs per day, in compute, to serve a chat service ("日均算力运营成本"): traffic ×
 * tokens per request → busy device-seconds (from the roofline, from a measured throughput, or
 * from a measurement calibrated through the roofline) → devices on average and at peak →
 * device-hours, money, energy and CO2e per day, request and million output tokens.
 *
 * <pre>{@code
 * DailyCostProjection p = DailyCostProjection.builder()
 *     .dailyActiveUsers(13e6, 15)                       // 195 M requests per day
 *     .promptTokens(500).outputTokens(2000)
 *     .model("gpt3-175b").weightDtype(DType.INT8).kvCacheDtype(DType.INT8)
 *     .hardware(HardwareProfile.A100_80GB_SXM).devicesPerReplica(8).devicesPerServer(8)
 *     .batch(64).utilization(0.5).pricePerDeviceHour(Money.usd("1"))
 *     .build();
 * ProjectionResult r = p.project();
 * r.costPerDay();       // Money, exact decimal
 * r.devices().peak();   // whole devices, rounded up to whole replicas
 * }</pre>
 *
 * <p><b>The model</b> (formulas and sources: {@code docs/daily-cost.md}):
 *
 * <pre>
 * busy device-s per request  s = roofline: latency(batch B on D devices) × D / B
 *                              | measured: outputTokens / (output tokens per device-second)
 *                              | calibrated: measured s on machine M × roofline s(target) / roofline s(M)
 * busy device-s per day        = requests per day × s
 * paid device-s per day        = busy / utilisation                (ELASTIC, default)
 *                              | peak devices × 86,400             (PEAK)
 * average devices              = busy / utilisation / 86,400
 * peak devices                 = ⌈average × peak-to-average ÷ D⌉ × D   (whole replicas)
 * servers                      = ⌈peak devices ÷ devices per server⌉
 * cost per day                 = paid device-hours × price (+ kWh × electricity price)
 * energy per day               = (busy device-s + idle device-s × idle fraction) × W × PUE
 * </pre>
 *
 * <p>This class holds the inputs; {@link #project()} hands them to the solver and returns a
 * {@link ProjectionResult}; {@link io.costgen.projection.report.ProjectionInputs} and the other
 * classes in {@code io.costgen.projection.report} render them as text.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}, change with {@link #toBuilder()}.
 */
public final class DailyCostProjection {

  /** Seconds in a day. */
  public static final double SECONDS_PER_DAY = 86_400;
  /** Days in a year (365). */
  public static final int DAYS_PER_YEAR = 365;
  /** Significant digits kept in money derived from device time (a double has 15–17). */
  public static final int SIGNIFICANT_DIGITS = 17;
  /** Default largest batch a latency target or throughput search considers. */
  public static final int DEFAULT_MAX_BATCH = 1024;

  /** How a projection gets busy device-seconds per request. */
  public enum Method {
    /** {@link RooflineModel} on the hardware at the chosen batch (first principles). */
    ROOFLINE,
    /** A measured throughput in output tokens per busy device-second replaces the roofline. */
    MEASURED_THROUGHPUT,
    /** A {@link MeasuredWorkload} re-priced through the roofline ratio measuring → target. */
    CALIBRATED
  }

  /** What a day's device time is paid for. */
  public enum Provisioning {
    /**
     * Pay busy time ÷ utilisation (capacity follows demand, e.g. cloud autoscaling;
     * SemiAnalysis' "50% hardware utilization"). Cost is linear in traffic.
     */
    ELASTIC,
    /** Pay the whole peak fleet for 24 hours (owned or reserved capacity sized for the peak). */
    PEAK
  }

  final double requestsPerDay;
  final Double dailyActiveUsers;
  final Double requestsPerUser;
  final long promptTokens;
  final long outputTokens;
  final double peakToAverage;
  final ModelShape model;
  final DType weightDtype;
  final DType kvCacheDtype;
  final DType computeDtype;
  final HardwareProfile hardware;
  final Integer devicesPerReplica;
  final Integer devicesPerServer;
  final double computeEfficiency;
  final double bandwidthEfficiency;
  final double passOverheadSeconds;
  final Integer batch;
  final Double targetLatencySeconds;
  final int maxBatch;
  final Double measuredThroughput;
  final MeasuredWorkload calibration;
  final double utilization;
  final Provisioning provisioning;
  final Money pricePerDeviceHour;
  final boolean explicitPrice;
  final Money electricityPerKwh;
  final double pue;
  final double gridGramsCo2ePerKwh;
  final Double powerWattsPerDevice;
  final double powerFactor;
  final double idlePowerFraction;

  private DailyCostProjection(Builder b) {
    this.requestsPerDay = b.requestsPerDay;
    this.dailyActiveUsers = b.dailyActiveUsers;
    this.requestsPerUser = b.requestsPerUser;
    this.promptTokens = b.promptTokens;
    this.outputTokens = b.outputTokens;
    this.peakToAverage = b.peakToAverage;
    this.model = b.model;
    this.weightDtype = b.weightDtype;
    this.kvCacheDtype = b.kvCacheDtype;
    this.computeDtype = b.computeDtype;
    this.hardware = b.hardware;
    this.devicesPerReplica = b.devicesPerReplica;
    this.devicesPerServer = b.devicesPerServer;
    this.computeEfficiency = b.computeEfficiency;
    this.bandwidthEfficiency = b.bandwidthEfficiency;
    this.passOverheadSeconds = b.passOverheadSeconds;
    this.batch = b.batch;
    this.targetLatencySeconds = b.targetLatencySeconds;
    this.maxBatch = b.maxBatch;
    this.measuredThroughput = b.measuredThroughput;
    this.calibration = b.calibration;
    this.utilization = b.utilization;
    this.provisioning = b.provisioning;
    this.explicitPrice = b.pricePerDeviceHour != null;
    this.pricePerDeviceHour = explicitPrice ? b.pricePerDeviceHour
        : b.hardware.price().map(HardwareProfile.Price::perDeviceHour).orElseThrow();
    this.electricityPerKwh = b.electricityPerKwh;
    this.pue = b.pue;
    this.gridGramsCo2ePerKwh = b.gridGramsCo2ePerKwh;
    this.powerWattsPerDevice = b.powerWattsPerDevice;
    this.powerFactor = b.powerFactor;
    this.idlePowerFraction = b.idlePowerFraction;
  }

  /** A builder; traffic, prompt and output tokens, model and hardware are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every input of this projection. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs

  /** Requests per day. */
  public double requestsPerDay() { return requestsPerDay; }
  /** Daily active users, when traffic was given as users × requests per user. */
  public OptionalDouble dailyActiveUsers() { return opt(dailyActiveUsers); }
  /** Requests per user per day, when traffic was given as users × requests per user. */
  public OptionalDouble requestsPerUser() { return opt(requestsPerUser); }
  /** Prompt tokens per request. */
  public long promptTokens() { return promptTokens; }
  /** Generated (output) tokens per request. */
  public long outputTokens() { return outputTokens; }
  /** Peak-hour traffic ÷ average traffic (≥ 1). */
  public double peakToAverage() { return peakToAverage; }
  /** The model served. */
  public ModelShape model() { return model; }
  /** The hardware that serves it. */
  public HardwareProfile hardware() { return hardware; }
  /** Devices per replica, when fixed (else sized to fit weights + KV cache). */
  public OptionalInt devicesPerReplica() { return opt(devicesPerReplica); }
  /** Devices per server, when peaks are rounded to whole servers. */
  public OptionalInt devicesPerServer() { return opt(devicesPerServer); }
  /** Model FLOPs utilisation of the roofline, in (0, 1]. */
  public double computeEfficiency() { return computeEfficiency; }
  /** Achieved fraction of peak memory bandwidth of the roofline, in (0, 1]. */
  public double bandwidthEfficiency() { return bandwidthEfficiency; }
  /** Rows per forward pass, when fixed (else chosen for {@link #targetLatencySeconds()}). */
  public OptionalInt batch() { return opt(batch); }
  /** Longest acceptable request latency (prefill + all decode steps), seconds, when set. */
  public OptionalDouble targetLatencySeconds() { return opt(targetLatencySeconds); }
  /** Measured output tokens per busy device-second, when it replaces the roofline. */
  public OptionalDouble measuredThroughput() { return opt(measuredThroughput); }
  /** The calibration measurement, for {@link Method#CALIBRATED}. */
  public Optional<MeasuredWorkload> calibration() { return Optional.ofNullable(calibration); }
  /** Fraction of paid device time that is busy, in (0, 1]. */
  public double utilization() { return utilization; }
  /** What a day's device time is paid for. */
  public Provisioning provisioning() { return provisioning; }
  /** Price per device-hour (explicit, else the hardware's catalog price). */
  public Money pricePerDeviceHour() { return pricePerDeviceHour; }
  /** Whether {@link #pricePerDeviceHour()} was given (not the catalog price). */
  public boolean hasExplicitPrice() { return explicitPrice; }
  /** Electricity price per kWh, when electricity is paid on top of the device-hour price. */
  public Optional<Money> electricityPerKwh() { return Optional.ofNullable(electricityPerKwh); }
  /** Power usage effectiveness (≥ 1). */
  public double pue() { return pue; }
  /** Grid carbon intensity, gCO2e per kWh. */
  public double gridGramsCo2ePerKwh() { return gridGramsCo2ePerKwh; }
  /** The explicit power per busy device, watts, before the power factor (empty: the TDP). */
  public OptionalDouble powerWattsPerDevice() { return opt(powerWattsPerDevice); }
  /** Fraction of the (explicit or TDP) power a busy device draws. */
  public double powerFactor() { return powerFactor; }
  /** Power of an idle paid device as a fraction of its busy power. */
  public double idlePowerFraction() { return idlePowerFraction; }
  /** Power per busy device, watts: the explicit figure (else TDP) × power factor. */
  public double busyWattsPerDevice() {
    return (powerWattsPerDevice != null ? powerWattsPerDevice : hardware.tdpWatts()) * powerFactor;
  }

  /** How this projection gets busy device-seconds per request. */
  public Method method() {
    if (measuredThroughput != null) {
      return Method.MEASURED_THROUGHPUT;
    }
    return calibration != null ? Method.CALIBRATED : Method.ROOFLINE;
  }

  /** The roofline model on {@code devices} devices with this projection's dtypes and efficiencies. */
  public RooflineModel roofline(int devices) {
    return RooflineModel.builder(hardware).devices(devices).weightDtype(weightDtype)
        .kvCacheDtype(kvCacheDtype).computeDtype(computeDtype)
        .computeEfficiency(computeEfficiency).bandwidthEfficiency(bandwidthEfficiency)
        .passOverheadSeconds(passOverheadSeconds).build();
  }

  /**
   * Fewest devices whose memory holds the weights plus the KV cache of {@code batch} rows at the
   * full context (prompt + output tokens), as {@link RooflineModel#fitsInMemory} counts it.
   *
   * @throws IllegalArgumentException if {@code batch < 1}
   */
  public int minimumDevicesPerReplica(int batch) {
    requireAtLeast("batch", batch, 1);
    RooflineModel one = roofline(1);
    double need = memoryNeededBytes(one, batch);
    double perDevice = hardware.memoryBytes();
    if (need / perDevice > 1e6) {
      throw new IllegalArgumentException("batch: " + batch + " needs " + bytes(need)
          + " of memory, more than a million " + hardware.name() + " devices");
    }
    int d = (int) Math.max(1, Math.ceil(need / perDevice));
    while (!one.toBuilder().devices(d).build().fitsInMemory(model, context(), batch)) {
      d++;
    }
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // Projection

  /**
   * Runs the projection ({@link ProjectionSolver}).
   *
   * @throws IllegalArgumentException if a fixed {@code devicesPerReplica} cannot hold the weights
   *     plus KV cache at the batch (the message names the devices needed), or no batch up to
   *     {@code maxBatch} meets {@code targetLatencySeconds}
   */
  public ProjectionResult project() {
    return new ProjectionSolver(this).solve();
  }

  /**
   * Varies one input over {@code spec}, holding the others (see {@link SensitivityTable} for how
   * each input is applied). Values at which the projection fails (e.g. a batch whose KV cache
   * does not fit a fixed replica) become infeasible rows.
   *
   * @throws IllegalStateException if the input has no effect under this projection's method
   */
  public SensitivityTable vary(SensitivitySpec spec) {
    return SensitivityTable.run(this, Objects.requireNonNull(spec, "spec"));
  }

  /**
   * {@link #vary(SensitivitySpec)} with {@link SensitivitySpec#parse(String)}, e.g.
   * {@code vary("traffic=1e6..1e8")}.
   *
   * @throws IllegalArgumentException if the spec does not parse
   */
  public SensitivityTable vary(String spec) {
    return vary(SensitivitySpec.parse(spec));
  }

  /**
   * The smallest batch whose roofline throughput reaches {@code outputTokensPerDeviceSecond}
   * (output tokens per busy device-second, as {@link ProjectionResult#outputTokensPerDeviceSecond()}), with
   * devices per replica sized to fit each batch (the fixed {@code devicesPerReplica} is ignored
   * here), searching 1 … {@code maxBatch}. Empty when no batch reaches it (the KV-cache traffic
   * per row sets a ceiling that no batch passes).
   *
   * @throws IllegalArgumentException if the target is not a finite value > 0
   */
  public Optional<BatchRequirement> batchForThroughput(double outputTokensPerDeviceSecond) {
    requirePositive("outputTokensPerDeviceSecond", outputTokensPerDeviceSecond);
    for (int b = 1; b <= maxBatch; b++) {
      int d = minimumDevicesPerReplica(b);
      LatencyEstimate e = roofline(d).predict(model, promptTokens, outputTokens, b);
      double throughput = outputTokens * (double) b / (e.totalSeconds() * d);
      if (throughput >= outputTokensPerDeviceSecond) {
        return Optional.of(new BatchRequirement(b, d, throughput, e.totalSeconds()));
      }
    }
    return Optional.empty();
  }

  /**
   * A batch that reaches a throughput ({@link #batchForThroughput}).
   *
   * @param batch rows per forward pass
   * @param devicesPerReplica devices that hold the weights plus that batch's KV cache
   * @param outputTokensPerDeviceSecond roofline throughput at that batch
   * @param latencySeconds request latency at that batch (prefill + decode), seconds
   */
  public record BatchRequirement(int batch, int devicesPerReplica,
      double outputTokensPerDeviceSecond, double latencySeconds) {}

  /**
   * Training the same model on the same hardware: {@code 6·N·D} FLOPs ({@link TrainingCompute})
   * at {@code computeEfficiency} (MFU) of the hardware's BF16 peak (else FP16, else FP32),
   * priced at this projection's price per device-hour (all device time busy), with this
   * projection's power, PUE, grid intensity and electricity price.
   *
   * @param tokens training tokens D (finite, ≥ 0)
   * @param computeEfficiency training MFU, in (0, 1]
   * @throws IllegalArgumentException naming the bad argument
   */
  public TrainingEstimate training(double tokens, double computeEfficiency) {
    requireFraction("computeEfficiency", computeEfficiency);
    double flops = model.trainingFlops(tokens);
    DType dtype = hardware.supports(DType.BF16) ? DType.BF16
        : hardware.supports(DType.FP16) ? DType.FP16
        : hardware.supports(DType.FP32) ? DType.FP32
        : hardware.peakFlopsPerSecond().keySet().iterator().next();
    double deviceSeconds = flops / (hardware.peakFlopsPerSecond(dtype) * computeEfficiency);
    double kwh = deviceSeconds * busyWattsPerDevice() * pue / 3.6e6;
    Money cost = deviceMoney(deviceSeconds);
    if (electricityPerKwh != null) {
      cost = cost.plus(electricityPerKwh.times(kwh));
    }
    return new TrainingEstimate(tokens, flops, TrainingCompute.petaflopSDays(flops), dtype,
        computeEfficiency, deviceSeconds / 3600, cost, kwh, kwh * gridGramsCo2ePerKwh / 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  /** Money for device-seconds at the price per device-hour. */
  Money deviceMoney(double deviceSeconds) {
    return significant(pricePerDeviceHour.times(BigDecimal.valueOf(deviceSeconds))
        .dividedBy(BigDecimal.valueOf(3600)));
  }

  /**
   * Rounds to {@value #SIGNIFICANT_DIGITS} significant digits: money derived from a double
   * (device-seconds, kWh) carries no more, and 34-digit quotients only add noise.
   */
  static Money significant(Money m) {
    return new Money(m.amount().round(new MathContext(SIGNIFICANT_DIGITS, RoundingMode.HALF_EVEN)),
        m.currency());
  }

  long context() {
    return promptTokens + outputTokens;
  }

  private double memoryNeededBytes(RooflineModel r, int b) {
    return model.weightBytes(r.weightDtype())
        + (double) b * model.kvCacheBytesPerToken(r.kvCacheDtype()) * context();
  }

  String memoryText(int b) {
    RooflineModel r = roofline(1);
    double w = model.weightBytes(r.weightDtype());
    double kv = memoryNeededBytes(r, b) - w;
    return model.name() + " (" + r.weightDtype() + " weights " + bytes(w) + " + "
        + r.kvCacheDtype() + " KV cache " + bytes(kv) + " for batch " + b + " x " + context()
        + " tokens = " + bytes(w + kv) + ")";
  }

  static String bytes(double b) {
    return String.format(Locale.ROOT, "%.1f GB", b / 1e9);
  }

  /** ⌈x⌉, forgiving a relative error of 1e-9 (so 2 × 5.0000000001 devices is 10, not 11). */
  static long ceil(double x) {
    double c = Math.ceil(x);
    if (c - x > 1 - 1e-9 * Math.max(1, Math.abs(x))) {
      c -= 1; // x was an integer plus rounding noise
    }
    return (long) Math.max(c, 0);
  }

  /** {@code v} as a plain decimal string (an integer without a fraction), for reports. */
  public static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) v);
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static OptionalDouble opt(Double d) {
    return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
  }

  private static OptionalInt opt(Integer i) {
    return i == null ? OptionalInt.empty() : OptionalInt.of(i);
  }

  static void requirePositive(String field, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value > 0");
    }
  }

  static void requireFraction(String field, double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException(field + ": " + v + " must be in (0, 1]");
    }
  }

  static void requireAtLeast(String field, long v, long min) {
    if (v < min) {
      throw new IllegalArgumentException(field + ": " + v + " must be >= " + min);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Builder

  /**
   * Builder for {@link DailyCostProjection}. Setters validate eagerly
   * ({@link IllegalArgumentException} naming the field, the value and the allowed range);
   * {@link #build()} checks that the required inputs are set and do not conflict
   * ({@link IllegalStateException}). Not thread-safe.
   *
   * <p>Defaults: peak-to-average 1, batch 1 (unless a latency target is set), devices per
   * replica sized to fit, MFU 0.5 and bandwidth efficiency 0.8 ({@link RooflineModel}
   * defaults), FP16 weights, utilisation 1, {@link Provisioning#ELASTIC}, the hardware's catalog
   * price, PUE {@value io.costgen.cost.CostModel.Builder#DEFAULT_PUE},
   * {@value io.costgen.cost.CostModel.Builder#DEFAULT_GRID_GRAMS_CO2E_PER_KWH} gCO2e/kWh, TDP ×
   * power factor 1, idle power 0, no electricity price.
   */
  public static final class Builder {
    private Double requestsPerDay;
    private Double dailyActiveUsers;
    private Double requestsPerUser;
    private Long promptTokens;
    private Long outputTokens;
    private double peakToAverage = 1;
    private ModelShape model;
    private DType weightDtype;
    private DType kvCacheDtype;
    private DType computeDtype;
    private HardwareProfile hardware;
    private Integer devicesPerReplica;
    private Integer devicesPerServer;
    private double computeEfficiency = RooflineModel.DEFAULT_COMPUTE_EFFICIENCY;
    private double bandwidthEfficiency = RooflineModel.DEFAULT_BANDWIDTH_EFFICIENCY;
    private double passOverheadSeconds;
    private Integer batch;
    private Double targetLatencySeconds;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private Double measuredThroughput;
    private MeasuredWorkload calibration;
    private double utilization = 1;
    private Provisioning provisioning = Provisioning.ELASTIC;
    private Money pricePerDeviceHour;
    private Money electricityPerKwh;
    private double pue = CostModel.Builder.DEFAULT_PUE;
    private double gridGramsCo2ePerKwh = CostModel.Builder.DEFAULT_GRID_GRAMS_CO2E_PER_KWH;
    private Double powerWattsPerDevice;
    private double powerFactor = 1;
    private double idlePowerFraction;

    private Builder() {}

    private Builder(DailyCostProjection p) {
      requestsPerDay = p.requestsPerDay;
      dailyActiveUsers = p.dailyActiveUsers;
      requestsPerUser = p.requestsPerUser;
      promptTokens = p.promptTokens;
      outputTokens = p.outputTokens;
      peakToAverage = p.peakToAverage;
      model = p.model;
      weightDtype = p.weightDtype;
      kvCacheDtype = p.kvCacheDtype;
      computeDtype = p.computeDtype;
      hardware = p.hardware;
      devicesPerReplica = p.devicesPerReplica;
      devicesPerServer = p.devicesPerServer;
      computeEfficiency = p.computeEfficiency;
      bandwidthEfficiency = p.bandwidthEfficiency;
      passOverheadSeconds = p.passOverheadSeconds;
      batch = p.batch;
      targetLatencySeconds = p.targetLatencySeconds;
      maxBatch = p.maxBatch;
      measuredThroughput = p.measuredThroughput;
      calibration = p.calibration;
      utilization = p.utilization;
      provisioning = p.provisioning;
      pricePerDeviceHour = p.explicitPrice ? p.pricePerDeviceHour : null;
      electricityPerKwh = p.electricityPerKwh;
      pue = p.pue;
      gridGramsCo2ePerKwh = p.gridGramsCo2ePerKwh;
      powerWattsPerDevice = p.powerWattsPerDevice;
      powerFactor = p.powerFactor;
      idlePowerFraction = p.idlePowerFraction;
    }

    /** Traffic as requests per day (finite, > 0). Replaces users × requests per user. */
    public Builder requestsPerDay(double requests) {
      requirePositive("requestsPerDay", requests);
      this.requestsPerDay = requests;
      this.dailyActiveUsers = null;
      this.requestsPerUser = null;
      return this;
    }

    /**
     * Traffic as daily active users × requests (queries, responses) per user per day, each
     * finite and > 0. Replaces {@link #requestsPerDay(double)}.
     */
    public Builder dailyActiveUsers(double users, double requestsPerUser) {
      requirePositive("dailyActiveUsers", users);
      requirePositive("requestsPerUser", requestsPerUser);
      this.requestsPerDay = users * requestsPerUser;
      this.dailyActiveUsers = users;
      this.requestsPerUser = requestsPerUser;
      return this;
    }

    /** Prompt (input) tokens per request, ≥ 0. */
    public Builder promptTokens(long tokens) {
      requireAtLeast("promptTokens", tokens, 0);
      this.promptTokens = tokens;
      return this;
    }

    /** Generated (output) tokens per request, ≥ 1. */
    public Builder outputTokens(long tokens) {
      requireAtLeast("outputTokens", tokens, 1);
      this.outputTokens = tokens;
      return this;
    }

    /** Peak-hour traffic ÷ average traffic, finite and ≥ 1 (default 1). Sizes the peak fleet. */
    public Builder peakToAverage(double factor) {
      if (!(factor >= 1) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException(
            "peakToAverage: " + factor + " must be a finite value >= 1");
      }
      this.peakToAverage = factor;
      return this;
    }

    /** The model served. */
    public Builder model(ModelShape model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /** The model served, by {@link ModelShape#preset(String)} name (e.g. {@code "gpt3-175b"}). */
    public Builder model(String preset) {
      return model(ModelShape.preset(preset));
    }

    /** Storage type of the weights (default FP16; FP32 on hardware without a 16-bit peak). */
    public Builder weightDtype(DType dtype) {
      this.weightDtype = dtype;
      return this;
    }

    /** Storage type of the KV cache (default: the weight type, FP16 under int weights). */
    public Builder kvCacheDtype(DType dtype) {
      this.kvCacheDtype = dtype;
      return this;
    }

    /** Which peak the matmuls run at (default: see {@link RooflineModel}). */
    public Builder computeDtype(DType dtype) {
      this.computeDtype = dtype;
      return this;
    }

    /** The serving hardware. */
    public Builder hardware(HardwareProfile hardware) {
      this.hardware = Objects.requireNonNull(hardware, "hardware");
      return this;
    }

    /**
     * The serving hardware by {@link HardwareProfile#named(String)} name.
     *
     * @throws IllegalArgumentException for an unknown name, listing the allowed names
     */
    public Builder hardware(String name) {
      return hardware(HardwareProfile.named(name));
    }

    /**
     * Devices one replica of the model runs on (≥ 1). Unset: the fewest that hold the weights
     * plus the batch's KV cache. Too few for the batch makes {@link #project()} throw an
     * {@link IllegalArgumentException} that names the devices needed (a warning for a measured
     * throughput).
     */
    public Builder devicesPerReplica(int devices) {
      requireAtLeast("devicesPerReplica", devices, 1);
      this.devicesPerReplica = devices;
      return this;
    }

    /** Sizes devices per replica automatically again (the default). */
    public Builder autoDevicesPerReplica() {
      this.devicesPerReplica = null;
      return this;
    }

    /** Devices per server (≥ 1): peaks are also reported as whole servers. */
    public Builder devicesPerServer(int devices) {
      requireAtLeast("devicesPerServer", devices, 1);
      this.devicesPerServer = devices;
      return this;
    }

    /** Model FLOPs utilisation of the roofline (prefill and compute-bound decode), in (0, 1]. */
    public Builder computeEfficiency(double mfu) {
      requireFraction("computeEfficiency", mfu);
      this.computeEfficiency = mfu;
      return this;
    }

    /** Achieved fraction of peak memory bandwidth (memory-bound decode), in (0, 1]. */
    public Builder bandwidthEfficiency(double eta) {
      requireFraction("bandwidthEfficiency", eta);
      this.bandwidthEfficiency = eta;
      return this;
    }

    /** Fixed time per forward pass (launch, communication), seconds ≥ 0 (default 0). */
    public Builder passOverheadSeconds(double seconds) {
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        throw new IllegalArgumentException(
            "passOverheadSeconds: " + seconds + " must be a finite value >= 0");
      }
      this.passOverheadSeconds = seconds;
      return this;
    }

    /** Rows per forward pass (≥ 1, default 1). Clears a latency target. */
    public Builder batch(int rows) {
      requireAtLeast("batch", rows, 1);
      this.batch = rows;
      this.targetLatencySeconds = null;
      return this;
    }

    /**
     * Longest acceptable latency of one request (prefill + all decode steps), seconds (> 0):
     * the projection takes the batch in 1 … {@code maxBatch} with the fewest device-seconds per
     * request that meets it. Clears a fixed batch.
     */
    public Builder targetLatencySeconds(double seconds) {
      requirePositive("targetLatencySeconds", seconds);
      this.targetLatencySeconds = seconds;
      this.batch = null;
      return this;
    }

    /** Largest batch searched (≥ 1, default {@value DailyCostProjection#DEFAULT_MAX_BATCH}). */
    public Builder maxBatch(int rows) {
      requireAtLeast("maxBatch", rows, 1);
      this.maxBatch = rows;
      return this;
    }

    /**
     * A measured throughput, in output (generated) tokens per busy device-second with prompt
     * processing included, replaces the roofline (method {@link Method#MEASURED_THROUGHPUT}).
     */
    public Builder measuredThroughput(double outputTokensPerDeviceSecond) {
      requirePositive("measuredThroughput", outputTokensPerDeviceSecond);
      this.measuredThroughput = outputTokensPerDeviceSecond;
      return this;
    }

    /** Goes back to the roofline (removes a measured throughput). */
    public Builder noMeasuredThroughput() {
      this.measuredThroughput = null;
      return this;
    }

    /**
     * Calibrates the roofline with a measurement (method {@link Method#CALIBRATED}): sets the
     * model and the prompt / output tokens per request to the workload's, and scales the target
     * roofline by measured ÷ predicted device-seconds per request on the measuring machine. Set
     * traffic separately (e.g. N × the measured requests per day). Tokens changed afterwards
     * are projected with the same factor.
     */
    public Builder calibratedFrom(MeasuredWorkload workload) {
      this.calibration = Objects.requireNonNull(workload, "workload");
      this.model = workload.model();
      this.promptTokens = workload.promptTokensPerRequest();
      this.outputTokens = workload.completionTokensPerRequest();
      return this;
    }

    /** Fraction of paid device time that is busy, in (0, 1] (default 1). */
    public Builder utilization(double fraction) {
      requireFraction("utilization", fraction);
      this.utilization = fraction;
      return this;
    }

    /** What a day's device time is paid for (default {@link Provisioning#ELASTIC}). */
    public Builder provisioning(Provisioning provisioning) {
      this.provisioning = Objects.requireNonNull(provisioning, "provisioning");
      return this;
    }

    /** Price per device-hour (≥ 0); default: the hardware's catalog price. */
    public Builder pricePerDeviceHour(Money price) {
      Objects.requireNonNull(price, "pricePerDeviceHour");
      if (price.isNegative()) {
        throw new IllegalArgumentException("pricePerDeviceHour: " + price + " must be >= 0");
      }
      this.pricePerDeviceHour = price;
      return this;
    }

    /** Uses the hardware's catalog price again. */
    public Builder catalogPrice() {
      this.pricePerDeviceHour = null;
      return this;
    }

    /**
     * Electricity price per kWh (≥ 0), added to the cost (for owned hardware; a cloud
     * device-hour price already includes power). Default: none.
     */
    public Builder electricityPerKwh(Money price) {
      Objects.requireNonNull(price, "electricityPerKwh");
      if (price.isNegative()) {
        throw new IllegalArgumentException("electricityPerKwh: " + price + " must be >= 0");
      }
      this.electricityPerKwh = price;
      return this;
    }

    /** Power usage effectiveness, finite and ≥ 1 (default {@value io.costgen.cost.CostModel.Builder#DEFAULT_PUE}). */
    public Builder pue(double pue) {
      if (!(pue >= 1) || Double.isInfinite(pue)) {
        throw new IllegalArgumentException("pue: " + pue + " must be a finite value >= 1");
      }
      this.pue = pue;
      return this;
    }

    /** Grid carbon intensity, gCO2e per kWh, finite and ≥ 0. */
    public Builder gridCarbonIntensity(double gramsCo2ePerKwh) {
      if (!(gramsCo2ePerKwh >= 0) || Double.isInfinite(gramsCo2ePerKwh)) {
        throw new IllegalArgumentException(
            "gridGramsCo2ePerKwh: " + gramsCo2ePerKwh + " must be a finite value >= 0");
      }
      this.gridGramsCo2ePerKwh = gramsCo2ePerKwh;
      return this;
    }

    /** Power per device before the power factor, watts (> 0); default the hardware's TDP. */
    public Builder powerWattsPerDevice(double watts) {
      requirePositive("powerWattsPerDevice", watts);
      this.powerWattsPerDevice = watts;
      return this;
    }

    /** Uses the hardware's TDP again as the power per device. */
    public Builder tdpPower() {
      this.powerWattsPerDevice = null;
      return this;
    }

    /** Busy power as a fraction of the power per device, in (0, 1] (default 1). */
    public Builder powerFactor(double factor) {
      requireFraction("powerFactor", factor);
      this.powerFactor = factor;
      return this;
    }

    /** Power drawn by a paid but idle device, as a fraction of busy power, in [0, 1] (default 0). */
    public Builder idlePowerFraction(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "idlePowerFraction: " + fraction + " must be in [0, 1]");
      }
      this.idlePowerFraction = fraction;
      return this;
    }

    /**
     * Builds the projection.
     *
     * @throws IllegalStateException if a required input is missing or settings conflict
     * @throws IllegalArgumentException if the dtypes do not fit the hardware
     */
    public DailyCostProjection build() {
      if (requestsPerDay == null) {
        throw new IllegalStateException(
            "traffic: not set; call requestsPerDay(...) or dailyActiveUsers(users, perUser)");
      }
      if (promptTokens == null) {
        throw new IllegalStateException("promptTokens: not set");
      }
      if (outputTokens == null) {
        throw new IllegalStateException("outputTokens: not set");
      }
      if (model == null) {
        throw new IllegalStateException("model: not set");
      }
      if (hardware == null) {
        throw new IllegalStateException("hardware: not set");
      }
      if (measuredThroughput != null && calibration != null) {
        throw new IllegalStateException(
            "measuredThroughput and calibratedFrom: set one way to get device time, not both");
      }
      if (pricePerDeviceHour == null && hardware.price().isEmpty()) {
        throw new IllegalStateException("pricePerDeviceHour: not set and " + hardware.name()
            + " has no catalog price");
      }
      Money price = pricePerDeviceHour != null ? pricePerDeviceHour
          : hardware.price().orElseThrow().perDeviceHour();
      if (electricityPerKwh != null && !electricityPerKwh.currency().equals(price.currency())) {
        throw new IllegalStateException("electricityPerKwh: currency "
            + electricityPerKwh.currency() + " differs from pricePerDeviceHour's "
            + price.currency());
      }
      DailyCostProjection p = new DailyCostProjection(this);
      p.roofline(1); // validates the dtypes against the hardware
      return p;
    }
  }
}

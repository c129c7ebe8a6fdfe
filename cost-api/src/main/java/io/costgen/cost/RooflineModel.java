package io.costgen.cost;

import java.util.Objects;

/**
 * Roofline latency model of transformer inference on a {@link HardwareProfile}, in the style of
 * {@code cli99/llm-analysis} (latency = max(compute, memory), compute = FLOPs / (peak × flops
 * efficiency), memory = bytes / (bandwidth × memory efficiency)) and {@code hahnyuan/LLM-Viewer}
 * ({@code time = max(OPs/peak, bytes/bandwidth)}, separately for prefill and decode):
 *
 * <pre>
 * prefill        = max( B·prefillFlops(p) / (peak·MFU·devices),  W / (BW·η·devices) )
 * decode step i  = max( B·F(p+i) / (peak·MFU·devices),  (W + B·KV·(p+i)) / (BW·η·devices) )
 * total          = prefill + Σ_{i=1..n} decode step i  + passOverhead × passes
 * </pre>
 *
 * where {@code B} is the batch, {@code p} the prompt tokens per row, {@code n} the new tokens per
 * row, {@code F(c)} = {@link ModelShape#forwardFlopsPerToken(long)}, {@code W} =
 * {@link ModelShape#weightBytes(DType)} and {@code KV} = {@link ModelShape#kvCacheBytesPerToken}.
 * Splitting over {@code devices} is ideal (no communication term; kipply's
 * {@code 4·n_layers·latency_per_message} can be folded into {@code passOverheadSeconds}).
 * The decode sum is evaluated in closed form (both terms are affine in the context).
 *
 * <p><b>Defaults</b>: MFU 0.5 and bandwidth efficiency 0.8 — inside llm-analysis's guidance
 * ("flops efficiency up to 0.7 for inference", "memory efficiency 0.9 is aggressive"); 1.0 gives
 * a lower bound on time. Weights FP16 (FP32 on hardware without a 16-bit peak), KV cache in the
 * weight dtype (FP16 for int8/int4 weights), compute in the weight dtype when it is a float type
 * the hardware lists, else the first of FP16, BF16, FP32 it lists. No per-pass overhead.
 *
 * <p>Immutable and thread-safe.
 *
 * @param hardware the device
 * @param devices devices the model is split over (≥ 1)
 * @param weightDtype storage type of the weights
 * @param kvCacheDtype storage type of the KV cache
 * @param computeDtype which peak of {@code hardware} the matmuls run at
 * @param computeEfficiency model FLOPs utilisation (MFU), in (0, 1]
 * @param bandwidthEfficiency achieved fraction of peak memory bandwidth, in (0, 1]
 * @param passOverheadSeconds fixed time added per forward pass (launch, framework), seconds ≥ 0
 */
public record RooflineModel(
    HardwareProfile hardware,
    int devices,
    DType weightDtype,
    DType kvCacheDtype,
    DType computeDtype,
    double computeEfficiency,
    double bandwidthEfficiency,
    double passOverheadSeconds) {

  /** Default model FLOPs utilisation. */
  public static final double DEFAULT_COMPUTE_EFFICIENCY = 0.5;
  /** Default achieved fraction of peak memory bandwidth. */
  public static final double DEFAULT_BANDWIDTH_EFFICIENCY = 0.8;

  public RooflineModel {
    Objects.requireNonNull(hardware, "hardware");
    Objects.requireNonNull(weightDtype, "weightDtype");
    Objects.requireNonNull(kvCacheDtype, "kvCacheDtype");
    Objects.requireNonNull(computeDtype, "computeDtype");
    if (devices < 1) {
      throw new IllegalArgumentException("devices: " + devices + " must be >= 1");
    }
    requireFraction("computeEfficiency (MFU)", computeEfficiency);
    requireFraction("bandwidthEfficiency", bandwidthEfficiency);
    if (!(passOverheadSeconds >= 0) || Double.isInfinite(passOverheadSeconds)) {
      throw new IllegalArgumentException(
          "passOverheadSeconds: " + passOverheadSeconds + " must be a finite value >= 0");
    }
    if (!hardware.supports(computeDtype)) {
      throw new IllegalArgumentException("computeDtype: " + hardware.name() + " has no peak for "
          + computeDtype + "; available: " + hardware.peakFlopsPerSecond().keySet());
    }
  }

  /** The model with every default on {@code hardware}. */
  public static RooflineModel of(HardwareProfile hardware) {
    return builder(hardware).build();
  }

  /** A builder for {@code hardware} with the defaults above. */
  public static Builder builder(HardwareProfile hardware) {
    return new Builder(hardware);
  }

  /** A builder starting from this model's settings. */
  public Builder toBuilder() {
    Builder b = new Builder(hardware);
    b.devices = devices;
    b.weightDtype = weightDtype;
    b.kvCacheDtype = kvCacheDtype;
    b.computeDtype = computeDtype;
    b.computeEfficiency = computeEfficiency;
    b.bandwidthEfficiency = bandwidthEfficiency;
    b.passOverheadSeconds = passOverheadSeconds;
    return b;
  }

  /**
   * Predicts one call: {@code batch} rows, each with {@code promptTokensPerSequence} prompt
   * tokens and {@code newTokensPerSequence} decode steps (one forward pass per new token, as in
   * {@link ModelShape#decodeFlops}). It does not check that the model fits in memory (see
   * {@link #fitsInMemory}).
   *
   * @throws IllegalArgumentException for negative token counts or {@code batch < 1}
   */
  public LatencyEstimate predict(ModelShape model, long promptTokensPerSequence,
      long newTokensPerSequence, int batch) {
    Objects.requireNonNull(model, "model");
    if (promptTokensPerSequence < 0) {
      throw new IllegalArgumentException(
          "promptTokensPerSequence: " + promptTokensPerSequence + " must be >= 0");
    }
    if (newTokensPerSequence < 0) {
      throw new IllegalArgumentException(
          "newTokensPerSequence: " + newTokensPerSequence + " must be >= 0");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " must be >= 1");
    }
    double flopsRate = hardware.peakFlopsPerSecond(computeDtype) * computeEfficiency * devices;
    double byteRate = hardware.memoryBandwidthBytesPerSecond() * bandwidthEfficiency * devices;
    double weights = model.weightBytes(weightDtype);
    double p = promptTokensPerSequence;
    long n = newTokensPerSequence;

    double prefill = 0;
    LatencyEstimate.Bound prefillBound = LatencyEstimate.Bound.MEMORY;
    if (promptTokensPerSequence > 0) {
      double compute = model.prefillFlops(promptTokensPerSequence, batch) / flopsRate;
      double memory = weights / byteRate;
      prefillBound = compute > memory ? LatencyEstimate.Bound.COMPUTE : LatencyEstimate.Bound.MEMORY;
      prefill = Math.max(compute, memory) + passOverheadSeconds;
    }

    // Step i (1..n) at context p + i: compute = a1 + b1·i, memory = a2 + b2·i.
    double[] lines = decodeLines(model, p, batch);
    double a1 = lines[0];
    double b1 = lines[1];
    double a2 = lines[2];
    double b2 = lines[3];
    double decode = sumOfMax(a1, b1, a2, b2, n) + passOverheadSeconds * n;
    LatencyEstimate.Bound decodeBound;
    if (n == 0) {
      decodeBound = a1 + b1 > a2 + b2 ? LatencyEstimate.Bound.COMPUTE : LatencyEstimate.Bound.MEMORY;
    } else {
      decodeBound = arithmeticSum(a1, b1, 1, n) > arithmeticSum(a2, b2, 1, n)
          ? LatencyEstimate.Bound.COMPUTE : LatencyEstimate.Bound.MEMORY;
    }
    double perToken = n == 0 ? 0 : decode / n;
    return new LatencyEstimate(prefill, decode, perToken, prefill + decode, n, devices,
        prefillBound, decodeBound);
  }

  /**
   * {@code predict(model, contextPerSequence, 1, batch).decodeSeconds()} — one decode step at
   * that context — computed the same way (bit-identical) without building the estimate: the
   * per-step spend check asks it once per generated token.
   */
  double decodeStepSeconds(ModelShape model, long contextPerSequence, int batch) {
    Objects.requireNonNull(model, "model");
    if (contextPerSequence < 0) {
      throw new IllegalArgumentException(
          "promptTokensPerSequence: " + contextPerSequence + " must be >= 0");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " must be >= 1");
    }
    // exactly predict()'s decode expression at n = 1
    double[] lines = decodeLines(model, contextPerSequence, batch);
    return sumOfMax(lines[0], lines[1], lines[2], lines[3], 1) + passOverheadSeconds;
  }

  /**
   * The two lines of a decode step at context {@code p + i} (seconds): compute
   * {@code a1 + b1·i} and memory {@code a2 + b2·i}, as {@code {a1, b1, a2, b2}}.
   */
  private double[] decodeLines(ModelShape model, double p, int batch) {
    double flopsRate = hardware.peakFlopsPerSecond(computeDtype) * computeEfficiency * devices;
    double byteRate = hardware.memoryBandwidthBytesPerSecond() * bandwidthEfficiency * devices;
    double weights = model.weightBytes(weightDtype);
    double kvPerToken = model.kvCacheBytesPerToken(kvCacheDtype);
    double a1 = batch * (model.forwardFlopsPerToken(0) + model.attentionFlopsPerContextToken() * p)
        / flopsRate;
    double b1 = batch * model.attentionFlopsPerContextToken() / flopsRate;
    double a2 = (weights + batch * kvPerToken * p) / byteRate;
    double b2 = batch * kvPerToken / byteRate;
    return new double[] {a1, b1, a2, b2};
  }

  /**
   * Whether weights plus the KV cache of {@code batch} rows at {@code contextTokens} fit in the
   * devices' memory: {@code W + B·KV·context ≤ memoryBytes × devices} (activations and runtime
   * workspace are not counted).
   */
  public boolean fitsInMemory(ModelShape model, long contextTokens, int batch) {
    double need = model.weightBytes(weightDtype)
        + (double) batch * model.kvCacheBytesPerToken(kvCacheDtype) * contextTokens;
    return need <= (double) hardware.memoryBytes() * devices;
  }

  /** Σ_{i=1..n} max(a1 + b1·i, a2 + b2·i), in closed form. */
  static double sumOfMax(double a1, double b1, double a2, double b2, long n) {
    if (n <= 0) {
      return 0;
    }
    double da = a1 - a2;
    double db = b1 - b2;
    if (db == 0) {
      return da >= 0 ? arithmeticSum(a1, b1, 1, n) : arithmeticSum(a2, b2, 1, n);
    }
    // d(i) = da + db·i changes sign at r = -da/db; i <= k lies on one side, i > k on the other.
    double r = -da / db;
    long k = r <= 0 ? 0 : r >= n ? n : (long) Math.floor(r);
    if (db > 0) { // line 1 overtakes line 2 after r
      return arithmeticSum(a2, b2, 1, k) + arithmeticSum(a1, b1, k + 1, n);
    }
    return arithmeticSum(a1, b1, 1, k) + arithmeticSum(a2, b2, k + 1, n);
  }

  /** Σ_{i=from..to} (a + b·i); 0 when {@code to < from}. */
  static double arithmeticSum(double a, double b, long from, long to) {
    if (to < from) {
      return 0;
    }
    double count = (double) (to - from + 1);
    return count * a + b * ((double) from + (double) to) * count / 2.0;
  }

  private static void requireFraction(String field, double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException(field + ": " + v + " must be in (0, 1]");
    }
  }

  /** Builder for {@link RooflineModel}. Not thread-safe. */
  public static final class Builder {
    private final HardwareProfile hardware;
    private int devices = 1;
    private DType weightDtype;
    private DType kvCacheDtype;
    private DType computeDtype;
    private double computeEfficiency = DEFAULT_COMPUTE_EFFICIENCY;
    private double bandwidthEfficiency = DEFAULT_BANDWIDTH_EFFICIENCY;
    private double passOverheadSeconds;

    private Builder(HardwareProfile hardware) {
      this.hardware = Objects.requireNonNull(hardware, "hardware");
    }

    /** Devices the model is split over (≥ 1). */
    public Builder devices(int v) { this.devices = v; return this; }
    /** Storage type of the weights. */
    public Builder weightDtype(DType v) { this.weightDtype = v; return this; }
    /** Storage type of the KV cache. */
    public Builder kvCacheDtype(DType v) { this.kvCacheDtype = v; return this; }
    /** Which peak the matmuls run at (must be listed by the hardware). */
    public Builder computeDtype(DType v) { this.computeDtype = v; return this; }
    /** Model FLOPs utilisation (MFU), in (0, 1]. */
    public Builder computeEfficiency(double v) { this.computeEfficiency = v; return this; }
    /** Achieved fraction of peak memory bandwidth, in (0, 1]. */
    public Builder bandwidthEfficiency(double v) { this.bandwidthEfficiency = v; return this; }
    /** Fixed time per forward pass, seconds ≥ 0. */
    public Builder passOverheadSeconds(double v) { this.passOverheadSeconds = v; return this; }

    /**
     * Builds the model, filling unset dtypes with the defaults described on
     * {@link RooflineModel}.
     *
     * @throws IllegalArgumentException naming the first bad field
     */
    public RooflineModel build() {
      DType w = weightDtype != null ? weightDtype
          : hardware.supports(DType.FP16) || hardware.supports(DType.BF16) ? DType.FP16 : DType.FP32;
      DType kv = kvCacheDtype != null ? kvCacheDtype : isFloat(w) ? w : DType.FP16;
      DType c = computeDtype != null ? computeDtype : defaultCompute(w);
      return new RooflineModel(hardware, devices, w, kv, c, computeEfficiency,
          bandwidthEfficiency, passOverheadSeconds);
    }

    private DType defaultCompute(DType w) {
      if (isFloat(w) && hardware.supports(w)) {
        return w;
      }
      for (DType d : new DType[] {DType.FP16, DType.BF16, DType.FP32}) {
        if (hardware.supports(d)) {
          return d;
        }
      }
      return hardware.peakFlopsPerSecond().keySet().iterator().next();
    }

    private static boolean isFloat(DType d) {
      return d == DType.FP32 || d == DType.FP16 || d == DType.BF16;
    }
  }
}

package io.costgen.cost;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What the runtime that does the work reaches on this device, measured (not a datasheet peak):
 * matmul rates per weight format at the thread count the backend uses, effective memory
 * bandwidth (from a matrix-vector product that streams its weights), and the fixed time per
 * forward pass (from an almost empty graph), warm and on a fresh session's first run.
 *
 * <p>The measurement itself lives where the runtime is (the ONNX backend's
 * {@code OnnxCalibration}); this value type is what cost models consume:
 * {@link #toProfile()} and {@link #roofline(DType)}. Immutable and thread-safe.
 *
 * @param device {@code "cpu"} or {@code "cuda"}
 * @param deviceModel the device's model name (CPU model from {@code /proc/cpuinfo}, GPU name)
 * @param threads intra-op threads the measurement ran with (≥ 1)
 * @param runtimeVersion version of the runtime that was measured (e.g. ONNX Runtime "1.28.0")
 * @param fp32FlopsPerSecond fp32 matmul rate, FLOP/s (&gt; 0)
 * @param fp16FlopsPerSecond fp16 matmul rate, FLOP/s; empty where the device does not run fp16
 * @param int8OpsPerSecond int8 (QDQ / integer matmul) rate, ops/s; empty where not run
 * @param int4FlopsPerSecond int4 ({@code MatMulNBits}) rate, FLOP/s; empty where not run
 * @param bandwidthBytesPerSecond effective weight-streaming bandwidth, bytes/s (&gt; 0)
 * @param passOverheadSeconds fixed time of one warm forward pass, seconds (≥ 0)
 * @param coldPassOverheadSeconds extra time of a fresh session's first pass over a warm one,
 *     seconds (≥ 0): the cold-start allowance of a bound
 * @param memoryBytes device memory, bytes (&gt; 0)
 * @param tdpWatts board power used for energy, watts (&gt; 0)
 * @param measuredAt when it was measured
 * @param fp32RowRates fp32 matmul rates over weights streamed from memory, by the number of rows
 *     (tokens) a pass multiplies at once (1 = a batch-1 decode step, 8 = a batch-8 step, 64 × 8
 *     = a prefill chunk); sorted by rows, no duplicates; empty for calibrations measured before
 *     these rates existed (then {@link #predict} falls back to {@link #roofline(DType)})
 */
public record DeviceCalibration(
    String device,
    String deviceModel,
    int threads,
    String runtimeVersion,
    double fp32FlopsPerSecond,
    OptionalDouble fp16FlopsPerSecond,
    OptionalDouble int8OpsPerSecond,
    OptionalDouble int4FlopsPerSecond,
    double bandwidthBytesPerSecond,
    double passOverheadSeconds,
    double coldPassOverheadSeconds,
    long memoryBytes,
    double tdpWatts,
    Instant measuredAt,
    List<RowRate> fp32RowRates) {

  /**
   * The rate a matmul reached with {@code rows} rows (tokens) over weights streamed from memory.
   *
   * @param rows rows (tokens × batch) multiplied at once, ≥ 1
   * @param flopsPerSecond achieved FLOP/s (2 per multiply-add), &gt; 0
   */
  public record RowRate(int rows, double flopsPerSecond) {
    /** Validates both fields. */
    public RowRate {
      if (rows < 1) {
        throw new IllegalArgumentException("rows: " + rows + " must be >= 1");
      }
      positive("flopsPerSecond", flopsPerSecond);
    }
  }

  /** A calibration without per-row rates (the first calibration format). */
  public DeviceCalibration(String device, String deviceModel, int threads, String runtimeVersion,
      double fp32FlopsPerSecond, OptionalDouble fp16FlopsPerSecond, OptionalDouble int8OpsPerSecond,
      OptionalDouble int4FlopsPerSecond, double bandwidthBytesPerSecond, double passOverheadSeconds,
      double coldPassOverheadSeconds, long memoryBytes, double tdpWatts, Instant measuredAt) {
    this(device, deviceModel, threads, runtimeVersion, fp32FlopsPerSecond, fp16FlopsPerSecond,
        int8OpsPerSecond, int4FlopsPerSecond, bandwidthBytesPerSecond, passOverheadSeconds,
        coldPassOverheadSeconds, memoryBytes, tdpWatts, measuredAt, List.of());
  }

  /** Validates every field, naming the first bad one. */
  public DeviceCalibration {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(deviceModel, "deviceModel");
    Objects.requireNonNull(runtimeVersion, "runtimeVersion");
    Objects.requireNonNull(fp16FlopsPerSecond, "fp16FlopsPerSecond");
    Objects.requireNonNull(int8OpsPerSecond, "int8OpsPerSecond");
    Objects.requireNonNull(int4FlopsPerSecond, "int4FlopsPerSecond");
    Objects.requireNonNull(measuredAt, "measuredAt");
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " must be >= 1");
    }
    positive("fp32FlopsPerSecond", fp32FlopsPerSecond);
    fp16FlopsPerSecond.ifPresent(v -> positive("fp16FlopsPerSecond", v));
    int8OpsPerSecond.ifPresent(v -> positive("int8OpsPerSecond", v));
    int4FlopsPerSecond.ifPresent(v -> positive("int4FlopsPerSecond", v));
    positive("bandwidthBytesPerSecond", bandwidthBytesPerSecond);
    nonNegative("passOverheadSeconds", passOverheadSeconds);
    nonNegative("coldPassOverheadSeconds", coldPassOverheadSeconds);
    if (memoryBytes <= 0) {
      throw new IllegalArgumentException("memoryBytes: " + memoryBytes + " must be > 0");
    }
    positive("tdpWatts", tdpWatts);
    Objects.requireNonNull(fp32RowRates, "fp32RowRates");
    List<RowRate> sorted = new ArrayList<>(fp32RowRates);
    sorted.sort(Comparator.comparingInt(RowRate::rows));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).rows() == sorted.get(i - 1).rows()) {
        throw new IllegalArgumentException("fp32RowRates: rows " + sorted.get(i).rows()
            + " appears twice");
      }
    }
    fp32RowRates = List.copyOf(sorted);
  }

  /**
   * The cache key: device, device model, runtime version and threads. A calibration is reused
   * only while all four are unchanged.
   */
  public String key() {
    return key(device, deviceModel, runtimeVersion, threads);
  }

  /** The cache key for these four facts (see {@link #key()}). */
  public static String key(String device, String deviceModel, String runtimeVersion, int threads) {
    return device + " | " + deviceModel + " | runtime " + runtimeVersion + " | " + threads
        + " threads";
  }

  /**
   * A {@link HardwareProfile} named {@code device} whose "peaks" are the measured rates (fp32,
   * and fp16/int8/int4 where measured), bandwidth the measured effective bandwidth, no price.
   * Use it with efficiencies 1 ({@link #roofline(DType)} does): the rates are already achieved.
   */
  public HardwareProfile toProfile() {
    HardwareProfile.Builder b = HardwareProfile.builder(device)
        .peakFlops(DType.FP32, fp32FlopsPerSecond)
        .memoryBandwidth(bandwidthBytesPerSecond)
        .memoryBytes(memoryBytes)
        .tdpWatts(tdpWatts)
        .source(describe());
    fp16FlopsPerSecond.ifPresent(v -> b.peakFlops(DType.FP16, v));
    int8OpsPerSecond.ifPresent(v -> b.peakFlops(DType.INT8, v));
    int4FlopsPerSecond.ifPresent(v -> b.peakFlops(DType.INT4, v));
    return b.build();
  }

  /**
   * The roofline of a model stored as {@code weights} on this device: measured rates, efficiency
   * 1, the measured warm pass overhead. Compute runs at the weight format's measured rate (fp32
   * where that format was not measured); the KV cache is fp32 (what CPU exports use) except for
   * fp16 weights.
   */
  public RooflineModel roofline(DType weights) {
    Objects.requireNonNull(weights, "weights");
    HardwareProfile p = toProfile();
    DType compute = p.supports(weights) ? weights : DType.FP32;
    return RooflineModel.builder(p)
        .weightDtype(weights)
        .kvCacheDtype(weights == DType.FP16 ? DType.FP16 : DType.FP32)
        .computeDtype(compute)
        .computeEfficiency(1.0)
        .bandwidthEfficiency(1.0)
        .passOverheadSeconds(passOverheadSeconds)
        .build();
  }

  /**
   * The fp32 matmul rate at {@code rows} rows, FLOP/s: interpolated between the measured
   * {@link #fp32RowRates} (linearly in log rows), the nearest measured rate outside them; the
   * plain {@link #fp32FlopsPerSecond} without row rates.
   */
  public double fp32FlopsPerSecond(double rows) {
    if (fp32RowRates.isEmpty()) {
      return fp32FlopsPerSecond;
    }
    RowRate first = fp32RowRates.get(0);
    if (rows <= first.rows()) {
      return first.flopsPerSecond();
    }
    for (int i = 1; i < fp32RowRates.size(); i++) {
      RowRate hi = fp32RowRates.get(i);
      if (rows <= hi.rows()) {
        RowRate lo = fp32RowRates.get(i - 1);
        double t = Math.log(rows / lo.rows()) / Math.log((double) hi.rows() / lo.rows());
        return lo.flopsPerSecond() + t * (hi.flopsPerSecond() - lo.flopsPerSecond());
      }
    }
    return fp32RowRates.get(fp32RowRates.size() - 1).flopsPerSecond();
  }

  /**
   * Predicts one call on this device from the measured rates (see {@code docs/cost-model.md},
   * "Calibrated time"): for fp32 weights with {@link #fp32RowRates}, each pass's weight matmuls
   * run at the rate measured for its row count (a batch-{@code B} decode step multiplies
   * {@code B} rows, a prefill {@code B × p}; the LM head only the last position of each row, as
   * costgen's ONNX backend computes it), the KV cache streams at the measured bandwidth, and
   * each pass adds {@code overhead} at its row count (the device's warm pass overhead when
   * {@code overhead} is null). Other weight formats, or a calibration without row rates, use
   * {@link #roofline(DType)} (plus the overhead). Seconds are wall-clock on this device.
   *
   * @param overhead the model's measured per-pass overhead, or null
   * @throws IllegalArgumentException for negative token counts or {@code batch < 1}
   */
  public LatencyEstimate predict(ModelShape model, DType weights, long promptTokensPerRow,
      long newTokensPerRow, int batch, PassOverhead overhead) {
    return CalibratedTime.predict(this, model, weights, promptTokensPerRow, newTokensPerRow, batch,
        overhead);
  }

  /** One line naming what was measured, where and when. */
  public String describe() {
    return String.format(java.util.Locale.ROOT,
        "calibrated %s (%s, %d threads, runtime %s) at %s: fp32 %.1f GFLOP/s, %.1f GB/s, "
            + "pass %.3f ms (cold +%.3f ms)",
        device, deviceModel, threads, runtimeVersion, measuredAt, fp32FlopsPerSecond / 1e9,
        bandwidthBytesPerSecond / 1e9, passOverheadSeconds * 1e3, coldPassOverheadSeconds * 1e3);
  }

  static void positive(String field, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value > 0");
    }
  }

  private static void nonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value >= 0");
    }
  }
}

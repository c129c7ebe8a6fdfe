package io.costgen.cost;

import java.time.Instant;
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
    Instant measuredAt) {

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

  /** One line naming what was measured, where and when. */
  public String describe() {
    return String.format(java.util.Locale.ROOT,
        "calibrated %s (%s, %d threads, runtime %s) at %s: fp32 %.1f GFLOP/s, %.1f GB/s, "
            + "pass %.3f ms (cold +%.3f ms)",
        device, deviceModel, threads, runtimeVersion, measuredAt, fp32FlopsPerSecond / 1e9,
        bandwidthBytesPerSecond / 1e9, passOverheadSeconds * 1e3, coldPassOverheadSeconds * 1e3);
  }

  private static void positive(String field, double v) {
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

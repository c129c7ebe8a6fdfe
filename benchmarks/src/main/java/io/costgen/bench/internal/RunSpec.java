package io.costgen.bench.internal;

import java.util.List;

/**
 * What one child JVM measures; serialised as JSON on its command line.
 *
 * @param mode {@code single} (one loop: decode at each batch, then TTFT; peak RSS is this loop's),
 *     {@code paired} (several loops in one JVM, run in rotating order each round, for paired
 *     ratios), {@code threads} (one cost-off loop per thread setting, rotating like paired) or
 *     {@code overhead} (cost on vs off, whole generate calls, many rounds, plus a direct timing
 *     of the pricing path)
 * @param model label of the model
 * @param withPast the KV-cache model file
 * @param noPast the no-cache model file, or null
 * @param impls the loops, in the order of the first round
 * @param threads intra-op threads (0 = ONNX Runtime's default)
 * @param spinning allow_spinning, or null for ONNX Runtime's default
 * @param provider {@code cpu} or {@code cuda}
 * @param promptTokens prompt length of the decode runs, tokens
 * @param newTokens new tokens per row of the decode runs (the first comes from the prefill)
 * @param noPastNewTokens new tokens per row for {@link Impl#NO_PAST} (recomputation is slow)
 * @param batches batch sizes of the decode runs
 * @param warmup unmeasured runs before each measured series
 * @param reps measured runs per series (paired/overhead: rounds)
 * @param noPastReps measured runs per series for {@link Impl#NO_PAST}
 * @param ttftPrompts prompt lengths of the time-to-first-token runs (batch 1)
 * @param ttftReps measured runs per TTFT prompt length
 * @param seriesSecondsCap stop a series early (after at least one measured run) past this many seconds
 * @param cpu the machine's measured figures (for the cost-model roofline)
 * @param threadSettings the settings compared in {@code threads} mode (else empty)
 */
public record RunSpec(
    String mode,
    String model,
    ModelRef withPast,
    ModelRef noPast,
    List<Impl> impls,
    int threads,
    Boolean spinning,
    String provider,
    int promptTokens,
    int newTokens,
    int noPastNewTokens,
    List<Integer> batches,
    int warmup,
    int reps,
    int noPastReps,
    List<Integer> ttftPrompts,
    int ttftReps,
    double seriesSecondsCap,
    CpuFigures cpu,
    List<ThreadSetting> threadSettings) {

  /**
   * One ONNX Runtime thread setting.
   *
   * @param threads intra-op threads (0 = ONNX Runtime's default)
   * @param spinning allow_spinning, or null for ONNX Runtime's default
   */
  public record ThreadSetting(int threads, Boolean spinning) {}

  /**
   * The host figures measured once by the parent ({@code CpuCalibration}).
   *
   * @param cpuModel CPU model name
   * @param logicalCpus logical CPUs
   * @param bandwidthBytesPerSecond read bandwidth, bytes/s
   * @param fp32FlopsPerSecond Java fp32 matmul rate, FLOP/s
   * @param memoryBytes physical memory, bytes
   */
  public record CpuFigures(String cpuModel, int logicalCpus, double bandwidthBytesPerSecond,
      double fp32FlopsPerSecond, long memoryBytes) {}
}

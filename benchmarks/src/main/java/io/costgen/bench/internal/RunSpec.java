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

  /** A builder with the defaults: provider {@code cpu}, 60 s series cap, empty lists, zeros and nulls. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's values, to change a few. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.mode = mode;
    b.model = model;
    b.withPast = withPast;
    b.noPast = noPast;
    b.impls = impls;
    b.threads = threads;
    b.spinning = spinning;
    b.provider = provider;
    b.promptTokens = promptTokens;
    b.newTokens = newTokens;
    b.noPastNewTokens = noPastNewTokens;
    b.batches = batches;
    b.warmup = warmup;
    b.reps = reps;
    b.noPastReps = noPastReps;
    b.ttftPrompts = ttftPrompts;
    b.ttftReps = ttftReps;
    b.seriesSecondsCap = seriesSecondsCap;
    b.cpu = cpu;
    b.threadSettings = threadSettings;
    return b;
  }

  /** Builds a {@link RunSpec} by name instead of by position. Not thread-safe. */
  public static final class Builder {
    private String mode = null;
    private String model = null;
    private ModelRef withPast = null;
    private ModelRef noPast = null;
    private List<Impl> impls = List.of();
    private int threads = 0;
    private Boolean spinning = null;
    private String provider = "cpu";
    private int promptTokens = 0;
    private int newTokens = 0;
    private int noPastNewTokens = 0;
    private List<Integer> batches = List.of();
    private int warmup = 0;
    private int reps = 0;
    private int noPastReps = 0;
    private List<Integer> ttftPrompts = List.of();
    private int ttftReps = 0;
    private double seriesSecondsCap = 60;
    private CpuFigures cpu = null;
    private List<ThreadSetting> threadSettings = List.of();

    private Builder() {}

    /** Sets {@link RunSpec#mode()}. */
    public Builder mode(String mode) {
      this.mode = mode;
      return this;
    }

    /** Sets {@link RunSpec#model()}. */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /** Sets {@link RunSpec#withPast()}. */
    public Builder withPast(ModelRef withPast) {
      this.withPast = withPast;
      return this;
    }

    /** Sets {@link RunSpec#noPast()}. */
    public Builder noPast(ModelRef noPast) {
      this.noPast = noPast;
      return this;
    }

    /** Sets {@link RunSpec#impls()}. */
    public Builder impls(List<Impl> impls) {
      this.impls = impls;
      return this;
    }

    /** Sets {@link RunSpec#threads()}. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Sets {@link RunSpec#spinning()}. */
    public Builder spinning(Boolean spinning) {
      this.spinning = spinning;
      return this;
    }

    /** Sets {@link RunSpec#provider()}. */
    public Builder provider(String provider) {
      this.provider = provider;
      return this;
    }

    /** Sets {@link RunSpec#promptTokens()}. */
    public Builder promptTokens(int promptTokens) {
      this.promptTokens = promptTokens;
      return this;
    }

    /** Sets {@link RunSpec#newTokens()}. */
    public Builder newTokens(int newTokens) {
      this.newTokens = newTokens;
      return this;
    }

    /** Sets {@link RunSpec#noPastNewTokens()}. */
    public Builder noPastNewTokens(int noPastNewTokens) {
      this.noPastNewTokens = noPastNewTokens;
      return this;
    }

    /** Sets {@link RunSpec#batches()}. */
    public Builder batches(List<Integer> batches) {
      this.batches = batches;
      return this;
    }

    /** Sets {@link RunSpec#warmup()}. */
    public Builder warmup(int warmup) {
      this.warmup = warmup;
      return this;
    }

    /** Sets {@link RunSpec#reps()}. */
    public Builder reps(int reps) {
      this.reps = reps;
      return this;
    }

    /** Sets {@link RunSpec#noPastReps()}. */
    public Builder noPastReps(int noPastReps) {
      this.noPastReps = noPastReps;
      return this;
    }

    /** Sets {@link RunSpec#ttftPrompts()}. */
    public Builder ttftPrompts(List<Integer> ttftPrompts) {
      this.ttftPrompts = ttftPrompts;
      return this;
    }

    /** Sets {@link RunSpec#ttftReps()}. */
    public Builder ttftReps(int ttftReps) {
      this.ttftReps = ttftReps;
      return this;
    }

    /** Sets {@link RunSpec#seriesSecondsCap()}. */
    public Builder seriesSecondsCap(double seriesSecondsCap) {
      this.seriesSecondsCap = seriesSecondsCap;
      return this;
    }

    /** Sets {@link RunSpec#cpu()}. */
    public Builder cpu(CpuFigures cpu) {
      this.cpu = cpu;
      return this;
    }

    /** Sets {@link RunSpec#threadSettings()}. */
    public Builder threadSettings(List<ThreadSetting> threadSettings) {
      this.threadSettings = threadSettings;
      return this;
    }

    /** The spec. */
    public RunSpec build() {
      return new RunSpec(mode, model, withPast, noPast, impls, threads, spinning, provider, promptTokens, newTokens, noPastNewTokens, batches, warmup, reps, noPastReps, ttftPrompts, ttftReps, seriesSecondsCap, cpu, threadSettings);
    }
  }
}

package io.costgen.bench.internal;

import java.util.List;

/**
 * What one child JVM measured; printed as one JSON line after {@link #MARKER}.
 *
 * @param spec what was asked
 * @param loops one entry per loop measured
 * @param facts the model's size figures (from costgen's {@code ModelInfo}), or null when no
 *     costgen loop ran in this JVM
 * @param peakRssKib {@code VmHWM} at the end, KiB
 * @param overhead the cost-on/off comparison ({@code overhead} mode), or null
 * @param wallSeconds the child's measuring time (model loading included)
 * @param cpuSeconds CPU time the child's process used in that time (all threads)
 */
public record RunResult(RunSpec spec, List<LoopResult> loops, ModelFacts facts, long peakRssKib,
    Overhead overhead, double wallSeconds, double cpuSeconds) {

  /** Prefix of the result line on the child's standard output. */
  public static final String MARKER = "COSTGEN-BENCH-RESULT ";

  /**
   * One loop's series.
   *
   * @param impl the loop
   * @param decode one series per batch size
   * @param ttft one series per prompt length
   * @param peakRssAfterBatch1Kib {@code VmHWM} after the batch-1 decode series (single mode), KiB
   * @param setting the loop's thread setting ({@code threads} mode), else null
   */
  public record LoopResult(Impl impl, List<DecodeSeries> decode, List<TtftSeries> ttft,
      long peakRssAfterBatch1Kib, RunSpec.ThreadSetting setting) {}

  /**
   * Decode speed at one batch size.
   *
   * @param batch rows
   * @param promptTokens prompt tokens per row
   * @param newTokens new tokens per row (decode steps = newTokens − 1)
   * @param tokensPerSecond per run: batch × decode steps ÷ (call time − time to first token)
   * @param callSeconds per run: the whole call, seconds
   * @param callCpuSeconds per run: CPU time of the calling thread during the call, seconds (with
   *     one intra-op thread all of ONNX Runtime's work runs there; robust to other processes
   *     competing for the cores)
   * @param tokensDigest a digest of the tokens of the first measured run (loops that agree on
   *     the tokens have equal digests)
   */
  public record DecodeSeries(int batch, int promptTokens, int newTokens, List<Double> tokensPerSecond,
      List<Double> callSeconds, List<Double> callCpuSeconds, String tokensDigest) {}

  /**
   * Time to first token at batch 1.
   *
   * @param promptTokens prompt length
   * @param seconds per run
   * @param directMib per run: growth of the JVM's direct-buffer pool during the call, MiB (new
   *     direct buffers not freed by the end of the call; they are freed only by a later GC)
   */
  public record TtftSeries(int promptTokens, List<Double> seconds, List<Double> directMib) {}

  /**
   * Model size figures, from costgen's {@code ModelInfo}.
   *
   * @param shape the model's shape, flattened
   * @param weightBytes weight bytes in the stored dtype
   * @param kvBytesPerToken KV-cache bytes per token per row
   * @param weightDtype stored weight dtype ({@code DType} name)
   * @param kvDtype KV-cache dtype ({@code DType} name)
   */
  public record ModelFacts(Shape shape, double weightBytes, double kvBytesPerToken,
      String weightDtype, String kvDtype) {}

  /** {@code io.costgen.cost.ModelShape}'s fields, with the exact parameter count. */
  public record Shape(String name, String family, int layers, int hiddenSize, int attentionHeads,
      int kvHeads, int headSize, int intermediateSize, int vocabSize, int contextLength,
      boolean tiedEmbeddings, long parameters) {}

  /**
   * Cost on vs off on whole generate calls.
   *
   * @param newTokens new tokens per call
   * @param onSeconds per round: the cost-on call, seconds
   * @param offSeconds per round: the cost-off call, seconds
   * @param onCpuSeconds per round: calling-thread CPU time of the cost-on call, seconds
   * @param offCpuSeconds per round: calling-thread CPU time of the cost-off call, seconds
   * @param pricingPathNanos direct timing of one call's pricing path (estimate, price, listener
   *     events), nanoseconds, median of batches
   */
  public record Overhead(int newTokens, List<Double> onSeconds, List<Double> offSeconds,
      List<Double> onCpuSeconds, List<Double> offCpuSeconds, double pricingPathNanos) {}
}

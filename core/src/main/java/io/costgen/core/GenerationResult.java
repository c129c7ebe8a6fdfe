package io.costgen.core;

import io.costgen.cost.CostReport;
import io.costgen.cost.Usage;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a generation call produced: its sequences ordered by input index then rank, the measured
 * {@link Usage}, its priced {@link CostReport} and {@link GenerationTimings}.
 *
 * <p>A cancelled call or one that hit its deadline also returns a result: sequences hold what was
 * generated, with {@link FinishReason#CANCELLED} / {@link FinishReason#DEADLINE}. Immutable and
 * thread-safe.
 */
public final class GenerationResult {
  private final List<GeneratedSequence> sequences;
  private final Usage usage;
  private final CostReport cost;
  private final GenerationTimings timings;
  private final OptionalLong padTokenId;

  public GenerationResult(List<GeneratedSequence> sequences, Usage usage, CostReport cost, GenerationTimings timings,
      OptionalLong padTokenId) {
    this.sequences = List.copyOf(sequences);
    this.usage = Objects.requireNonNull(usage, "usage");
    this.cost = Objects.requireNonNull(cost, "cost");
    this.timings = Objects.requireNonNull(timings, "timings");
    this.padTokenId = Objects.requireNonNull(padTokenId, "padTokenId");
  }

  /** All sequences, by input index then rank. */
  public List<GeneratedSequence> sequences() {
    return sequences;
  }

  /** The first sequence (of the first prompt). */
  public GeneratedSequence first() {
    return sequences.get(0);
  }

  /** The first sequence's generated text. */
  public String completion() {
    return first().completion();
  }

  /** The first sequence's whole text (prompt included). */
  public String text() {
    return first().text();
  }

  /** Tokens, FLOPs, bytes and seconds this call used. */
  public Usage usage() {
    return usage;
  }

  /** The price of {@link #usage()} under the generator's cost model. */
  public CostReport cost() {
    return cost;
  }

  public GenerationTimings timings() {
    return timings;
  }

  /** The padding token id the call resolved (model's pad, else first EOS), if any. */
  public OptionalLong padTokenId() {
    return padTokenId;
  }

  /**
   * The sequences laid out like Hugging Face's {@code generate()} output tensor: one row per
   * sequence, prompts left-padded to the longest prompt, generated tokens right-padded to the
   * longest generation, both with {@link #padTokenId()} (0 when there is none).
   */
  public long[][] paddedTokenIds() {
    int maxPrompt = 0;
    int maxGen = 0;
    for (GeneratedSequence s : sequences) {
      maxPrompt = Math.max(maxPrompt, s.promptLength());
      maxGen = Math.max(maxGen, s.generatedLength());
    }
    long pad = padTokenId.orElse(0);
    long[][] out = new long[sequences.size()][maxPrompt + maxGen];
    for (int i = 0; i < out.length; i++) {
      GeneratedSequence s = sequences.get(i);
      long[] ids = s.tokenIds();
      java.util.Arrays.fill(out[i], pad);
      int offset = maxPrompt - s.promptLength();
      System.arraycopy(ids, 0, out[i], offset, ids.length);
    }
    return out;
  }

  @Override
  public String toString() {
    return "GenerationResult{sequences=" + sequences + ", usage=" + usage + ", timings=" + timings + "}";
  }
}

package io.costgen.core;

import io.costgen.core.internal.Hypothesis;
import io.costgen.core.internal.UsageCounter;
import io.costgen.cost.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns what a call's decoder produced and what was measured into the call's {@link Usage},
 * {@link GenerationTimings} and {@link GeneratedSequence}s. Pure: no backend, no listeners, no
 * pricing. Times are on the generator's ticker, in nanoseconds. Not thread-safe; one per call.
 */
final class ResultAssembler {
  private final ModelInfo model;
  private final CallPlan plan;
  private final Optional<Tokenizer> tokenizer;
  private final long startNanos;

  ResultAssembler(ModelInfo model, CallPlan plan, Optional<Tokenizer> tokenizer, long startNanos) {
    this.model = model;
    this.plan = plan;
    this.tokenizer = tokenizer;
    this.startNanos = startNanos;
  }

  /**
   * The call's usage.
   *
   * @param counter the decoder's FLOP and step counts, or null when the call failed before it existed
   * @param firstTokenNanos when the first token was chosen, or negative if none was
   * @param deviceNanos a batched call's share of the measured passes, or negative: the wall time
   */
  Usage usage(List<Hypothesis> hypotheses, UsageCounter counter, long firstTokenNanos, long endNanos,
      long deviceNanos) {
    long completion = 0;
    for (Hypothesis h : hypotheses) {
      completion += h.tokens().length - h.promptLength();
    }
    double wall = Math.max(0, endNanos - startNanos) / 1e9;
    // batched: the call's share of the measured forward passes (docs/batching.md)
    double busy = deviceNanos >= 0 ? deviceNanos / 1e9 : wall;
    Usage.Builder b = Usage.builder().model(model.shape()).promptTokens(plan.promptTokens())
        .completionTokens(completion).sequences(hypotheses.size()).wallSeconds(wall)
        .deviceSeconds(busy * model.devices()).devices(model.devices())
        .timeToFirstToken(firstTokenNanos < 0 ? null : Duration.ofNanos(firstTokenNanos - startNanos));
    if (counter != null) {
      b.decodeSteps(counter.decodeSteps()).prefillFlops(counter.prefillFlops()).decodeFlops(counter.decodeFlops())
          .bytesMoved(counter.bytesMoved());
    }
    return b.build();
  }

  /** Time to first token, total time and time per decoded token. */
  GenerationTimings timings(UsageCounter counter, long firstTokenNanos, long endNanos) {
    Duration total = Duration.ofNanos(Math.max(0, endNanos - startNanos));
    Duration ttft = firstTokenNanos < 0 ? total : Duration.ofNanos(firstTokenNanos - startNanos);
    long steps = counter == null ? 0 : counter.decodeSteps();
    Duration perToken = steps == 0 ? Duration.ZERO : total.minus(ttft).dividedBy(steps);
    return new GenerationTimings(ttft, total, perToken);
  }

  /**
   * The generated sequences, decoded when there is a tokenizer.
   *
   * @param grantedNewTokens a budget's cap on new tokens (a sequence that reached it finished for
   *     {@link FinishReason#BUDGET}, not {@code LENGTH}), or negative when the budget shrank nothing
   */
  List<GeneratedSequence> sequences(List<Hypothesis> hypotheses, long grantedNewTokens) {
    String[] promptTexts = new String[plan.inputs()];
    List<GeneratedSequence> out = new ArrayList<>(hypotheses.size());
    for (Hypothesis h : hypotheses) {
      String text = "";
      String completion = "";
      if (tokenizer.isPresent()) {
        Tokenizer t = tokenizer.get();
        int b = h.inputIndex();
        if (promptTexts[b] == null) {
          promptTexts[b] = t.decode(Arrays.copyOf(h.tokens(), h.promptLength()), true);
        }
        text = t.decode(h.tokens(), true);
        completion = text.startsWith(promptTexts[b]) ? text.substring(promptTexts[b].length())
            : t.decode(Arrays.copyOfRange(h.tokens(), h.promptLength(), h.tokens().length), true);
      }
      OptionalDouble score = Double.isNaN(h.score()) ? OptionalDouble.empty() : OptionalDouble.of(h.score());
      FinishReason reason = h.finishReason();
      if (reason == FinishReason.LENGTH && grantedNewTokens >= 0
          && h.tokens().length - h.promptLength() >= grantedNewTokens) {
        reason = FinishReason.BUDGET; // the budget's cap, not the requested length, ended it
      }
      out.add(new GeneratedSequence(h.inputIndex(), h.rank(), h.tokens(), h.promptLength(), text, completion,
          reason, score));
    }
    return out;
  }
}

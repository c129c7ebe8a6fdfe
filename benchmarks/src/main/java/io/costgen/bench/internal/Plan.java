package io.costgen.bench.internal;

import java.util.List;

/**
 * Token counts and repetitions of one bench run, sized so the full run takes under 15 minutes
 * on 2 quiet cores (and {@code --quick} under 3), with the large models dominating.
 *
 * @param largeModels benchmark the ~124M models at all (else only the small ones)
 * @param llama include the Llama-style 124M model (the GPT-2 one is always included when
 *     {@code largeModels})
 * @param promptTokens decode runs: prompt tokens per row
 * @param newTokens decode runs on the 124M models: new tokens per row
 * @param pairedRounds rounds of the paired (side-by-side) decode series on the 124M models, per
 *     load order (each series runs twice: the hand-written loop's session loaded first, then last)
 * @param pairedB8Rounds the same at batch 8
 * @param noPastNewTokens new tokens per row without the KV cache (each step recomputes)
 * @param noPastReps measured runs per batch without the KV cache
 * @param ttftPrompts TTFT prompt lengths
 * @param ttftReps measured TTFT runs per length
 * @param smallNewTokens decode runs on the small models: new tokens per row
 * @param smallRounds rounds of the paired series on the small models
 * @param overheadRounds cost on/off rounds on stories260k
 * @param threadSettingsOnLarge measure the thread settings on GPT-2 small too (else stories260k only)
 * @param threadReps measured runs per thread setting and batch
 * @param seriesSecondsCap cut a series short after this many seconds (≥ 1 measured run)
 */
public record Plan(
    boolean largeModels,
    boolean llama,
    int promptTokens,
    int newTokens,
    int pairedRounds,
    int pairedB8Rounds,
    int noPastNewTokens,
    int noPastReps,
    List<Integer> ttftPrompts,
    int ttftReps,
    int smallNewTokens,
    int smallRounds,
    int overheadRounds,
    boolean threadSettingsOnLarge,
    int threadReps,
    double seriesSecondsCap) {

  /** The full run (under 15 minutes on 2 quiet cores). */
  public static Plan full() {
    return new Plan(true, true, 32, 32, 3, 2, 12, 2, List.of(128, 512), 2, 64, 30, 1000, true, 4, 90);
  }

  /**
   * The smoke run (under 3 minutes): GPT-2 small with minimal counts and only the 128-token TTFT,
   * the small models, no Llama, thread settings on stories260k only.
   */
  public static Plan quick() {
    return new Plan(true, false, 16, 8, 1, 1, 4, 1, List.of(128), 1, 32, 5, 40, false, 1, 20);
  }

  /** The decode batch sizes. */
  public List<Integer> batches() {
    return List.of(1, 8);
  }
}

package io.costgen.core.processor;

/**
 * Rewrites the next-token scores of one sequence in place, like a Hugging Face
 * {@code LogitsProcessor} applied to one row.
 *
 * <p>{@code tokens[0, length)} is the sequence so far: the prompt ({@code promptLength} tokens,
 * never padding) followed by the generated tokens. {@code scores} holds one float32 score per
 * vocabulary entry: raw logits in greedy and sampling modes, log-softmaxed scores in beam modes
 * (as in Hugging Face). Filters write {@link Float#NEGATIVE_INFINITY}.
 *
 * <p>Implementations must not keep or modify {@code tokens}; {@code tokens.length} may exceed
 * {@code length}. They run once per row per step, so they should not allocate. The built-in
 * processors ({@link LogitsProcessors}) are stateless and thread-safe; a user processor shared by
 * concurrent calls must be thread-safe too.
 */
@FunctionalInterface
public interface LogitsProcessor {

  /**
   * @param tokens prompt then generated tokens; valid in {@code [0, length)}
   * @param length number of valid tokens
   * @param promptLength how many of them are the prompt
   * @param scores next-token scores, rewritten in place
   */
  void process(long[] tokens, int length, int promptLength, float[] scores);
}

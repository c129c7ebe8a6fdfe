package io.costgen.core.processor;

/**
 * Decides whether one sequence is finished, like a Hugging Face {@code StoppingCriteria} applied
 * to one row. Called after each generated token with the sequence including it
 * ({@code tokens[0, length)}: prompt, never padding, then generated tokens). In beam modes it is
 * called for every candidate continuation.
 *
 * <p>A sequence it stops ends with {@code FinishReason.STOPPING_CRITERION}; the token is kept.
 * Implementations must not keep or modify {@code tokens}, should be fast, and must be
 * thread-safe if shared by concurrent calls.
 */
@FunctionalInterface
public interface StoppingCriterion {

  /** True when the sequence {@code tokens[0, length)} should end here. */
  boolean shouldStop(long[] tokens, int length, int promptLength);
}

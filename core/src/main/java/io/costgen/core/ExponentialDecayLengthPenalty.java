package io.costgen.core;

/**
 * Hugging Face's {@code exponential_decay_length_penalty = (start_index, decay_factor)}: once
 * more than {@code startIndex} new tokens were generated, the EOS scores {@code s} become
 * {@code s + |s| × (decayFactor^(n − startIndex) − 1)}, where {@code n} is the number of new
 * tokens ({@code ExponentialDecayLengthPenalty}). Immutable.
 *
 * @param startIndex new tokens before the penalty starts; >= 0
 * @param decayFactor growth per token; finite and > 0 (1 = no effect)
 */
public record ExponentialDecayLengthPenalty(int startIndex, double decayFactor) {

  public ExponentialDecayLengthPenalty {
    if (startIndex < 0) {
      throw new IllegalArgumentException("exponentialDecayLengthPenalty (exponential_decay_length_penalty): start index "
          + startIndex + " must be >= 0");
    }
    if (!(decayFactor > 0) || Double.isInfinite(decayFactor)) {
      throw new IllegalArgumentException("exponentialDecayLengthPenalty (exponential_decay_length_penalty): decay factor "
          + decayFactor + " must be finite and > 0");
    }
  }
}

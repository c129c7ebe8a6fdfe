package io.costgen.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One generated sequence of a {@link GenerationResult}.
 *
 * <p>{@code tokenIds} holds the prompt (without padding) followed by the generated tokens; a final
 * EOS token or the token completing a stop string is kept, no padding follows. {@code text} is the
 * whole sequence decoded with special tokens skipped; {@code completion} the text the generated
 * tokens add after the prompt's text (both empty without a tokenizer). {@code score} is the beam
 * score ({@code sum of log-probabilities / generatedLength^lengthPenalty}) in beam modes, absent
 * otherwise. Immutable (arrays are copied in and out).
 */
public final class GeneratedSequence {
  private final int inputIndex;
  private final int rank;
  private final long[] tokenIds;
  private final int promptLength;
  private final String text;
  private final String completion;
  private final FinishReason finishReason;
  private final OptionalDouble score;

  public GeneratedSequence(int inputIndex, int rank, long[] tokenIds, int promptLength, String text,
      String completion, FinishReason finishReason, OptionalDouble score) {
    if (promptLength < 0 || promptLength > tokenIds.length) {
      throw new IllegalArgumentException("promptLength: " + promptLength + " outside [0, " + tokenIds.length + "]");
    }
    this.inputIndex = inputIndex;
    this.rank = rank;
    this.tokenIds = tokenIds.clone();
    this.promptLength = promptLength;
    this.text = Objects.requireNonNull(text, "text");
    this.completion = Objects.requireNonNull(completion, "completion");
    this.finishReason = Objects.requireNonNull(finishReason, "finishReason");
    this.score = Objects.requireNonNull(score, "score");
  }

  /** Index of the prompt this sequence continues. */
  public int inputIndex() {
    return inputIndex;
  }

  /** 0-based rank among the sequences of its prompt (beam modes: best score first). */
  public int rank() {
    return rank;
  }

  /** Prompt then generated tokens (a copy). */
  public long[] tokenIds() {
    return tokenIds.clone();
  }

  /** Only the generated tokens (a copy). */
  public long[] generatedTokenIds() {
    return Arrays.copyOfRange(tokenIds, promptLength, tokenIds.length);
  }

  /** Prompt length in tokens (no padding). */
  public int promptLength() {
    return promptLength;
  }

  /** Number of generated tokens. */
  public int generatedLength() {
    return tokenIds.length - promptLength;
  }

  /** The whole sequence decoded, prompt included (special tokens skipped). */
  public String text() {
    return text;
  }

  /** The generated text only. */
  public String completion() {
    return completion;
  }

  public FinishReason finishReason() {
    return finishReason;
  }

  /** Beam score, beam modes only. */
  public OptionalDouble score() {
    return score;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GeneratedSequence s && inputIndex == s.inputIndex && rank == s.rank
        && promptLength == s.promptLength && Arrays.equals(tokenIds, s.tokenIds) && text.equals(s.text)
        && completion.equals(s.completion) && finishReason == s.finishReason && score.equals(s.score);
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputIndex, rank, Arrays.hashCode(tokenIds), promptLength, text, completion,
        finishReason, score);
  }

  @Override
  public String toString() {
    return "GeneratedSequence{input=" + inputIndex + ", rank=" + rank + ", tokens=" + Arrays.toString(tokenIds)
        + ", prompt=" + promptLength + ", finish=" + finishReason.wireName()
        + (score.isPresent() ? ", score=" + score.getAsDouble() : "") + ", completion=" + quote(completion) + "}";
  }

  private static String quote(String s) {
    return '"' + s.replace("\n", "\\n") + '"';
  }
}

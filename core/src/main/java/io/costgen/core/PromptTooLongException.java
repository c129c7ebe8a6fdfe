package io.costgen.core;

/**
 * A prompt does not fit: its length plus the tokens to generate exceed the model's context
 * length, or it already reaches the requested {@code maxLength}. Unchecked; a kind of
 * {@link IllegalArgumentException}. Lengths are in tokens.
 */
public class PromptTooLongException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int inputIndex;
  private final long promptTokens;
  private final long maxLengthTokens;
  private final int contextLength;

  public PromptTooLongException(String message, int inputIndex, long promptTokens, long maxLengthTokens,
      int contextLength) {
    super(message);
    this.inputIndex = inputIndex;
    this.promptTokens = promptTokens;
    this.maxLengthTokens = maxLengthTokens;
    this.contextLength = contextLength;
  }

  /** Index of the offending prompt in the request. */
  public int inputIndex() {
    return inputIndex;
  }

  /** Tokens in the prompt (no padding). */
  public long promptTokens() {
    return promptTokens;
  }

  /** The total length (prompt + new tokens) the call asked for. */
  public long maxLengthTokens() {
    return maxLengthTokens;
  }

  /** The model's context length. */
  public int contextLength() {
    return contextLength;
  }
}

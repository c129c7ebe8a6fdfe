package io.costgen.core;

import java.util.Objects;
import java.util.Optional;

/**
 * One generated token as it is streamed.
 *
 * @param sequenceIndex index of its sequence in {@link GenerationResult#sequences()}
 * @param inputIndex index of the prompt it continues
 * @param tokenIndex 0-based position among the sequence's generated tokens
 * @param tokenId the token
 * @param text the text this token makes stable (may be empty: special tokens, or UTF-8 bytes held
 *     back until complete); concatenated over a sequence it equals
 *     {@link GeneratedSequence#completion()}. Empty when the generator has no tokenizer.
 * @param finishReason present on the sequence's last token
 */
public record StreamedToken(int sequenceIndex, int inputIndex, int tokenIndex, long tokenId, String text,
    Optional<FinishReason> finishReason) {

  public StreamedToken {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
  }

  /** Whether this is its sequence's last token. */
  public boolean isLast() {
    return finishReason.isPresent();
  }
}

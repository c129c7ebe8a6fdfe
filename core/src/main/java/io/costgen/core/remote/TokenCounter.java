package io.costgen.core.remote;

import io.costgen.core.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Counts the tokens of a text for a remote call's worst-case reservation (SPI; implementations
 * must be thread-safe).
 *
 * <p>{@link #utf8Bytes()} is the conservative default used when no tokenizer of the remote model
 * is at hand: one token per UTF-8 byte. Byte-level BPE tokenizers (GPT, Llama 3, Qwen) and
 * SentencePiece with byte fallback never produce more tokens than bytes, so it over-counts
 * (about 4× for English) and never under-counts ordinary text; the reservation is then larger
 * than needed, and settling returns the difference.
 */
@FunctionalInterface
public interface TokenCounter {

  /** Tokens of {@code text} (≥ 0). */
  long count(String text);

  /** One token per UTF-8 byte: a safe upper bound for byte-level tokenizers. */
  static TokenCounter utf8Bytes() {
    return text -> text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Counts with {@code tokenizer} (e.g. the remote model's own {@code tokenizer.json}). */
  static TokenCounter of(Tokenizer tokenizer) {
    Objects.requireNonNull(tokenizer, "tokenizer");
    return text -> text == null || text.isEmpty() ? 0 : tokenizer.encode(text).length;
  }
}

package io.costgen.core.tokenizer;

import io.costgen.core.Tokenizer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns a growing token sequence into text deltas for streaming, never emitting broken UTF-8.
 *
 * <p>Each {@link #add(long)} re-decodes a short window (a few tokens before the unread ones, so
 * that context-dependent decoding such as SentencePiece's leading-space rule is right) and emits
 * the text the new tokens add as soon as it is stable: text ending in U+FFFD (an incomplete
 * UTF-8 sequence) is held back until the next token completes it, and the text of a run of
 * byte-fallback pieces ({@link Tokenizer#isByteFallbackPiece}) until a non-byte token ends the run
 * (Hugging Face's {@code ByteFallback} decoder turns a whole invalid run into U+FFFD).
 * {@link #finish()} flushes what is left so that the deltas concatenate to exactly
 * {@link #completion(Tokenizer, long[], int, boolean)} of the whole sequence (when the tokenizer
 * decodes prefixes stably, which byte-level BPE and SentencePiece tokenizers do).
 *
 * <p>Unlike Hugging Face's {@code TextStreamer} it does not wait for a space or newline. Special
 * tokens are skipped by default. Not thread-safe: one instance per sequence.
 */
public final class IncrementalDetokenizer {

  /** Tokens before the unread ones re-decoded as context (as vLLM's incremental detokenizer). */
  private static final int CONTEXT_TOKENS = 5;

  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private final int promptLength;
  private long[] ids;
  private int length;
  private int prefixOffset;
  private int readOffset;
  private final StringBuilder emitted = new StringBuilder();
  private boolean finished;

  /** A detokenizer for text after {@code promptIds} (special tokens skipped). */
  public IncrementalDetokenizer(Tokenizer tokenizer, long[] promptIds) {
    this(tokenizer, promptIds, true);
  }

  /** A detokenizer for text after {@code promptIds}. */
  public IncrementalDetokenizer(Tokenizer tokenizer, long[] promptIds, boolean skipSpecialTokens) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.skipSpecialTokens = skipSpecialTokens;
    this.promptLength = promptIds.length;
    this.ids = Arrays.copyOf(promptIds, Math.max(16, promptIds.length * 2));
    this.length = promptIds.length;
    this.prefixOffset = Math.max(0, promptIds.length - CONTEXT_TOKENS);
    this.readOffset = promptIds.length;
  }

  /**
   * Appends a generated token and returns the text it makes stable (possibly empty).
   *
   * @throws IllegalStateException after {@link #finish()}
   */
  public String add(long tokenId) {
    if (finished) {
      throw new IllegalStateException("detokenizer already finished");
    }
    if (length == ids.length) {
      ids = Arrays.copyOf(ids, ids.length * 2);
    }
    ids[length++] = tokenId;
    if (tokenizer.isByteFallbackPiece(tokenId)) {
      return ""; // a run of byte pieces is final only once it ends
    }
    String prefixText = decode(prefixOffset, readOffset);
    String newText = decode(prefixOffset, length);
    if (newText.length() > prefixText.length() && newText.startsWith(prefixText)
        && !newText.endsWith("\uFFFD")) {
      String delta = newText.substring(prefixText.length());
      prefixOffset = readOffset;
      readOffset = length;
      emitted.append(delta);
      return delta;
    }
    return "";
  }

  /** Flushes the held-back text; later calls return {@code ""}. */
  public String finish() {
    if (finished) {
      return "";
    }
    finished = true;
    String expected = completion(tokenizer, Arrays.copyOf(ids, length), promptLength, skipSpecialTokens);
    if (expected.length() >= emitted.length() && expected.startsWith(emitted.toString())) {
      String rest = expected.substring(emitted.length());
      emitted.append(rest);
      return rest;
    }
    return "";
  }

  /** All text emitted so far. */
  public String text() {
    return emitted.toString();
  }

  /** Generated tokens added so far. */
  public long generatedTokens() {
    return length - promptLength;
  }

  private String decode(int from, int to) {
    if (from >= to) {
      return "";
    }
    return tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
  }

  /**
   * The text that {@code ids[promptLength, ids.length)} adds after the prompt: the decoded whole
   * sequence minus the decoded prompt when it starts with it (the Hugging Face text-generation
   * pipeline's convention, which keeps e.g. SentencePiece's leading space of the first new word),
   * else the generated tokens decoded alone.
   */
  public static String completion(Tokenizer tokenizer, long[] ids, int promptLength, boolean skipSpecialTokens) {
    String full = tokenizer.decode(ids, skipSpecialTokens);
    String prompt = promptLength == 0 ? "" : tokenizer.decode(Arrays.copyOf(ids, promptLength), skipSpecialTokens);
    if (full.startsWith(prompt)) {
      return full.substring(prompt.length());
    }
    return tokenizer.decode(Arrays.copyOfRange(ids, promptLength, ids.length), skipSpecialTokens);
  }
}

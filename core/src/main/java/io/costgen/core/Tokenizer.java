package io.costgen.core;

/**
 * Text ↔ token ids. The Hugging Face {@code tokenizer.json} implementation is
 * {@code io.costgen.core.tokenizer.HuggingFaceTokenizer}.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Tokenizer extends AutoCloseable {

  /** Token ids of {@code text}, with the special tokens the tokenizer adds (e.g. BOS). */
  long[] encode(String text);

  /**
   * Token ids of {@code text}; with {@code addSpecialTokens == false} no special token is added
   * around it (no BOS), while special-token text inside it (e.g. {@code <|im_start|>}) still
   * becomes its id: transformers' {@code add_special_tokens=False}, used for rendered chat
   * prompts. The default ignores the flag: implementations that add special tokens override it.
   */
  default long[] encode(String text, boolean addSpecialTokens) {
    return encode(text);
  }

  /** Text of {@code ids}; special tokens are dropped when {@code skipSpecialTokens}. */
  String decode(long[] ids, boolean skipSpecialTokens);

  /**
   * Whether {@code id} is a byte-fallback piece (e.g. SentencePiece's {@code <0xE2>}): its text
   * depends on the byte pieces around it (an invalid UTF-8 run decodes to U+FFFD as a whole), so
   * streaming holds it back until a non-byte token follows. Default: false.
   */
  default boolean isByteFallbackPiece(long id) {
    return false;
  }

  /** Text of {@code ids}, special tokens kept. */
  default String decode(long[] ids) {
    return decode(ids, false);
  }

  @Override
  default void close() {}
}

package io.costgen.core.chat;

/**
 * Turns an assistant's generated text into text plus {@link ToolCall}s, for one tool-call output
 * format (the SPI for formats beyond the built-in {@link ToolCallParsers}). Implementations must
 * be thread-safe and must never throw on model output: text that looks like a tool call but
 * cannot be read gives {@link ParsedToolCalls#malformed(String)}.
 */
@FunctionalInterface
public interface ToolCallParser {

  /**
   * Parses {@code text} (the generated text, special tokens skipped).
   *
   * @return the calls found with the remaining text; {@link ParsedToolCalls#none(String)} when
   *     the text holds no tool call of this format
   */
  ParsedToolCalls parse(String text);
}

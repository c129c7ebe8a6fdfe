package io.costgen.core.chat;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link ToolCallParser} read from an assistant's text. Immutable.
 *
 * @param content the text outside the tool calls (the whole text when none or malformed)
 * @param toolCalls the calls, in the order written; empty when none or malformed
 * @param malformed whether the text held tool-call markup that could not be parsed
 */
public record ParsedToolCalls(String content, List<ToolCall> toolCalls, boolean malformed) {

  public ParsedToolCalls {
    Objects.requireNonNull(content, "content");
    toolCalls = List.copyOf(toolCalls);
    if (malformed && !toolCalls.isEmpty()) {
      throw new IllegalArgumentException("toolCalls: a malformed parse carries no tool calls");
    }
  }

  /** No tool call: the text as it is. */
  public static ParsedToolCalls none(String text) {
    return new ParsedToolCalls(text, List.of(), false);
  }

  /** Markup that could not be parsed: the raw text, flagged. */
  public static ParsedToolCalls malformed(String text) {
    return new ParsedToolCalls(text, List.of(), true);
  }

  /** Whether at least one call was parsed. */
  public boolean hasToolCalls() {
    return !toolCalls.isEmpty();
  }
}

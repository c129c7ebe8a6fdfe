package io.costgen.core.chat;

import io.costgen.core.FinishReason;
import io.costgen.core.GenerationResult;
import io.costgen.cost.CostReport;
import io.costgen.cost.Usage;
import java.util.Objects;

/**
 * What a chat call produced: the assistant's {@link ChatMessage} (its text, and the tool calls
 * parsed from it), the measured {@link Usage}, the priced {@link CostReport}, the finish reason,
 * the rendered prompt and the underlying {@link GenerationResult}.
 *
 * <p>When the model's output looked like a tool call but could not be parsed
 * ({@link #toolCallsMalformed()}), the message holds the raw text and no tool calls; nothing is
 * thrown. Immutable and thread-safe.
 */
public final class ChatResult {
  private final ChatMessage message;
  private final boolean toolCallsMalformed;
  private final String rawText;
  private final String prompt;
  private final GenerationResult generation;

  /**
   * @param message the assistant message
   * @param toolCallsMalformed whether tool-call markup was found but not parsed
   * @param rawText the generated text as decoded (special tokens skipped)
   * @param prompt the rendered prompt text
   * @param generation the generation call's result
   */
  public ChatResult(ChatMessage message, boolean toolCallsMalformed, String rawText, String prompt,
      GenerationResult generation) {
    this.message = Objects.requireNonNull(message, "message");
    if (message.role() != ChatRole.ASSISTANT) {
      throw new IllegalArgumentException("message: role " + message.role().wireName() + ", expected assistant");
    }
    this.toolCallsMalformed = toolCallsMalformed;
    this.rawText = Objects.requireNonNull(rawText, "rawText");
    this.prompt = Objects.requireNonNull(prompt, "prompt");
    this.generation = Objects.requireNonNull(generation, "generation");
  }

  /** The assistant's reply: text (tool-call markup removed) and parsed tool calls. */
  public ChatMessage message() {
    return message;
  }

  /** The assistant's text ({@code message().text()}). */
  public String text() {
    return message.text();
  }

  /** Whether the output held tool-call markup that could not be parsed (then see {@link #rawText()}). */
  public boolean toolCallsMalformed() {
    return toolCallsMalformed;
  }

  /** The generated text exactly as decoded (special tokens skipped), before tool-call parsing. */
  public String rawText() {
    return rawText;
  }

  /** The prompt the chat template rendered (what the model was given, as text). */
  public String prompt() {
    return prompt;
  }

  /** Tokens, FLOPs, bytes and seconds the call used. */
  public Usage usage() {
    return generation.usage();
  }

  /** The price of {@link #usage()}. */
  public CostReport cost() {
    return generation.cost();
  }

  /** Why generation stopped. */
  public FinishReason finishReason() {
    return generation.first().finishReason();
  }

  /** The underlying generation result (token ids, timings, …). */
  public GenerationResult generation() {
    return generation;
  }

  @Override
  public String toString() {
    return "ChatResult{message=" + message + ", finishReason=" + finishReason()
        + (toolCallsMalformed ? ", toolCallsMalformed" : "") + ", usage=" + usage() + "}";
  }
}

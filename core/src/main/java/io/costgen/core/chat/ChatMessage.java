package io.costgen.core.chat;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of a conversation, in the OpenAI / Hugging Face shape that chat templates read:
 * a {@link ChatRole}, text content, and for assistant messages the {@link ToolCall}s the model
 * asked for, for tool results the {@code tool_call_id} and the tool's {@code name}.
 *
 * <p>The content may be absent ({@code null} in the template, as in an assistant message that
 * only calls tools) or empty; templates can tell the two apart, so they are kept apart here.
 * Immutable and thread-safe.
 */
public final class ChatMessage {
  private final ChatRole role;
  private final String content;
  private final List<ToolCall> toolCalls;
  private final String toolCallId;
  private final String name;

  private ChatMessage(ChatRole role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {
    this.role = Objects.requireNonNull(role, "role");
    this.content = content;
    this.toolCalls = List.copyOf(toolCalls);
    this.toolCallId = toolCallId;
    this.name = name;
  }

  /** A system message. */
  public static ChatMessage system(String text) {
    return new ChatMessage(ChatRole.SYSTEM, Objects.requireNonNull(text, "text"), List.of(), null, null);
  }

  /** A user message. */
  public static ChatMessage user(String text) {
    return new ChatMessage(ChatRole.USER, Objects.requireNonNull(text, "text"), List.of(), null, null);
  }

  /** An assistant message with text only. */
  public static ChatMessage assistant(String text) {
    return new ChatMessage(ChatRole.ASSISTANT, Objects.requireNonNull(text, "text"), List.of(), null, null);
  }

  /**
   * An assistant message that calls tools; {@code text} may be {@code null} (no content, as
   * OpenAI sends it) or empty.
   */
  public static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
    Objects.requireNonNull(toolCalls, "toolCalls");
    return new ChatMessage(ChatRole.ASSISTANT, text, toolCalls, null, null);
  }

  /**
   * The result of the tool call {@code toolCallId} of the function {@code name}, answered back to
   * the model (role {@code tool}).
   */
  public static ChatMessage toolResult(String toolCallId, String name, String text) {
    return new ChatMessage(ChatRole.TOOL, Objects.requireNonNull(text, "text"), List.of(),
        Objects.requireNonNull(toolCallId, "toolCallId"), Objects.requireNonNull(name, "name"));
  }

  /**
   * A message of any role from its parts (as read from an OpenAI-shaped JSON message); only
   * assistant messages may carry tool calls.
   *
   * @param content may be null (no content)
   * @param toolCallId may be null
   * @param name may be null
   * @throws IllegalArgumentException when a non-assistant message has tool calls
   */
  public static ChatMessage of(ChatRole role, String content, List<ToolCall> toolCalls, String toolCallId,
      String name) {
    Objects.requireNonNull(toolCalls, "toolCalls");
    if (role != ChatRole.ASSISTANT && !toolCalls.isEmpty()) {
      throw new IllegalArgumentException("tool_calls: only assistant messages may have tool calls, not "
          + role.wireName());
    }
    return new ChatMessage(role, content, toolCalls, toolCallId, name);
  }

  public ChatRole role() {
    return role;
  }

  /** The text content; empty when the message has none (see {@link #content()}). */
  public String text() {
    return content == null ? "" : content;
  }

  /** The text content, or empty when absent ({@code null} to the template). */
  public Optional<String> content() {
    return Optional.ofNullable(content);
  }

  /** The tool calls of an assistant message (empty for other roles). */
  public List<ToolCall> toolCalls() {
    return toolCalls;
  }

  /** Whether this assistant message calls tools. */
  public boolean hasToolCalls() {
    return !toolCalls.isEmpty();
  }

  /** The id of the call a tool result answers ({@code tool_call_id}). */
  public Optional<String> toolCallId() {
    return Optional.ofNullable(toolCallId);
  }

  /** The tool's name on a tool result. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChatMessage m && role == m.role && Objects.equals(content, m.content)
        && toolCalls.equals(m.toolCalls) && Objects.equals(toolCallId, m.toolCallId) && Objects.equals(name, m.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, content, toolCalls, toolCallId, name);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ChatMessage{").append(role.wireName());
    if (content != null) {
      sb.append(", content=\"").append(content).append('"');
    }
    if (!toolCalls.isEmpty()) {
      sb.append(", toolCalls=").append(toolCalls);
    }
    if (toolCallId != null) {
      sb.append(", toolCallId=").append(toolCallId);
    }
    if (name != null) {
      sb.append(", name=").append(name);
    }
    return sb.append('}').toString();
  }
}

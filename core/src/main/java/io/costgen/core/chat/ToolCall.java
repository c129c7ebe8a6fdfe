package io.costgen.core.chat;

import java.util.Objects;

/**
 * A function call the assistant asked for: an id (to pair it with its
 * {@link ChatMessage#toolResult tool result}), the function name and its arguments as a JSON
 * text (normally an object, e.g. {@code {"city":"Paris"}}). Immutable and thread-safe.
 *
 * @param id the call's id, e.g. {@code "call_1"}; may be empty when the model gave none
 * @param name the function's name; not blank
 * @param argumentsJson the arguments, JSON text as the model wrote it (not validated here)
 */
public record ToolCall(String id, String name, String argumentsJson) {

  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(argumentsJson, "argumentsJson");
    if (name.isBlank()) {
      throw new IllegalArgumentException("toolCall.name: must not be blank");
    }
  }

  /** A call with arguments {@code argumentsJson} and id {@code id}. */
  public static ToolCall of(String id, String name, String argumentsJson) {
    return new ToolCall(id, name, argumentsJson);
  }
}

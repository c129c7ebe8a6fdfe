package io.costgen.core.chat;

import java.util.Locale;

/** Who speaks a {@link ChatMessage}: the OpenAI / Hugging Face message roles. */
public enum ChatRole {
  /** Instructions for the assistant. */
  SYSTEM,
  /** The person talking to the model. */
  USER,
  /** The model (text and/or tool calls). */
  ASSISTANT,
  /** The result of a tool call, answered back to the model. */
  TOOL;

  /** The role as chat templates see it: {@code "system"}, {@code "user"}, {@code "assistant"}, {@code "tool"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The role with this wire name (case-insensitive).
   *
   * @throws IllegalArgumentException naming the allowed values when {@code name} is not a role
   */
  public static ChatRole fromWireName(String name) {
    if (name != null) {
      for (ChatRole r : values()) {
        if (r.wireName().equalsIgnoreCase(name)) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException("role: \"" + name + "\" is not one of system, user, assistant, tool");
  }
}

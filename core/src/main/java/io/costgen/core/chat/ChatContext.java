package io.costgen.core.chat;

import io.costgen.core.chat.internal.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A conversation read from JSON in the OpenAI message shape, as transformers and the chat-template
 * corpus write it: {@code {"messages": [...], "tools": [...], "add_generation_prompt": true, ...}};
 * every other top-level key (e.g. {@code "bos_token"}) is an extra template variable. Tool-call
 * {@code arguments} may be a JSON object or a JSON string. Immutable.
 *
 * @param messages the conversation
 * @param tools the tools (empty when none)
 * @param addGenerationPrompt {@code add_generation_prompt} (default true)
 * @param variables the other top-level keys, in order
 */
public record ChatContext(List<ChatMessage> messages, List<ToolSpecification> tools, boolean addGenerationPrompt,
    Map<String, Object> variables) {

  public ChatContext {
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
    variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
  }

  /**
   * Parses a JSON object.
   *
   * @throws IllegalArgumentException naming the field (e.g. {@code messages[2].role}) and what is
   *     wrong
   */
  @SuppressWarnings("unchecked")
  public static ChatContext parse(String json) {
    Objects.requireNonNull(json, "json");
    Object root = Json.parse(json);
    if (!(root instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("chat file: expected a JSON object with \"messages\"");
    }
    Map<String, Object> map = (Map<String, Object>) root;
    Object ms = map.get("messages");
    if (!(ms instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("messages: expected a non-empty array of messages");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      messages.add(message(list.get(i), "messages[" + i + "]"));
    }
    List<ToolSpecification> tools = new ArrayList<>();
    Object ts = map.get("tools");
    if (ts != null) {
      if (!(ts instanceof List<?> tl)) {
        throw new IllegalArgumentException("tools: expected an array of tools");
      }
      for (int i = 0; i < tl.size(); i++) {
        tools.add(tool(tl.get(i), "tools[" + i + "]"));
      }
    }
    boolean agp = true;
    Object a = map.get("add_generation_prompt");
    if (a != null) {
      if (!(a instanceof Boolean b)) {
        throw new IllegalArgumentException("add_generation_prompt: expected true or false, got " + a);
      }
      agp = b;
    }
    Map<String, Object> vars = new LinkedHashMap<>(map);
    vars.remove("messages");
    vars.remove("tools");
    vars.remove("add_generation_prompt");
    vars.remove("documents");
    return new ChatContext(messages, tools, agp, vars);
  }

  private static ChatMessage message(Object o, String where) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(where + ": expected an object {\"role\": …, \"content\": …}");
    }
    if (!(m.get("role") instanceof String roleName)) {
      throw new IllegalArgumentException(where + ".role: expected one of system, user, assistant, tool");
    }
    ChatRole role;
    try {
      role = ChatRole.fromWireName(roleName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "." + e.getMessage(), e);
    }
    Object c = m.get("content");
    if (c != null && !(c instanceof String)) {
      throw new IllegalArgumentException(where + ".content: expected a string or null");
    }
    List<ToolCall> calls = new ArrayList<>();
    Object tc = m.get("tool_calls");
    if (tc != null) {
      if (!(tc instanceof List<?> tcl)) {
        throw new IllegalArgumentException(where + ".tool_calls: expected an array");
      }
      for (int i = 0; i < tcl.size(); i++) {
        calls.add(toolCall(tcl.get(i), where + ".tool_calls[" + i + "]"));
      }
    }
    String toolCallId = optString(m, "tool_call_id", where);
    String name = optString(m, "name", where);
    if (role == ChatRole.TOOL && toolCallId == null) {
      toolCallId = null; // allowed: some templates ignore it
    }
    try {
      return ChatMessage.of(role, (String) c, calls, toolCallId, name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "." + e.getMessage(), e);
    }
  }

  private static String optString(Map<?, ?> m, String key, String where) {
    Object v = m.get(key);
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException(where + "." + key + ": expected a string");
    }
    return (String) v;
  }

  private static ToolCall toolCall(Object o, String where) {
    if (!(o instanceof Map<?, ?> m) || !(m.get("function") instanceof Map<?, ?> fn)) {
      throw new IllegalArgumentException(where + ": expected {\"id\": …, \"type\": \"function\", \"function\": {…}}");
    }
    if (!(fn.get("name") instanceof String name) || name.isBlank()) {
      throw new IllegalArgumentException(where + ".function.name: expected a non-empty string");
    }
    Object args = fn.get("arguments");
    String argsJson;
    if (args == null) {
      argsJson = "{}";
    } else if (args instanceof String s) {
      argsJson = s;
    } else if (args instanceof Map<?, ?>) {
      argsJson = Json.dumps(args, null, null, null, false);
    } else {
      throw new IllegalArgumentException(where + ".function.arguments: expected a JSON object or a JSON string");
    }
    Object id = m.get("id");
    return new ToolCall(id instanceof String s ? s : "", name, argsJson);
  }

  private static ToolSpecification tool(Object o, String where) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(where + ": expected {\"type\": \"function\", \"function\": {…}}");
    }
    Object f = m.containsKey("function") ? m.get("function") : m;
    if (!(f instanceof Map<?, ?> fn) || !(fn.get("name") instanceof String name) || name.isBlank()) {
      throw new IllegalArgumentException(where + ".function.name: expected a non-empty string");
    }
    ToolSpecification.Builder b = ToolSpecification.builder(name);
    if (fn.get("description") instanceof String d) {
      b.description(d);
    } else if (fn.get("description") != null) {
      throw new IllegalArgumentException(where + ".function.description: expected a string");
    }
    Object p = fn.get("parameters");
    if (p != null) {
      if (!(p instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(where + ".function.parameters: expected a JSON Schema object");
      }
      b.parametersJson(Json.dumps(p, null, null, null, false));
    }
    return b.build();
  }
}

package io.costgen.core.chat;

import io.costgen.core.chat.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The built-in {@link ToolCallParser}s. Tool calls get ids {@code call_0}, {@code call_1}, … in
 * the order written (the models do not write ids). All are thread-safe and never throw.
 */
public final class ToolCallParsers {
  private static final String OPEN = "<tool_call>";
  private static final String CLOSE = "</tool_call>";
  private static final String PYTHON_TAG = "<|python_tag|>";

  private ToolCallParsers() {}

  /**
   * Hermes / Qwen 2.5 / Qwen 3: {@code <tool_call>{"name": …, "arguments": {…}}</tool_call>},
   * one block per call; a last block left open when generation stopped is read to the end.
   */
  public static ToolCallParser hermes() {
    return ToolCallParsers::parseHermes;
  }

  /**
   * Llama 3.1 / 3.2 / 3.3 JSON tool calling: the whole reply is
   * {@code {"name": …, "parameters": {…}}} (or {@code "arguments"}), optionally after
   * {@code <|python_tag|>}; several calls separated by {@code ;}.
   */
  public static ToolCallParser llama3Json() {
    return ToolCallParsers::parseLlamaJson;
  }

  /** Never finds a tool call. */
  public static ToolCallParser none() {
    return ParsedToolCalls::none;
  }

  /**
   * The default: {@link #hermes()} when the text holds {@code <tool_call>}, else
   * {@link #llama3Json()} when it starts with a JSON object or {@code <|python_tag|>}, else
   * plain text.
   */
  public static ToolCallParser auto() {
    return text -> {
      if (text.contains(OPEN)) {
        return parseHermes(text);
      }
      String t = text.strip();
      if (t.startsWith("{") || t.startsWith(PYTHON_TAG)) {
        return parseLlamaJson(text);
      }
      return ParsedToolCalls.none(text);
    };
  }

  static ParsedToolCalls parseHermes(String text) {
    Objects.requireNonNull(text, "text");
    int first = text.indexOf(OPEN);
    if (first < 0) {
      return ParsedToolCalls.none(text);
    }
    List<ToolCall> calls = new ArrayList<>();
    StringBuilder content = new StringBuilder(text.substring(0, first));
    int pos = first;
    while (pos >= 0) {
      int bodyStart = pos + OPEN.length();
      int end = text.indexOf(CLOSE, bodyStart);
      String body = end < 0 ? text.substring(bodyStart) : text.substring(bodyStart, end);
      ToolCall call = readCall(body, calls.size(), "arguments");
      if (call == null) {
        return ParsedToolCalls.malformed(text);
      }
      calls.add(call);
      if (end < 0) {
        break;
      }
      int next = text.indexOf(OPEN, end + CLOSE.length());
      content.append(next < 0 ? text.substring(end + CLOSE.length()) : text.substring(end + CLOSE.length(), next));
      pos = next;
    }
    return new ParsedToolCalls(content.toString().strip(), calls, false);
  }

  static ParsedToolCalls parseLlamaJson(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.strip();
    if (t.startsWith(PYTHON_TAG)) {
      t = t.substring(PYTHON_TAG.length()).strip();
    }
    if (!t.startsWith("{")) {
      return ParsedToolCalls.none(text);
    }
    List<ToolCall> calls = new ArrayList<>();
    for (String part : splitTopLevel(t)) {
      ToolCall call = readCall(part, calls.size(), "parameters");
      if (call == null) {
        return ParsedToolCalls.malformed(text);
      }
      calls.add(call);
    }
    return calls.isEmpty() ? ParsedToolCalls.malformed(text) : new ParsedToolCalls("", calls, false);
  }

  /** Splits {@code a; b; c} at semicolons outside JSON strings and brackets. */
  private static List<String> splitTopLevel(String t) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean inString = false;
    int start = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      } else if (c == ';' && depth == 0) {
        parts.add(t.substring(start, i).strip());
        start = i + 1;
      }
    }
    String last = t.substring(start).strip();
    if (!last.isEmpty()) {
      parts.add(last);
    }
    return parts;
  }

  /** A call from {@code {"name": …, "<argsKey>"|"arguments"|"parameters": …}}, or null when malformed. */
  private static ToolCall readCall(String json, int index, String argsKey) {
    Object o;
    try {
      o = Json.parse(json.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name) || name.isBlank()) {
      return null;
    }
    Object args = m.containsKey(argsKey) ? m.get(argsKey)
        : m.containsKey("arguments") ? m.get("arguments") : m.get("parameters");
    String argsJson;
    if (args == null) {
      argsJson = "{}";
    } else if (args instanceof String s) {
      if (!Json.isObject(s)) {
        return null;
      }
      argsJson = Json.compact(Json.parse(s));
    } else if (args instanceof Map<?, ?>) {
      argsJson = Json.compact(args);
    } else {
      return null;
    }
    Object id = m.get("id");
    return new ToolCall(id instanceof String s && !s.isBlank() ? s : "call_" + index, name, argsJson);
  }
}

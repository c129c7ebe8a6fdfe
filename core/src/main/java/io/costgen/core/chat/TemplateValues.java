package io.costgen.core.chat;

import io.costgen.core.chat.internal.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Messages and tools as chat templates see them: the OpenAI / transformers dict shapes. */
final class TemplateValues {
  private TemplateValues() {}

  static List<Map<String, Object>> messages(List<ChatMessage> messages) {
    List<Map<String, Object>> out = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role().wireName());
      if (m.role() == ChatRole.TOOL) {
        m.toolCallId().ifPresent(id -> map.put("tool_call_id", id));
        m.name().ifPresent(n -> map.put("name", n));
        map.put("content", m.content().orElse(null));
      } else {
        map.put("content", m.content().orElse(null));
        m.name().ifPresent(n -> map.put("name", n));
        m.toolCallId().ifPresent(id -> map.put("tool_call_id", id));
      }
      if (m.hasToolCalls()) {
        List<Map<String, Object>> calls = new ArrayList<>();
        for (ToolCall c : m.toolCalls()) {
          Map<String, Object> fn = new LinkedHashMap<>();
          fn.put("name", c.name());
          fn.put("arguments", arguments(c.argumentsJson()));
          Map<String, Object> call = new LinkedHashMap<>();
          call.put("id", c.id());
          call.put("type", "function");
          call.put("function", fn);
          calls.add(call);
        }
        map.put("tool_calls", calls);
      }
      out.add(map);
    }
    return out;
  }

  /** Arguments as a JSON object when they parse as one (templates call {@code | tojson} on them), else the text. */
  private static Object arguments(String json) {
    try {
      Object o = Json.parse(json);
      return o instanceof Map<?, ?> ? o : json;
    } catch (IllegalArgumentException e) {
      return json;
    }
  }

  static List<Map<String, Object>> tools(List<ToolSpecification> tools) {
    List<Map<String, Object>> out = new ArrayList<>(tools.size());
    for (ToolSpecification t : tools) {
      Map<String, Object> fn = new LinkedHashMap<>();
      fn.put("name", t.name());
      fn.put("description", t.description());
      fn.put("parameters", Json.parse(t.parametersJson()));
      Map<String, Object> tool = new LinkedHashMap<>();
      tool.put("type", "function");
      tool.put("function", fn);
      out.add(tool);
    }
    return out;
  }
}

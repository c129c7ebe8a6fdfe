package io.costgen.core.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallParsersTest {

  @Test
  void hermesOneCall() {
    ParsedToolCalls p = ToolCallParsers.hermes().parse(
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
    assertThat(p.malformed()).isFalse();
    assertThat(p.toolCalls()).containsExactly(new ToolCall("call_0", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(p.content()).isEmpty();
  }

  @Test
  void hermesSeveralCallsWithTextAround() {
    ParsedToolCalls p = ToolCallParsers.hermes().parse("Let me check.\n<tool_call>{\"name\": \"a\", \"arguments\": {}}"
        + "</tool_call>\n<tool_call>{\"name\": \"b\", \"arguments\": \"{\\\"x\\\": 1}\"}</tool_call>");
    assertThat(p.toolCalls()).extracting(ToolCall::name).containsExactly("a", "b");
    assertThat(p.toolCalls().get(1).argumentsJson()).isEqualTo("{\"x\":1}");
    assertThat(p.toolCalls()).extracting(ToolCall::id).containsExactly("call_0", "call_1");
    assertThat(p.content()).isEqualTo("Let me check.");
  }

  @Test
  void hermesUnclosedLastBlockIsReadToTheEnd() {
    ParsedToolCalls p = ToolCallParsers.hermes().parse("<tool_call>{\"name\": \"a\", \"arguments\": {\"k\": [1, 2]}}");
    assertThat(p.toolCalls()).containsExactly(new ToolCall("call_0", "a", "{\"k\":[1,2]}"));
  }

  @Test
  void hermesMalformedGivesRawTextAndFlag() {
    String raw = "<tool_call>{\"name\": \"a\", \"arguments\": {\"k\": </tool_call>";
    ParsedToolCalls p = ToolCallParsers.hermes().parse(raw);
    assertThat(p.malformed()).isTrue();
    assertThat(p.toolCalls()).isEmpty();
    assertThat(p.content()).isEqualTo(raw);
    assertThat(ToolCallParsers.hermes().parse("<tool_call>{\"arguments\": {}}</tool_call>").malformed()).isTrue();
    assertThat(ToolCallParsers.hermes().parse("<tool_call>{\"name\": \"a\", \"arguments\": 3}</tool_call>").malformed())
        .isTrue();
  }

  @Test
  void plainTextIsNotACall() {
    for (ToolCallParser p : List.of(ToolCallParsers.hermes(), ToolCallParsers.llama3Json(), ToolCallParsers.auto())) {
      ParsedToolCalls r = p.parse("The weather is fine.");
      assertThat(r.malformed()).isFalse();
      assertThat(r.toolCalls()).isEmpty();
      assertThat(r.content()).isEqualTo("The weather is fine.");
    }
  }

  @Test
  void llamaJsonOneAndSeveralCalls() {
    ParsedToolCalls one = ToolCallParsers.llama3Json().parse(
        "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"note\": \"a;b}\"}}");
    assertThat(one.toolCalls()).containsExactly(
        new ToolCall("call_0", "get_weather", "{\"city\":\"Paris\",\"note\":\"a;b}\"}"));
    ParsedToolCalls two = ToolCallParsers.llama3Json().parse(
        "<|python_tag|>{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"x\": true}}");
    assertThat(two.toolCalls()).extracting(ToolCall::name).containsExactly("a", "b");
    assertThat(two.toolCalls().get(1).argumentsJson()).isEqualTo("{\"x\":true}");
  }

  @Test
  void llamaJsonMalformed() {
    String raw = "{\"name\": \"get_weather\", \"parameters\": {\"city\": ";
    ParsedToolCalls p = ToolCallParsers.llama3Json().parse(raw);
    assertThat(p.malformed()).isTrue();
    assertThat(p.content()).isEqualTo(raw);
    assertThat(ToolCallParsers.llama3Json().parse("{\"answer\": 42}").malformed()).isTrue();
  }

  @Test
  void autoPicksTheFormat() {
    assertThat(ToolCallParsers.auto().parse("<tool_call>{\"name\": \"h\", \"arguments\": {}}</tool_call>")
        .toolCalls()).extracting(ToolCall::name).containsExactly("h");
    assertThat(ToolCallParsers.auto().parse(" {\"name\": \"l\", \"parameters\": {}}").toolCalls())
        .extracting(ToolCall::name).containsExactly("l");
    assertThat(ToolCallParsers.none().parse("<tool_call>{\"name\": \"h\"}</tool_call>").toolCalls()).isEmpty();
  }
}

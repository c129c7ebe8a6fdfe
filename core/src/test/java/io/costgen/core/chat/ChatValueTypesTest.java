package io.costgen.core.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatValueTypesTest {

  @Test
  void factoriesSetRoleAndParts() {
    assertThat(ChatMessage.system("s").role()).isEqualTo(ChatRole.SYSTEM);
    assertThat(ChatMessage.user("u").text()).isEqualTo("u");
    ChatMessage calls = ChatMessage.assistant(null, List.of(ToolCall.of("c1", "f", "{\"a\":1}")));
    assertThat(calls.content()).isEmpty();
    assertThat(calls.text()).isEmpty();
    assertThat(calls.hasToolCalls()).isTrue();
    ChatMessage tool = ChatMessage.toolResult("c1", "f", "42");
    assertThat(tool.role()).isEqualTo(ChatRole.TOOL);
    assertThat(tool.toolCallId()).contains("c1");
    assertThat(tool.name()).contains("f");
    assertThat(ChatMessage.assistant("", List.of()).content()).contains("");
  }

  @Test
  void onlyAssistantsCallTools() {
    assertThatThrownBy(() -> ChatMessage.of(ChatRole.USER, "x", List.of(ToolCall.of("1", "f", "{}")), null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tool_calls");
  }

  @Test
  void roleWireNames() {
    assertThat(ChatRole.TOOL.wireName()).isEqualTo("tool");
    assertThat(ChatRole.fromWireName("Assistant")).isEqualTo(ChatRole.ASSISTANT);
    assertThatThrownBy(() -> ChatRole.fromWireName("robot")).hasMessageContaining("role").hasMessageContaining("robot");
  }

  @Test
  void toolSpecificationNeedsAJsonObjectSchema() {
    ToolSpecification t = ToolSpecification.builder("get_weather").description("Weather")
        .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}").build();
    assertThat(t.name()).isEqualTo("get_weather");
    assertThatThrownBy(() -> ToolSpecification.builder("f").parametersJson("[1]").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameters");
    assertThatThrownBy(() -> ToolSpecification.builder(" ")).hasMessageContaining("name");
  }

  @Test
  void requestBuilderChecks() {
    assertThatThrownBy(() -> ChatRequest.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("messages");
    assertThatThrownBy(() -> ChatRequest.builder().variable("messages", 1)).hasMessageContaining("reserved");
    ChatRequest r = ChatRequest.builder().addMessage(ChatMessage.user("x")).variables(Map.of("enable_thinking", false))
        .build();
    assertThat(r.addGenerationPrompt()).isTrue();
    assertThat(r.variables()).containsEntry("enable_thinking", false);
    assertThat(r.toBuilder().addGenerationPrompt(false).build().messages()).isEqualTo(r.messages());
  }

  @Test
  void messagesRenderInTheOpenAiShape() {
    ChatTemplate t = ChatTemplate.of("{{ messages | tojson }}|{{ tools | tojson }}");
    String out = t.render(List.of(ChatMessage.assistant(null, List.of(ToolCall.of("call_1", "f", "{\"city\": \"Paris\"}"))),
        ChatMessage.toolResult("call_1", "f", "21")), List.of(ToolSpecification.builder("f").description("d").build()),
        true, Map.of());
    assertThat(out).isEqualTo("[{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", "
        + "\"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": {\"city\": \"Paris\"}}}]}, "
        + "{\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"name\": \"f\", \"content\": \"21\"}]|"
        + "[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"description\": \"d\", \"parameters\": "
        + "{\"type\": \"object\", \"properties\": {}}}}]");
  }
}

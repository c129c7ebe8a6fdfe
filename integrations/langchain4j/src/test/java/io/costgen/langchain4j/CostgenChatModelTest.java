package io.costgen.langchain4j;

import io.costgen.core.testing.ScriptedChat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import io.costgen.core.TextGenerator;
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class CostgenChatModelTest {

  final ConcurrentLinkedQueue<UsageRecord> ledger = new ConcurrentLinkedQueue<>();

  CostgenChatModel model() {
    return CostgenChatModel.builder(ScriptedChat.generator(ledger::add, null)).defaultTenantId("default").build();
  }

  @Test
  void chat_returnsTextUsageFinishReasonAndTheCostInTheMetadata() {
    ChatResponse r = model().chat(ChatRequest.builder()
        .messages(SystemMessage.from("Be brief."), UserMessage.from("hi"))
        .parameters(CostgenChatRequestParameters.builder().tenantId("acme").tag("feature", "faq").build())
        .build());
    assertThat(r.aiMessage().text()).isEqualTo(ScriptedChat.PLAIN_ANSWER);
    assertThat(r.aiMessage().hasToolExecutionRequests()).isFalse();
    assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    int prompt = r.tokenUsage().inputTokenCount();
    int completion = r.tokenUsage().outputTokenCount();
    assertThat(completion).isEqualTo(ScriptedChat.PLAIN_ANSWER.length() + 1); // + EOS
    CostReport cost = CostgenChatResponseMetadata.costOf(r.metadata()).orElseThrow();
    assertThat(cost.money()).isEqualTo(Money.usd(BigDecimal.valueOf(prompt).add(BigDecimal.valueOf(2L * completion))
        .movePointLeft(6)));
    assertThat(r.modelName()).isEqualTo("toy");
    UsageRecord rec = ledger.peek();
    assertThat(rec.tenantId()).contains("acme");
    assertThat(rec.tags()).containsEntry("feature", "faq");
    assertThat(rec.requestId()).isEqualTo(r.id());
  }

  @Test
  void chat_plainParameters_takeTheBuildersTenant() {
    model().chat(UserMessage.from("hi"));
    assertThat(ledger.peek().tenantId()).contains("default");
  }

  @Test
  void chat_mapsMaxOutputTokensAndStopSequences() {
    CostgenChatModel m = model();
    ChatResponse shortOne = m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).maxOutputTokens(5).build());
    assertThat(shortOne.aiMessage().text()).isEqualTo("Hello");
    assertThat(shortOne.finishReason()).isEqualTo(FinishReason.LENGTH);
    ChatResponse stopped = m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).stopSequences(List.of(" from")).build());
    assertThat(stopped.aiMessage().text()).isEqualTo("Hello from");
    assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
    // temperature 0 is greedy: the scripted answer, exactly
    assertThat(m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).temperature(0.0).build()).aiMessage().text())
        .isEqualTo(ScriptedChat.PLAIN_ANSWER);
  }

  @Test
  void chat_refusesUnsupportedParametersAndContent_namingThem() {
    CostgenChatModel m = model();
    assertThatThrownBy(() -> m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).frequencyPenalty(0.5).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("frequencyPenalty: 0.5 is not supported");
    assertThatThrownBy(() -> m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).presencePenalty(0.5).build()))
        .hasMessageStartingWith("presencePenalty");
    assertThatThrownBy(() -> m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).toolChoice(ToolChoice.REQUIRED)
        .toolSpecifications(weatherTool()).build())).hasMessageStartingWith("toolChoice: REQUIRED");
    assertThatThrownBy(() -> m.chat(ChatRequest.builder().messages(UserMessage.from(
        TextContent.from("look"), ImageContent.from("https://example.com/cat.png"))).build()))
        .hasMessageContaining("messages[0]").hasMessageContaining("IMAGE");
    assertThatThrownBy(() -> m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).modelName("gpt-4o").build()))
        .hasMessageStartingWith("modelName: 'gpt-4o'");
    assertThat(ledger).isEmpty();
  }

  @Test
  void chat_withTools_returnsToolExecutionRequests() {
    ChatResponse r = model().chat(ChatRequest.builder().messages(UserMessage.from("Weather in Paris?"))
        .toolSpecifications(weatherTool()).build());
    assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    assertThat(r.aiMessage().toolExecutionRequests()).hasSize(1);
    assertThat(r.aiMessage().toolExecutionRequests().get(0).name()).isEqualTo("weather");
    assertThat(r.aiMessage().toolExecutionRequests().get(0).arguments()).contains("\"city\"").contains("Paris");
    // toolChoice NONE: tools are not rendered, the model answers in text
    ChatResponse none = model().chat(ChatRequest.builder().messages(UserMessage.from("Weather in Paris?"))
        .toolSpecifications(weatherTool()).toolChoice(ToolChoice.NONE).build());
    assertThat(none.aiMessage().text()).isEqualTo(ScriptedChat.PLAIN_ANSWER);
  }

  @Test
  void chat_overBudget_throwsTheTypedRefusal() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:10/call"));
    CostgenChatModel m = CostgenChatModel.builder(ScriptedChat.generator(ledger::add, budgets)).build();
    assertThatThrownBy(() -> m.chat(ChatRequest.builder().messages(UserMessage.from("hi"))
        .parameters(CostgenChatRequestParameters.builder().tenantId("acme").build()).build()))
        .isInstanceOf(BudgetExceededException.class);
    assertThat(ledger.peek().isBudgetRejection()).isTrue();
  }

  @Test
  void listeners_seeTheRequestAndTheCostgenResponse() {
    List<Object> seen = Collections.synchronizedList(new ArrayList<>());
    TextGenerator g = ScriptedChat.generator(ledger::add, null);
    CostgenChatModel m = CostgenChatModel.builder(g).listeners(List.of(new ChatModelListener() {
      @Override public void onRequest(ChatModelRequestContext c) { seen.add(c.chatRequest().parameters()); }
      @Override public void onResponse(ChatModelResponseContext c) { seen.add(c.chatResponse().metadata()); }
    })).build();
    m.chat(UserMessage.from("hi"));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).isInstanceOf(CostgenChatRequestParameters.class);
    assertThat(seen.get(1)).isInstanceOf(CostgenChatResponseMetadata.class);
  }

  @Test
  void aiMessageWithToolCallsAndToolResults_roundTripThroughTheTemplate() {
    ChatResponse r = model().chat(ChatRequest.builder().messages(
        UserMessage.from("Weather in Paris?"),
        AiMessage.from(List.of(dev.langchain4j.agent.tool.ToolExecutionRequest.builder().id("call_1").name("weather")
            .arguments("{\"city\":\"Paris\"}").build())),
        dev.langchain4j.data.message.ToolExecutionResultMessage.from("call_1", "weather", "sunny, 21 degrees"))
        .toolSpecifications(weatherTool()).build());
    assertThat(r.aiMessage().text()).isEqualTo(ScriptedChat.FINAL_ANSWER);
  }

  static ToolSpecification weatherTool() {
    return ToolSpecification.builder().name("weather").description("Current weather of a city")
        .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
  }
}

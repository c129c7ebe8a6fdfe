package io.costgen.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.testing.ScriptedChat;
import io.costgen.cost.CostReport;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.UsageRecord;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.function.FunctionToolCallback;

class CostgenChatModelTest {

  final ConcurrentLinkedQueue<UsageRecord> ledger = new ConcurrentLinkedQueue<>();

  CostgenChatModel model(Budgets budgets) {
    return CostgenChatModel.builder(ScriptedChat.generator(ledger::add, budgets)).defaultTenantId("default").build();
  }

  @Test
  void call_answers_withUsageWhoseNativeUsageIsTheCostReport() {
    ChatResponse r = model(null).call(new Prompt("hi", CostgenChatOptions.builder().tenantId("acme").tag("f", "faq").build()));
    assertThat(r.getResult().getOutput().getText()).isEqualTo(ScriptedChat.PLAIN_ANSWER);
    assertThat(r.getResult().getMetadata().getFinishReason()).isEqualTo("STOP");
    assertThat(r.getMetadata().getUsage().getCompletionTokens()).isEqualTo(ScriptedChat.PLAIN_ANSWER.length() + 1);
    CostReport cost = (CostReport) r.getMetadata().getUsage().getNativeUsage();
    assertThat(cost.usage().promptTokens()).isEqualTo(r.getMetadata().getUsage().getPromptTokens().longValue());
    assertThat(BudgetedChatModel.costOf(r)).contains(cost);
    assertThat(ledger.peek().tenantId()).contains("acme");
    assertThat(ledger.peek().tags()).containsEntry("f", "faq");
  }

  @Test
  void call_mapsOptions_andRefusesUnsupportedOnes() {
    CostgenChatModel m = model(null);
    ChatResponse r = m.call(new Prompt("hi", ChatOptions.builder().maxTokens(5).temperature(0.0).build()));
    assertThat(r.getResult().getOutput().getText()).isEqualTo("Hello");
    assertThat(r.getResult().getMetadata().getFinishReason()).isEqualTo("LENGTH");
    assertThat(m.call(new Prompt("hi", ChatOptions.builder().stopSequences(List.of(" from")).build()))
        .getResult().getOutput().getText()).isEqualTo("Hello from");
    assertThat(ledger).allSatisfy(x -> assertThat(x.tenantId()).contains("default"));
    assertThatThrownBy(() -> m.call(new Prompt("hi", ChatOptions.builder().frequencyPenalty(0.1).build())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("frequencyPenalty: 0.1 is not supported");
    assertThatThrownBy(() -> m.call(new Prompt("hi", ChatOptions.builder().model("gpt-4o").build())))
        .hasMessageStartingWith("model: 'gpt-4o'");
  }

  @Test
  void call_withToolCallbacks_returnsToolCalls_andAnswersFromToolResponses() {
    FunctionToolCallback<WeatherRequest, String> weather = FunctionToolCallback
        .builder("weather", (WeatherRequest req) -> "sunny, 21 degrees")
        .description("Current weather of a city").inputType(WeatherRequest.class).build();
    ToolCallingChatOptions options = ToolCallingChatOptions.builder().toolCallbacks(List.of(weather))
        .internalToolExecutionEnabled(false).build();
    CostgenChatModel m = model(null);
    ChatResponse first = m.call(new Prompt(List.of(new UserMessage("Weather in Paris?")), options));
    assertThat(first.getResult().getMetadata().getFinishReason()).isEqualTo("TOOL_CALLS");
    AssistantMessage.ToolCall call = first.getResult().getOutput().getToolCalls().get(0);
    assertThat(call.name()).isEqualTo("weather");
    assertThat(call.arguments()).contains("Paris");
    ChatResponse second = m.call(new Prompt(List.of(new UserMessage("Weather in Paris?"), first.getResult().getOutput(),
        ToolResponseMessage.builder().responses(List.of(new ToolResponseMessage.ToolResponse(call.id(), "weather",
            "sunny, 21 degrees"))).build()), options));
    assertThat(second.getResult().getOutput().getText()).isEqualTo(ScriptedChat.FINAL_ANSWER);
  }

  record WeatherRequest(String city) {}

  @Test
  void stream_emitsTokens_lastChunkHasTheCost_cancelStopsGeneration() {
    CostgenChatModel m = model(null);
    List<ChatResponse> chunks = m.stream(new Prompt("hi")).collectList().block();
    StringBuilder text = new StringBuilder();
    chunks.subList(0, chunks.size() - 1).forEach(c -> text.append(c.getResult().getOutput().getText()));
    assertThat(text.toString()).isEqualTo(ScriptedChat.PLAIN_ANSWER);
    assertThat(BudgetedChatModel.costOf(chunks.get(chunks.size() - 1))).isPresent();
    ledger.clear();

    // On the subscribing thread, the cancelled call has ended when block() returns.
    CostgenChatModel inline = CostgenChatModel.builder(ScriptedChat.generator(ledger::add, null))
        .scheduler(reactor.core.scheduler.Schedulers.immediate()).build();
    assertThat(inline.stream(new Prompt("hi")).take(2).collectList().block()).hasSize(2);
    // the cancelled call still settles and records what it generated, cut short
    assertThat(ledger.peek().finishReason()).isEqualTo("cancelled");
    assertThat(ledger.peek().completionTokens()).isLessThan(ScriptedChat.PLAIN_ANSWER.length());
  }

  @Test
  void observations_followSpringAisChatModelConvention() {
    io.micrometer.observation.ObservationRegistry registry = io.micrometer.observation.ObservationRegistry.create();
    List<io.micrometer.observation.Observation.Context> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
    registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
      @Override public boolean supportsContext(io.micrometer.observation.Observation.Context c) { return true; }
      @Override public void onStop(io.micrometer.observation.Observation.Context c) { stopped.add(c); }
    });
    CostgenChatModel m = CostgenChatModel.builder(ScriptedChat.generator(ledger::add, null)).observationRegistry(registry)
        .scheduler(reactor.core.scheduler.Schedulers.immediate()).build();
    m.call(new Prompt("hi"));
    m.stream(new Prompt("hi")).blockLast();
    assertThat(stopped).hasSize(2);
    assertThat(stopped).allSatisfy(c -> {
      assertThat(c.getName()).isEqualTo("gen_ai.client.operation");
      assertThat(c.getLowCardinalityKeyValue(org.springframework.ai.chat.observation.ChatModelObservationDocumentation.LowCardinalityKeyNames.AI_PROVIDER.asString()).getValue()).isEqualTo(CostgenChatModel.PROVIDER);
      assertThat(c.getLowCardinalityKeyValue(org.springframework.ai.chat.observation.ChatModelObservationDocumentation.LowCardinalityKeyNames.REQUEST_MODEL.asString()).getValue()).isEqualTo("toy");
      ChatResponse r = ((org.springframework.ai.chat.observation.ChatModelObservationContext) c).getResponse();
      assertThat(BudgetedChatModel.costOf(r)).isPresent();
    });
  }

  @Test
  void overBudget_isTheTypedRefusal_forCallAndStream() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:10/call"));
    CostgenChatModel m = model(budgets);
    assertThatThrownBy(() -> m.call(new Prompt("hi"))).isInstanceOf(BudgetExceededException.class);
    assertThatThrownBy(() -> m.stream(new Prompt("hi")).blockLast()).isInstanceOf(BudgetExceededException.class);
  }
}

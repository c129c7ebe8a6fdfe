package io.costgen.langchain4j;

import io.costgen.core.testing.ScriptedChat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.service.AiServices;
import io.costgen.cost.meter.UsageRecord;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** An interface-based assistant with a tool, end to end on a scripted local chat model (ChatML template). */
class AiServicesEndToEndTest {

  interface Assistant {
    String chat(String message);
  }

  static final class WeatherTools {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Tool("Current weather of a city")
    String weather(@P(name = "city", description = "the city") String city) {
      calls.add(city);
      return "sunny, 21 degrees";
    }
  }

  @Test
  void assistant_callsTheTool_thenAnswers_andEveryModelCallIsRecordedForTheTenant() {
    ConcurrentLinkedQueue<UsageRecord> ledger = new ConcurrentLinkedQueue<>();
    CostgenChatModel model = CostgenChatModel.builder(ScriptedChat.generator(ledger::add, null))
        .defaultTenantId("acme").build();
    WeatherTools tools = new WeatherTools();
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(tools).build();

    String answer = assistant.chat("What is the weather in Paris?");

    assertThat(tools.calls).containsExactly("Paris");
    assertThat(answer).isEqualTo(ScriptedChat.FINAL_ANSWER);
    assertThat(ledger).hasSize(2); // the tool-call turn and the answer turn
    assertThat(ledger).allSatisfy(r -> assertThat(r.tenantId()).contains("acme"));
  }
}

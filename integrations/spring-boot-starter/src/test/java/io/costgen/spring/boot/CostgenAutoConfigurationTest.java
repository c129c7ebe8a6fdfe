package io.costgen.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.TextGenerator;
import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.core.testing.SharedModels;
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.Budgets;
import io.costgen.springai.BudgetedChatModel;
import io.costgen.springai.CostgenChatModel;
import io.costgen.springai.CostgenChatOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A Boot application configured only by costgen.* properties, on stories260k with a ChatML template. */
@SpringBootTest(classes = CostgenAutoConfigurationTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class CostgenAutoConfigurationTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  static Path ledgerDir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) throws IOException {
    Path tmp = Files.createTempDirectory("costgen-boot");
    ledgerDir = tmp.resolve("ledger");
    Path template = tmp.resolve("chatml.jinja");
    try (InputStream in = CostgenAutoConfigurationTest.class.getResourceAsStream("/chatml.jinja")) {
      Files.copy(in, template);
    }
    r.add("costgen.model", () -> SharedModels.model(SharedModels.STORIES_260K).toString());
    r.add("costgen.chat-template", template::toString);
    r.add("costgen.threads", () -> "1");
    r.add("costgen.default-tenant", () -> "acme");
    r.add("costgen.pricing.input-per-million", () -> "1");
    r.add("costgen.pricing.output-per-million", () -> "2");
    r.add("costgen.budgets[0]", () -> "tokens:100000/day");
    r.add("costgen.budgets[1]", () -> "tokens:10/call,scope=tenant:poor");
    r.add("costgen.budgets[2]", () -> "money:100/month,scope=global");
    r.add("costgen.ledger.dir", ledgerDir::toString);
    r.add("spring.jmx.enabled", () -> "true");
    r.add("management.endpoints.jmx.exposure.include", () -> "costgenbudgets");
  }

  @Autowired ChatModel chatModel;
  @Autowired TextGenerator generator;
  @Autowired Budgets budgets;
  @Autowired RemoteCallGuard guard;
  @Autowired MeterRegistry registry;
  @Autowired CostgenBudgetsEndpoint endpoint;

  static Prompt prompt(String tenant) {
    return new Prompt("Once upon a time", CostgenChatOptions.builder().tenantId(tenant).maxTokens(8).temperature(0.0).build());
  }

  @Test
  void generates_withTheCostInTheUsage_andRecordsInTheLedgerAndBudgets() throws IOException {
    assertThat(chatModel).isInstanceOf(CostgenChatModel.class);
    ChatResponse r = chatModel.call(prompt("acme"));
    assertThat(r.getResult().getOutput().getText()).isNotNull();
    CostReport cost = (CostReport) r.getMetadata().getUsage().getNativeUsage();
    long in = cost.usage().promptTokens();
    long out = cost.usage().completionTokens();
    assertThat(out).isBetween(1L, 8L);
    assertThat(cost.money()).isEqualTo(Money.usd(BigDecimal.valueOf(in + 2 * out).movePointLeft(6)));
    try (var files = Files.list(ledgerDir)) {
      assertThat(files.toList()).isNotEmpty();
    }
    assertThat(budgets.statusForTenant("acme").get(0).spent()).isGreaterThanOrEqualTo(BigDecimal.valueOf(in + out));
  }

  @Test
  void streams_lastChunkCarriesTheCost() {
    List<ChatResponse> chunks = chatModel.stream(prompt("acme")).collectList().block();
    assertThat(chunks).isNotEmpty();
    assertThat(BudgetedChatModel.costOf(chunks.get(chunks.size() - 1))).isPresent();
  }

  @Test
  void refusesOverBudget_withTheTypedException() {
    assertThatThrownBy(() -> chatModel.call(prompt("poor"))).isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("poor");
  }

  @Test
  void exposesMetrics_andTheBudgetsEndpoint() {
    chatModel.call(prompt("acme"));
    assertThat(registry.find("gen_ai.client.token.usage").meters()).isNotEmpty();

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> all = (List<Map<String, Object>>) endpoint.budgets().get("budgets");
    assertThat(all).hasSize(3);
    assertThat(all).anySatisfy(b -> assertThat(b).containsEntry("scope", "global").containsKey("spent"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> acme = (List<Map<String, Object>>) endpoint.tenant("acme").get("budgets");
    assertThat(acme).anySatisfy(b -> {
      assertThat(b).containsEntry("unit", "tokens").containsEntry("limit", "100000").containsKeys("held", "remaining", "resetsAt");
      assertThat(new BigDecimal((String) b.get("spent"))).isPositive();
    });
  }

  @Test
  void theRemoteCallGuardSharesTheBudgets() {
    assertThat(guard.budgets()).containsSame(budgets);
  }
}

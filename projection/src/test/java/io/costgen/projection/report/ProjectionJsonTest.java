package io.costgen.projection.report;

import io.costgen.projection.ProjectionResult;
import io.costgen.projection.DailyCostProjectionTest;
import io.costgen.projection.DailyCostProjection;
import io.costgen.projection.Scenario;
import io.costgen.projection.ScenarioResult;
import io.costgen.projection.SensitivityTable;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ProjectionJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void result_hasTheCliKeys_withMoneyAsExactDecimalStrings() throws Exception {
    ProjectionResult r = Scenario.load("chatgpt-semianalysis-2023").projection().project();
    JsonNode n = MAPPER.readTree(ProjectionJson.toJson(r));
    assertThat(n.fieldNames()).toIterable().startsWith("tokensPerDay", "devices",
        "deviceHoursPerDay", "costPerDay", "costPerRequest", "costPerMillionOutputTokens",
        "energyKwhPerDay", "energyWhPerRequest", "co2eKgPerDay", "bound", "currency");
    assertThat(n.get("tokensPerDay").asDouble()).isEqualTo(r.tokensPerDay());
    assertThat(n.get("devices").get("average").asDouble()).isEqualTo(r.devices().average());
    assertThat(n.get("devices").get("peak").asLong()).isEqualTo(28_936);
    assertThat(n.get("devices").get("servers").asLong()).isEqualTo(3_617);
    assertThat(n.get("costPerDay").isTextual()).isTrue();
    assertThat(new BigDecimal(n.get("costPerDay").asText())).isEqualByComparingTo(r.costPerDay().amount());
    assertThat(new BigDecimal(n.get("costPerRequest").asText())).isEqualByComparingTo(r.costPerRequest().amount());
    assertThat(n.get("costPerRequest").asText()).doesNotContain("E");
    assertThat(n.get("bound").isNull()).isTrue(); // a measured throughput has no roofline bound
    assertThat(n.get("currency").asText()).isEqualTo("USD");
    assertThat(n.get("method").asText()).isEqualTo("measured_throughput");
    assertThat(n.get("breakdown")).hasSize(3);
    assertThat(n.has("sensitivity")).isFalse();
  }

  @Test
  void roofline_hasABound_andServersAreNullWhenNotAsked() throws Exception {
    ProjectionResult r = Scenario.load("epoch-energy-2025").firstPrinciples()
        .toBuilder().build().project();
    JsonNode n = MAPPER.readTree(ProjectionJson.toJson(r));
    assertThat(n.get("bound").asText()).isEqualTo("compute");
    assertThat(n.get("batch").asInt()).isEqualTo(64);
    DailyCostProjection noServers = DailyCostProjectionTest.llama7bOnH100().build();
    JsonNode m = MAPPER.readTree(ProjectionJson.toJson(noServers.project()));
    assertThat(m.get("devices").get("servers").isNull()).isTrue();
    assertThat(m.get("bound").asText()).isIn("memory", "compute");
  }

  @Test
  void withSensitivity_addsOneObjectPerValue_includingInfeasibleOnes() throws Exception {
    DailyCostProjection p = Scenario.load("chatgpt-semianalysis-2023").firstPrinciples();
    SensitivityTable t = p.vary("batch=16..256:5");
    JsonNode n = MAPPER.readTree(ProjectionJson.toJson(p.project(), t));
    assertThat(n.get("varied").asText()).isEqualTo("batch");
    JsonNode rows = n.get("sensitivity");
    assertThat(rows).hasSize(5);
    assertThat(rows.get(0).get("value").asText()).isEqualTo("16");
    assertThat(rows.get(0).get("costPerDay").asText()).isNotEmpty();
    assertThat(rows.get(4).get("infeasible").asText()).contains("too few");
  }

  @Test
  void scenarioRun_putsTheStatedHeadlineAtTheTopLevel_whenTheScenarioStatesAThroughput() throws Exception {
    ScenarioResult run = Scenario.load("chatgpt-semianalysis-2023").run();
    JsonNode n = MAPPER.readTree(ProjectionJson.toJson(run));
    assertThat(n.get("view").asText()).isEqualTo("stated");
    assertThat(new BigDecimal(n.get("costPerDay").asText()))
        .isEqualByComparingTo(run.stated().costPerDay().amount())
        .isNotEqualByComparingTo(run.firstPrinciples().costPerDay().amount());
    assertThat(n.get("devices").get("servers").asLong()).isEqualTo(3_617);
    assertHeadlineEquals(n, n.get("stated"));
    assertThat(n.get("firstPrinciples").get("costPerDay").asText())
        .isEqualTo(ProjectionJson.money(run.firstPrinciples().costPerDay()));
    assertThat(n.get("published")).isNotEmpty();
  }

  @Test
  void scenarioRun_putsTheFirstPrinciplesHeadlineAtTheTopLevel_withoutAStatedThroughput() throws Exception {
    ScenarioResult run = Scenario.load("epoch-energy-2025").run();
    JsonNode n = MAPPER.readTree(ProjectionJson.toJson(run));
    assertThat(n.get("view").asText()).isEqualTo("firstPrinciples");
    assertHeadlineEquals(n, n.get("firstPrinciples"));
    assertThat(n.get("bound").asText()).isEqualTo("compute");
    assertThat(n.get("energyWhPerRequest").asDouble()).isEqualTo(run.firstPrinciples().energyWhPerRequest());
    assertThat(n.has("stated")).isTrue();
  }

  private static void assertHeadlineEquals(JsonNode top, JsonNode view) {
    for (String key : List.of("tokensPerDay", "devices", "deviceHoursPerDay", "costPerDay", "costPerRequest",
        "costPerMillionOutputTokens", "energyKwhPerDay", "energyWhPerRequest", "co2eKgPerDay", "bound",
        "currency")) {
      assertThat(top.has(key)).as("top-level " + key).isTrue();
      assertThat(top.get(key)).as(key).isEqualTo(view.get(key));
    }
  }

  @Test
  void scenarioRun_hasBothProjectionsAndTheComparison() throws Exception {
    ScenarioResult run = Scenario.load("chatgpt-semianalysis-2023").run();
    JsonNode n = MAPPER.readTree(ProjectionJson.toJson(run));
    assertThat(n.get("scenario").asText()).isEqualTo("chatgpt-semianalysis-2023");
    assertThat(n.get("stated").get("method").asText()).isEqualTo("measured_throughput");
    assertThat(n.get("firstPrinciples").get("method").asText()).isEqualTo("roofline");
    assertThat(n.get("batchForStatedThroughput").get("batch").asInt()).isGreaterThan(64);
    assertThat(n.get("training").get("flops").asDouble()).isGreaterThan(3e23);
    assertThat(n.get("published")).hasSize(4);
    assertThat(n.get("published").get(0).get("ratio").asDouble()).isBetween(0.99, 1.01);
    assertThat(ProjectionJson.pretty(ProjectionJson.toJson(run))).contains("\n  \"scenario\"");
  }

  @Test
  void csv_hasAHeaderAndOneRowPerValue_andQuotesMessages() {
    DailyCostProjection p = Scenario.load("chatgpt-semianalysis-2023").firstPrinciples();
    SensitivityTable t = p.vary("batch=16..256:5");
    String csv = ProjectionJson.toCsv(t);
    String[] lines = csv.split("\r\n");
    assertThat(lines).hasSize(6);
    assertThat(lines[0]).startsWith("batch,requestsPerDay,tokensPerDay,batch,devicesPerReplica");
    int columns = lines[0].split(",", -1).length;
    assertThat(lines[1].split(",", -1)).hasSize(columns);
    assertThat(lines[1]).startsWith("16,195000000,487500000000,16,8,");
    assertThat(lines[1]).contains(t.results().get(0).costPerDay().toPlainString());
    assertThat(lines[5]).startsWith("256,,,").endsWith(t.rows().get(4).infeasible().get());
    assertThat(lines[5].split(",", -1)).hasSize(columns);
    SensitivityTable quoted = new SensitivityTable(t.spec(), p, List.of(new SensitivityTable.Row(
        "7", OptionalDouble.of(7), Optional.empty(), Optional.of("too big, \"really\""))));
    assertThat(ProjectionJson.toCsv(quoted).split("\r\n")[1])
        .isEqualTo("7" + ",".repeat(19) + "\"too big, \"\"really\"\"\"");
  }
}

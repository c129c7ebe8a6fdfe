package io.costgen.projection.report;

import io.costgen.cost.meter.InMemoryMeter;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.UsageRecord;
import io.costgen.cost.meter.UsageSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.cost.Money;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DailyReportTest {

  private static final Instant NOON = Instant.parse("2026-03-10T12:00:00Z");

  private static UsageRecord call(String tenant, String model, Instant end, double seconds) {
    return UsageRecord.builder().tenantId(tenant).model(model).promptTokens(100).completionTokens(50).flops(2e12)
        .deviceSeconds(1800).energyJoules(3.6e6).co2eGrams(400).money(Money.usd("0.25")).finishReason("eos")
        .totalSeconds(seconds).start(end).end(end).build();
  }

  private static List<UsageRecord> sample() {
    List<UsageRecord> l = new ArrayList<>();
    l.add(call("acme", "gpt2", NOON, 1.0));
    l.add(call("acme", "gpt2", NOON, 3.0));
    l.add(call("acme", "llama", NOON, 2.0));
    l.add(UsageRecord.builder().tenantId("acme").model("gpt2").finishReason(UsageRecord.BUDGET_REJECTED)
        .error("budget_exceeded: daily").start(NOON).end(NOON).build());
    l.add(call("globex", "gpt2", NOON.plusSeconds(86400), 5.0));
    return l;
  }

  @Test
  void toCsv_neutralisesFormulaTenantIds_andQuotesCommas() {
    List<UsageRecord> l = new ArrayList<>();
    l.add(call("=HYPERLINK(\"http://evil\",\"x\")", "gpt2", NOON, 1.0));
    l.add(call("acme, inc", "gpt2", NOON, 1.0));
    l.add(call("@sum", "-model", NOON, 1.0));
    l.add(call("+1", "gpt2", NOON, 1.0));
    String csv = DailyReport.of(l, ZoneOffset.UTC).toCsv();
    List<String> lines = csv.lines().toList();
    assertThat(lines).hasSize(9); // header, then per tenant: all models (*) and each model
    int columns = lines.get(0).split(",", -1).length;
    for (String line : lines.subList(1, lines.size())) {
      // Every cell begins with a safe character, and quoted commas do not add columns.
      List<String> cells = splitCsv(line);
      assertThat(cells).as(line).hasSize(columns);
      assertThat(cells.get(1)).as(line).doesNotStartWith("=").doesNotStartWith("@").doesNotStartWith("-");
      assertThat(cells.get(2)).as(line).doesNotStartWith("-");
    }
    assertThat(csv).contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"", "\"acme, inc\"", "\"'@sum\"",
        "\"'-model\"");
    assertThat(csv).contains(",+1,").as("a number-like id stays as it is");
  }

  /** RFC 4180 split of one line: quoted cells may hold commas and doubled quotes. */
  private static List<String> splitCsv(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  @Test
  void byTenant_andByTenantAndModel_sumInReportUnits() {
    DailyReport r = DailyReport.of(sample(), ZoneOffset.UTC);
    UsageSummary acme = r.byTenant().get(0);
    assertThat(acme.day()).isEqualTo(LocalDate.parse("2026-03-10"));
    assertThat(acme.model()).isEqualTo(UsageSummary.ALL_MODELS);
    assertThat(acme.calls()).isEqualTo(3);
    assertThat(acme.rejections()).isEqualTo(1);
    assertThat(acme.promptTokens()).isEqualTo(300);
    assertThat(acme.deviceHours()).isEqualTo(1.5);
    assertThat(acme.energyKwh()).isEqualTo(3.0);
    assertThat(acme.co2eGrams()).isEqualTo(1200);
    assertThat(acme.money()).isEqualTo(Money.usd("0.75"));
    assertThat(acme.latencyP50Seconds()).isEqualTo(2.0); // of 1, 2, 3 across both models
    assertThat(acme.latencyP99Seconds()).isEqualTo(3.0);
    assertThat(r.byTenantAndModel()).extracting(s -> s.tenantId().get() + "/" + s.model() + "/" + s.calls())
        .containsExactly("acme/gpt2/2", "acme/llama/1", "globex/gpt2/1");
    assertThat(r.byTenant()).hasSize(2);
  }

  @Test
  void toCsv_hasAHeader_andTenantRowsBeforeTheirModels() {
    String csv = DailyReport.of(sample(), ZoneOffset.UTC).toCsv();
    String[] lines = csv.split("\n");
    assertThat(lines[0]).startsWith("day,tenant,model,calls,rejections,errors,prompt_tokens");
    assertThat(lines[1]).startsWith("2026-03-10,acme,*,3,1,0,300,150,6.0E12,1.5,3.0,1200.0,0.75,USD,2.0,3.0,3.0");
    assertThat(lines[2]).startsWith("2026-03-10,acme,gpt2,2,1,");
    assertThat(lines[3]).startsWith("2026-03-10,acme,llama,1,0,");
    assertThat(lines[4]).startsWith("2026-03-11,globex,*,1,");
    assertThat(lines).hasSize(6);
  }

  @Test
  void toCsv_quotesFieldsWithCommas() {
    List<UsageRecord> l = List.of(call("a,b", "m\"x", NOON, 1));
    assertThat(DailyReport.of(l, ZoneOffset.UTC).toCsv()).contains("\"a,b\",*,").contains("\"m\"\"x\"");
  }

  @Test
  void toJson_nestsDaysTenantsAndModels() throws Exception {
    JsonNode root = new ObjectMapper().readTree(DailyReport.of(sample(), ZoneOffset.UTC).toJson());
    assertThat(root.get("zone").asText()).isEqualTo("Z");
    JsonNode day = root.get("days").get(0);
    assertThat(day.get("day").asText()).isEqualTo("2026-03-10");
    JsonNode acme = day.get("tenants").get(0);
    assertThat(acme.get("tenant").asText()).isEqualTo("acme");
    assertThat(acme.get("money").asText()).isEqualTo("0.75");
    assertThat(acme.get("rejections").asInt()).isEqualTo(1);
    assertThat(acme.get("models")).hasSize(2);
    assertThat(acme.get("models").get(1).get("model").asText()).isEqualTo("llama");
    assertThat(root.get("days")).hasSize(2);
  }

  @Test
  void fromLedger_andFromMeter_agree(@TempDir Path dir) throws Exception {
    InMemoryMeter meter = InMemoryMeter.create();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      Meter both = Meter.composite(ledger, meter);
      sample().forEach(both::record);
    }
    DailyReport fromLedger = DailyReport.fromLedger(dir, LocalDate.parse("2026-03-10"), LocalDate.parse("2026-03-11"), ZoneOffset.UTC);
    assertThat(fromLedger.toCsv()).isEqualTo(DailyReport.from(meter).toCsv());
    DailyReport oneDay = DailyReport.fromLedger(dir, LocalDate.parse("2026-03-11"), LocalDate.parse("2026-03-11"), ZoneOffset.UTC);
    assertThat(oneDay.byTenant()).extracting(s -> s.tenantId().get()).containsExactly("globex");
  }

  @Test
  void fromLedger_ofAMissingDirectory_throwsUncheckedMeterException_namingIt(@TempDir Path dir) {
    Path missing = dir.resolve("no-ledger-here");
    assertThatThrownBy(() -> DailyReport.fromLedger(missing, LocalDate.parse("2026-03-10"),
            LocalDate.parse("2026-03-11"), ZoneOffset.UTC))
        .isInstanceOf(io.costgen.cost.meter.MeterException.class)
        .hasMessageContaining(missing.toString())
        .hasCauseInstanceOf(java.io.IOException.class);
  }
}

package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.CallContext;
import io.costgen.cost.Money;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 defect 3: rebuilding budget windows from the ledger counted only the current tenant's
 * records, so four tenants each spent $1 under a {@code money:2/day,scope=global} budget.
 */
class CliBudgetsTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Duration LEASE = Duration.ofMinutes(1);

  private static void write(Path dir, String tenant, String model, Map<String, String> tags, String usd)
      throws Exception {
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(UsageRecord.builder().tenantId(tenant).requestId(tenant + "-" + usd).model(model).tags(tags)
          .money(Money.usd(usd)).promptTokens(1).finishReason("eos").start(NOW.minusSeconds(60))
          .end(NOW.minusSeconds(59)).build());
    }
  }

  private static BigDecimal remaining(Budgets b, String tenant, String model, Map<String, String> tags) {
    CallContext ctx = new CallContext(Optional.of(tenant), "probe", tags);
    return b.status(ctx, model).get(0).remaining();
  }

  @Test
  void globalBudget_countsEveryTenantsRecords() throws Exception {
    for (String t : List.of("t1", "t2", "t3")) {
      write(ledgerDir, t, "gpt2", Map.of(), "0.5");
    }
    CallContext fourth = CallContext.forTenant("t4");
    Budgets b = CliBudgets.create(List.of("money:2/day,scope=global"), ledgerDir, fourth, "gpt2", CLOCK);
    assertThat(remaining(b, "t4", "gpt2", Map.of())).isEqualByComparingTo("0.5");
    b.reserve(fourth, "gpt2", Map.of(BudgetUnit.MONEY, new BigDecimal("0.5")), LEASE);
    assertThatThrownBy(() -> b.reserve(fourth, "gpt2", Map.of(BudgetUnit.MONEY, new BigDecimal("0.01")), LEASE))
        .isInstanceOf(BudgetExceededException.class);
  }

  @Test
  void eachScope_countsExactlyTheRecordsOnItsCounter() throws Exception {
    write(ledgerDir, "acme", "gpt2", Map.of("team", "search"), "0.1");
    write(ledgerDir, "acme", "llama", Map.of("team", "ads"), "0.20");
    write(ledgerDir, "globex", "gpt2", Map.of("team", "search"), "0.40");
    write(ledgerDir, "globex", "llama", Map.of(), "0.80");
    CallContext acmeSearch = new CallContext(Optional.of("acme"), "r", Map.of("team", "search"));
    Budgets b = CliBudgets.create(List.of(
        "money:10/day,scope=global",
        "money:10/day,scope=tenant",
        "money:10/day,scope=tenant:acme",
        "money:10/day,scope=tenant+model",
        "money:10/day,scope=tag:team",
        "money:10/day,scope=tag:team=search"), ledgerDir, acmeSearch, "gpt2", CLOCK);
    Map<String, String> spent = new java.util.TreeMap<>();
    b.status(acmeSearch, "gpt2").forEach(s -> spent.put(s.budget().scope().spec(), s.spent().stripTrailingZeros().toPlainString()));
    assertThat(spent).containsExactlyInAnyOrderEntriesOf(Map.of(
        "global", "1.5",                     // all four records
        "tenant", "0.3",                     // acme's two
        "tenant:acme", "0.3",
        "tenant+model", "0.1",               // acme on gpt2
        "tag:team", "0.5",                   // team=search of both tenants
        "tag:team=search", "0.5"));
  }

  @TempDir Path ledgerDir;
}

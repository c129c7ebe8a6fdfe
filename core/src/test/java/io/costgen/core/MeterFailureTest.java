package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.MeterException;
import io.costgen.cost.meter.UsageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 defect 6: an unwritable ledger was ignored (a stack trace in the log, exit 0, the
 * record dropped, so budgets rebuilt from the ledger stopped working across runs).
 */
class MeterFailureTest {

  private static GenerationRequest request(String tenant, int maxNew) {
    return GenerationRequest.builder().tokenIds(new long[][] {{1, 2, 3}}).config(TextGeneratorTest.greedy(maxNew))
        .context(CallContext.forTenant(tenant)).build();
  }

  @Test
  void anUnwritableLedger_failsTheCallBeforeAnyWork(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ledger");
    // Today's file is a directory: no process (root included) can append to it.
    Files.createDirectories(dir.resolve(JsonLinesLedger.fileName(LocalDate.now(ZoneOffset.UTC))));
    ToyBackend backend = TextGeneratorBudgetTest.backend();
    Budgets budgets = Budgets.inMemory().register(Budget.parse("tokens:1000/day,id=t"));
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      TextGenerator g = TextGenerator.builder(backend).costModel(TextGeneratorBudgetTest.PER_TOKEN)
          .budgets(budgets).meter(ledger).build();
      assertThatThrownBy(() -> g.generate(request("acme", 5)))
          .isInstanceOf(MeterException.class)
          .hasMessageContaining("ledger " + dir)
          .hasMessageContaining("cannot be written")
          .satisfies(e -> assertThat(((MeterException) e).record()).isEmpty());
    }
    assertThat(backend.forwardPasses()).isZero();
    assertThat(backend.sessionsOpened()).isZero();
    BudgetStatus s = budgets.statusForTenant("acme").get(0);
    assertThat(s.spent()).isZero();
    assertThat(s.reserved()).isZero();
  }

  @Test
  void aRecordThatCannotBeWrittenAfterTheCall_isThrownToTheCaller_andToldToListeners() {
    List<String> events = new CopyOnWriteArrayList<>();
    CostListener listener = new CostListener() {
      @Override
      public void onComplete(CallContext c, GenerationResult r) {
        events.add("complete");
      }

      @Override
      public void onMeterFailure(CallContext c, UsageRecord record, RuntimeException error) {
        events.add("meterFailure " + record.tenantId().orElse("-") + " " + record.completionTokens());
      }
    };
    Meter full = r -> {
      throw new IllegalStateException("No space left on device");
    };
    Budgets budgets = Budgets.inMemory().register(Budget.parse("tokens:1000/day,id=t"));
    TextGenerator g = TextGenerator.builder(TextGeneratorBudgetTest.backend())
        .costModel(TextGeneratorBudgetTest.PER_TOKEN).budgets(budgets).meter(full).addListener(listener).build();

    assertThatThrownBy(() -> g.generate(request("acme", 5)))
        .isInstanceOf(MeterException.class)
        .hasMessageContaining("No space left on device")
        .satisfies(e -> {
          UsageRecord lost = ((MeterException) e).record().orElseThrow();
          assertThat(lost.tenantId()).contains("acme");
          assertThat(lost.completionTokens()).isEqualTo(5);
        });
    assertThat(events).containsExactly("meterFailure acme 5", "complete");
    // the budget still counts the call
    assertThat(budgets.statusForTenant("acme").get(0).spent()).isEqualByComparingTo("8");
  }
}

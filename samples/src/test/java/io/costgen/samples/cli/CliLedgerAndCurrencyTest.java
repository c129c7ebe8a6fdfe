package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import io.costgen.cost.meter.JsonLinesLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 defects 6, 7 and 8 through the CLI: one line on stderr, non-zero exit, no stack trace. */
class CliLedgerAndCurrencyTest {

  @Test
  void generate_withAnUnwritableLedger_failsBeforeAnyWork(@TempDir Path tmp) throws Exception {
    Path ledger = tmp.resolve("ledger");
    // Today's file is a directory: not even root can append to it.
    Files.createDirectories(ledger.resolve(JsonLinesLedger.fileName(LocalDate.now(ZoneOffset.UTC))));
    CostgenCliTest.Run r = CostgenCliTest.run("generate", "--model", CostgenCliTest.stories(), "--prompt", "Once",
        "--max-new-tokens", "3", "--ledger", ledger.toString());
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err().strip()).startsWith("costgen: ").contains("ledger").contains("cannot be written")
        .doesNotContain("\n").doesNotContain("\tat ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void generate_eurBudgetWithUsdPrices_isRefusedWithExit2() {
    CostgenCliTest.Run r = CostgenCliTest.run("generate", "--model", CostgenCliTest.stories(), "--prompt", "Once",
        "--max-new-tokens", "3", "--budget", "money:1/day,currency=EUR");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("costgen: currency: the call is priced in USD but the money budgets are in EUR")
        .doesNotContain("\n");
  }

  /** Issue 11 defect 8 through the CLI: a tenant id with an unpaired surrogate is bad input. */
  @Test
  void generate_tenantWithAnUnpairedSurrogate_exits2NamingTheField() {
    CostgenCliTest.Run r = CostgenCliTest.run("generate", "--model", CostgenCliTest.stories(), "--prompt", "Once",
        "--max-new-tokens", "3", "--tenant", "\uD800x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("costgen: ").contains("tenantId: unpaired surrogate U+D800 at index 0")
        .doesNotContain("\n");
  }
}

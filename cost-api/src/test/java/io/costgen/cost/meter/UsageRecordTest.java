package io.costgen.cost.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.Usage;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UsageRecordTest {

  private static final Instant T = Instant.parse("2026-03-10T12:00:00Z");

  @Test
  void from_takesWhoFromTheContext_andWhatFromTheCostReport() {
    CallContext ctx = new CallContext(Optional.of("acme"), "req-7", Map.of("team", "search"));
    Usage usage = Usage.builder().modelName("gpt2").promptTokens(12).completionTokens(30).prefillFlops(1e9)
        .decodeFlops(2e9).wallSeconds(0.8).timeToFirstToken(java.time.Duration.ofMillis(100)).build();
    CostReport report = new CostReport(usage, 0.7, 250, 0.03, Money.usd("0.0042"), "test");
    UsageRecord r = UsageRecord.from(ctx, report, "eos", T.minusMillis(800), T).reservationId("r-1").build();
    assertThat(r.tenantId()).contains("acme");
    assertThat(r.requestId()).isEqualTo("req-7");
    assertThat(r.tags()).containsEntry("team", "search");
    assertThat(r.model()).isEqualTo("gpt2");
    assertThat(r.promptTokens()).isEqualTo(12);
    assertThat(r.completionTokens()).isEqualTo(30);
    assertThat(r.flops()).isEqualTo(3e9);
    assertThat(r.deviceSeconds()).isEqualTo(0.7);
    assertThat(r.energyJoules()).isEqualTo(250);
    assertThat(r.co2eGrams()).isEqualTo(0.03);
    assertThat(r.money()).isEqualTo(Money.usd("0.0042"));
    assertThat(r.timeToFirstToken()).contains(java.time.Duration.ofMillis(100));
    assertThat(r.totalSeconds()).isEqualTo(0.8);
    assertThat(r.reservationId()).contains("r-1");
    assertThat(r.promptText()).isEmpty();
    assertThat(r.completionText()).isEmpty();
    assertThat(UUID.fromString(r.id()).version()).isEqualTo(4);
  }

  @Test
  void budgetRejected_isAZeroUsageRecordWithTheRejectionFinishReasonAndBudget() {
    Budget b = Budget.parse("money:1/day,id=daily");
    BudgetExceededException e = new BudgetExceededException(b, Optional.of("acme"), "tenant=acme", BigDecimal.ONE,
        BigDecimal.ZERO, new BigDecimal("0.1"), Optional.empty());
    UsageRecord r = UsageRecord.budgetRejected(CallContext.forTenant("acme"), "gpt2", e, T, Money.USD);
    assertThat(r.finishReason()).isEqualTo(UsageRecord.BUDGET_REJECTED);
    assertThat(r.isBudgetRejection()).isTrue();
    assertThat(r.error()).contains("budget_exceeded: daily");
    assertThat(r.money().isZero()).isTrue();
    assertThat(r.promptTokens() + r.completionTokens()).isZero();
  }

  @Test
  void invalidValues_nameTheField() {
    assertThatThrownBy(() -> UsageRecord.builder().model("m").finishReason("eos").start(T).end(T.minusSeconds(1)).build())
        .hasMessageStartingWith("end:");
    assertThatThrownBy(() -> UsageRecord.builder().model("m").finishReason("eos").start(T).end(T).promptTokens(-1).build())
        .hasMessageStartingWith("promptTokens:");
    assertThatThrownBy(() -> UsageRecord.builder().model("m").finishReason("eos").start(T).end(T).flops(Double.NaN).build())
        .hasMessageStartingWith("flops:");
    assertThatThrownBy(() -> UsageRecord.builder().model("").finishReason("eos").start(T).end(T).build())
        .hasMessageStartingWith("model:");
    assertThatThrownBy(() -> UsageRecord.builder().model("m").finishReason("eos").start(T).end(T).tenantId("").build())
        .hasMessageStartingWith("tenantId:");
    assertThatThrownBy(() -> UsageRecord.builder().model("m").finishReason("eos").start(T).end(T).tenantId("a\tb").build())
        .hasMessageContaining("U+0009");
    assertThatThrownBy(() -> UsageRecord.builder().model("m").finishReason("eos").start(T).end(T).money(Money.usd("-1")).build())
        .hasMessageStartingWith("money:");
    assertThatThrownBy(() -> UsageRecord.builder().model("m").start(T).end(T).build()).hasMessageStartingWith("finishReason:");
  }

  @Test
  void withoutText_dropsOnlyTheText() {
    UsageRecord r = UsageRecord.builder().model("m").finishReason("eos").start(T).end(T).promptText("p").completionText("c").build();
    UsageRecord bare = r.withoutText();
    assertThat(bare.promptText()).isEmpty();
    assertThat(bare.completionText()).isEmpty();
    assertThat(bare.id()).isEqualTo(r.id());
  }
}

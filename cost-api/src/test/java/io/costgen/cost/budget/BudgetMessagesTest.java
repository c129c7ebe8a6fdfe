package io.costgen.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Budget amounts people read (refusals, status) show money readably; the accessors stay exact. */
class BudgetMessagesTest {

  @Test
  void refusal_showsTinyAndLargeMoneyReadably() {
    Budget tiny = Budget.parse("money:0.00005/call,id=tiny");
    BudgetExceededException e = new BudgetExceededException(tiny, Optional.of("acme"), "tenant=acme",
        BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("0.000063780288955223886850"), Optional.empty());
    assertThat(e.getMessage()).contains("requested $0.0000638", "limit $0.00005", "remaining $0.00005")
        .doesNotContain("0.000063780288955223886850");
    assertThat(e.requested()).isEqualByComparingTo("0.000063780288955223886850");

    Budget big = Budget.parse("money:1000000/month,id=big");
    BudgetExceededException b = new BudgetExceededException(big, Optional.empty(), "global",
        new BigDecimal("999999.5"), BigDecimal.ZERO, new BigDecimal("2.25"), Optional.of(Instant.EPOCH));
    assertThat(b.getMessage()).contains("requested $2.25", "limit $1,000,000.00", "spent $999,999.50",
        "remaining $0.50");
  }

  @Test
  void refusal_showsExactAmounts_whenRequestedAndRemainingWouldReadTheSame() {
    Budget budget = Budget.parse("money:0.05/day,id=d");
    BudgetExceededException e = new BudgetExceededException(budget, Optional.of("acme"), "tenant=acme",
        BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("0.0500001"), Optional.of(Instant.EPOCH));
    assertThat(e.getMessage()).contains("requested 0.0500001 USD", "remaining 0.05 USD");
  }

  @Test
  void nonMoneyBudgets_keepTheirUnit() {
    Budget tokens = Budget.parse("tokens:1000/call,id=t");
    BudgetExceededException e = new BudgetExceededException(tokens, Optional.of("acme"), "tenant=acme",
        BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("1200"), Optional.empty());
    assertThat(e.getMessage()).contains("requested 1200 tokens", "limit 1000 tokens");
  }

  @Test
  void status_toStringShowsRemainingMoneyReadably() {
    Budget budget = Budget.parse("money:5/day,id=daily");
    BudgetStatus s = new BudgetStatus(budget, "tenant=acme", Optional.of("acme"), Optional.empty(),
        Optional.empty(), new BigDecimal("0.000031890144477611943425"), BigDecimal.ZERO,
        new BigDecimal("4.999968109855522388056575"));
    assertThat(s.toString()).contains("daily", "limit $5.00", "spent $0.0000319", "remaining $5.00")
        .doesNotContain("4.999968109855522388056575");
    assertThat(s.remaining()).isEqualByComparingTo("4.999968109855522388056575");
  }
}

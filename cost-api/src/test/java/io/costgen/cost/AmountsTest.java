package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.CallEstimate;
import io.costgen.cost.budget.Reservation;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 11 defect 10: amounts are bounded at the API edge (a 1e-1000000 hold made every later operation ~400 ms). */
class AmountsTest {

  private static final BigDecimal ABSURDLY_TINY = new BigDecimal("1e-1000000");

  @Test
  void money_rejectsAnAbsurdScale_namingTheFieldAndTheRange() {
    assertThatThrownBy(() -> new Money(ABSURDLY_TINY, Money.USD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("amount: ")
        .hasMessageContaining("1000000 decimal places")
        .hasMessageContaining("at most 64");
    assertThatThrownBy(() -> Money.usd("1e36")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amount: ").hasMessageContaining("below 1e36");
    assertThatThrownBy(() -> Money.usd("-1e36")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("above -1e36");
  }

  @Test
  void money_acceptsTheEdgesOfTheRange_andTrailingZerosBeyondIt() {
    assertThat(Money.usd("1e-64").amount()).isEqualByComparingTo("1e-64");
    assertThat(Money.usd("999999999999999999999999999999999999.5").isNegative()).isFalse();
    // 0.5 followed by 100 zeros has scale 101 but only one significant place
    assertThat(Money.usd("0.5" + "0".repeat(100))).isEqualTo(Money.usd("0.5"));
  }

  @Test
  void money_productsAndQuotients_areNormalisedTo64Places() {
    Money tiny = Money.usd("1e-60");
    assertThat(tiny.times(new BigDecimal("1e-10")).amount().scale()).isLessThanOrEqualTo(64);
    assertThat(tiny.times(new BigDecimal("1e-10")).isZero()).isTrue();
    assertThat(tiny.times(new BigDecimal("1e-3")).amount()).isEqualByComparingTo("1e-63");
    assertThat(Money.usd("1").dividedBy(BigDecimal.valueOf(3)).amount().scale()).isLessThanOrEqualTo(64);
    assertThat(Money.usd("1e-50").dividedBy(BigDecimal.valueOf(3)).amount().scale()).isEqualTo(64);
    // a factor with an absurd scale is handled without computing a million-digit power of ten
    assertThat(Money.usd("1").times(ABSURDLY_TINY).isZero()).isTrue();
  }

  @Test
  void round_isFastAndDirectedForAbsurdScales() {
    assertThat(Amounts.roundUp(ABSURDLY_TINY)).isEqualByComparingTo("1e-64");
    assertThat(Amounts.round(ABSURDLY_TINY, RoundingMode.HALF_EVEN)).isEqualByComparingTo("0");
    assertThat(Amounts.round(ABSURDLY_TINY.negate(), RoundingMode.CEILING)).isEqualByComparingTo("0");
    assertThat(Amounts.roundUp(new BigDecimal("1.5"))).isEqualByComparingTo("1.5");
  }

  @Test
  void budgetLimit_reservationsAndSettles_refuseOutOfRangeAmounts() {
    assertThatThrownBy(() -> Budget.builder("b").limit(BudgetUnit.ENERGY_JOULES, ABSURDLY_TINY).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("limit: ").hasMessageContaining("at most 64");
    assertThatThrownBy(() -> Budget.parse("energy:1e40/day"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below 1e36");

    Budgets budgets = Budgets.inMemory().register(Budget.parse("money:1/day"));
    CallContext ctx = CallContext.forTenant("acme");
    assertThatThrownBy(() -> budgets.reserve(ctx, "m", Map.of(BudgetUnit.MONEY, ABSURDLY_TINY), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("fixed.MONEY: ");
    assertThatThrownBy(() -> CallEstimate.perToken(Map.of(BudgetUnit.MONEY, BigDecimal.ZERO),
        Map.of(BudgetUnit.MONEY, ABSURDLY_TINY), 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("perToken.MONEY: ");
    Reservation r = budgets.reserve(ctx, "m", Map.of(BudgetUnit.MONEY, new BigDecimal("0.5")), Duration.ofMinutes(1));
    assertThatThrownBy(() -> budgets.settle(r.id(), Map.of(BudgetUnit.MONEY, ABSURDLY_TINY)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("actual.MONEY: ");
    // nothing was counted by the refused operations: the reservation still settles normally
    budgets.settle(r.id(), Map.of(BudgetUnit.MONEY, new BigDecimal("0.25")));
    assertThat(budgets.statusForTenant("acme").get(0).spent()).isEqualByComparingTo("0.25");
  }

  @Test
  void estimatesFromReports_roundTinyDoublesUpTo64Places() {
    Usage u = Usage.builder().promptTokens(1).build();
    CostReport report = new CostReport(u, 0, 1e-300, 0, Money.usd("0.1"), "test");
    Map<BudgetUnit, BigDecimal> amounts = CallEstimate.amountsOf(report);
    assertThat(amounts.get(BudgetUnit.ENERGY_JOULES)).isEqualByComparingTo("1e-64");
  }
}

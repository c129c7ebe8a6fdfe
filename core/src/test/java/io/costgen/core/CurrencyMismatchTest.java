package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.ExchangeRate;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.Budgets;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 defect 7: {@code --budget money:1/day,currency=EUR} with USD prices counted USD
 * amounts as EUR. Mixed currencies are refused unless an explicit exchange rate is configured.
 */
class CurrencyMismatchTest {

  private static GenerationRequest request(int maxNew) {
    return GenerationRequest.builder().tokenIds(new long[][] {{1, 2, 3}}).config(TextGeneratorTest.greedy(maxNew))
        .context(CallContext.forTenant("acme")).build();
  }

  @Test
  void aEurBudgetWithUsdPrices_isRefusedBeforeAnyWork() {
    ToyBackend backend = TextGeneratorBudgetTest.backend();
    Budgets budgets = Budgets.inMemory().register(Budget.parse("money:1/day,currency=EUR"));
    TextGenerator g = TextGenerator.builder(backend).costModel(TextGeneratorBudgetTest.PER_TOKEN).budgets(budgets).build();
    assertThatThrownBy(() -> g.generate(request(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("currency: the call is priced in USD but the money budgets are in EUR")
        .hasMessageContaining("exchange rate");
    assertThat(backend.forwardPasses()).isZero();
    assertThat(budgets.statusForTenant("acme").get(0).reserved()).isZero();
  }

  @Test
  void anExplicitRate_convertsTheSpendExactly() {
    Budgets budgets = Budgets.builder().exchangeRate(ExchangeRate.of("USD", "EUR", "0.5"))
        .build()
        .register(Budget.parse("money:1/day,currency=EUR"));
    TextGenerator g = TextGenerator.builder(TextGeneratorBudgetTest.backend())
        .costModel(TextGeneratorBudgetTest.PER_TOKEN).budgets(budgets).build();
    GenerationResult r = g.generate(request(5));
    assertThat(r.cost().money().amount()).isEqualByComparingTo("0.000008"); // 8 tokens at $1 per million
    assertThat(budgets.statusForTenant("acme").get(0).spent()).isEqualByComparingTo("0.000004");
  }

  @Test
  void exchangeRate_validatesAndConverts() {
    ExchangeRate usdEur = ExchangeRate.of("USD", "EUR", "0.92");
    assertThat(usdEur.convert(io.costgen.cost.Money.usd("10")).amount()).isEqualByComparingTo("9.2");
    assertThat(usdEur.toString()).isEqualTo("1 USD = 0.92 EUR");
    assertThatThrownBy(() -> ExchangeRate.of("USD", "EUR", "0")).hasMessageStartingWith("rate: ");
    assertThatThrownBy(() -> ExchangeRate.of("USD", "USD", "1")).hasMessageStartingWith("to: ");
    assertThatThrownBy(() -> ExchangeRate.of("USD", "XYZ1", "1")).hasMessageStartingWith("to: 'XYZ1'");
    assertThatThrownBy(() -> usdEur.convert(io.costgen.cost.Money.of(java.math.BigDecimal.ONE,
        java.util.Currency.getInstance("GBP")))).hasMessageStartingWith("currency: ");
  }
}

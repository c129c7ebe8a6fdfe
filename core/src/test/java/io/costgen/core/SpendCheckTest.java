package io.costgen.core;

import static io.costgen.core.TextGeneratorTest.greedy;
import static io.costgen.core.TextGeneratorTest.successor;
import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.testing.FakeTicker;
import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.ModelShape;
import io.costgen.cost.Money;
import io.costgen.cost.Usage;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-step spend check prices a projection only when it leaves the worst case the
 * reservation already holds: a call that stays within its estimate is priced once (at the end),
 * not once per token; one that runs past it (a slower machine) is still checked every step.
 */
class SpendCheckTest {

  /** Counts {@link #price} calls of a delegate. */
  static final class CountingCostModel implements CostModel {
    final CostModel delegate;
    final AtomicInteger priced = new AtomicInteger();

    CountingCostModel(CostModel delegate) {
      this.delegate = delegate;
    }

    @Override
    public CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences) {
      return delegate.estimate(model, promptTokens, maxNewTokens, sequences);
    }

    @Override
    public CostReport price(Usage usage) {
      priced.incrementAndGet();
      return delegate.price(usage);
    }
  }

  /** Every forward pass takes {@code pass} on a fake ticker; $1 per device-second. */
  private static TextGenerator generator(CostModel model, Duration pass) {
    FakeTicker ticker = new FakeTicker();
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64))
        .onForwardPass(i -> ticker.advance(pass)).build();
    return TextGenerator.builder(backend).costModel(model)
        .budgets(Budgets.inMemory().register(Budget.parse("money:1000000/day,id=m")))
        .ticker(ticker).build();
  }

  private static CostModel perDeviceSecond() {
    // an H100 as the local machine: the estimate expects passes of well under a second
    return CostModel.builder().perMillionTokens(Money.usd("1"), Money.usd("1"))
        .perDeviceHour(Money.usd("3600")).localHardware(HardwareProfile.H100_SXM).build();
  }

  private static GenerationRequest request(int maxNew) {
    return GenerationRequest.builder().tokenIds(new long[][] {{1, 2, 3}}).config(greedy(maxNew))
        .context(CallContext.forTenant("acme")).build();
  }

  @Test
  void callWithinItsEstimate_isPricedOnce_notPerToken() {
    CountingCostModel counting = new CountingCostModel(perDeviceSecond());
    GenerationResult r = generator(counting, Duration.ofNanos(1_000)).generate(request(40));

    assertThat(r.first().generatedTokenIds()).hasSize(40);
    assertThat(counting.priced.get()).as("price() calls for 40 steps").isEqualTo(1);
  }

  @Test
  void callPastItsEstimate_isCheckedEveryStep_andStillSettlesExactly() {
    CountingCostModel counting = new CountingCostModel(perDeviceSecond());
    TextGenerator g = generator(counting, Duration.ofSeconds(1));
    GenerationResult r = g.generate(request(40));

    assertThat(r.first().generatedTokenIds()).hasSize(40);
    assertThat(counting.priced.get()).isGreaterThan(30);
  }

  @Test
  void budgetStatus_afterFastChecks_equalsThePricedCost() {
    Budgets budgets = Budgets.inMemory().register(Budget.parse("money:1000000/day,id=m"));
    FakeTicker ticker = new FakeTicker();
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64))
        .onForwardPass(i -> ticker.advance(Duration.ofNanos(1_000))).build();
    TextGenerator g = TextGenerator.builder(backend).costModel(perDeviceSecond()).budgets(budgets)
        .ticker(ticker).build();
    GenerationResult r = g.generate(request(25));
    BudgetStatus status = budgets.statusForTenant("acme").get(0);
    assertThat(status.reserved()).isZero();
    assertThat(status.spent()).isEqualByComparingTo(r.cost().money().amount());
  }
}

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

  /**
   * Counts {@link #price} calls and passes every other method (bound, pass bound, observations)
   * to the delegate, so the spend check sees the real model's bound and per-pass bound.
   */
  static final class FullyCountingCostModel implements CostModel {
    final CostModel delegate;
    final AtomicInteger priced = new AtomicInteger();

    FullyCountingCostModel(CostModel delegate) {
      this.delegate = delegate;
    }

    @Override
    public CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences) {
      return delegate.estimate(model, promptTokens, maxNewTokens, sequences);
    }

    @Override
    public CostReport bound(ModelShape model, long promptTokens, long maxNewTokens, int sequences,
        boolean coldStart) {
      return delegate.bound(model, promptTokens, maxNewTokens, sequences, coldStart);
    }

    @Override
    public double passBoundSeconds(ModelShape model, long tokensPerRow, long contextPerRow, int rows,
        boolean coldStart) {
      return delegate.passBoundSeconds(model, tokensPerRow, contextPerRow, rows, coldStart);
    }

    @Override
    public void observe(PassObservation observation) {
      delegate.observe(observation);
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

  /**
   * The benchmark's case (issue 17): the full cost model on an uncalibrated CPU (measured device
   * time, energy, electricity) and passes that take measurable time on the ticker, as on a real
   * backend; each pass as long as the estimate's average pass, so the measured wall and device
   * seconds grow all through the call but stay within the bound the reservation holds. No step
   * is priced: every call, cold first or warm, is priced once, at the end.
   */
  @Test
  void passesTakingTheEstimatedTime_stayOnTheFastPath_coldAndWarm() {
    int maxNew = 40;
    FullyCountingCostModel counting = new FullyCountingCostModel(CostModel.builder()
        .perMillionTokens(Money.usd("0.50"), Money.usd("1.50")).perDeviceHour(Money.usd("0.10"))
        .localHardware(HardwareProfile.cpu()).energy().electricityPrice(Money.usd("0.15")).build());
    FakeTicker ticker = new FakeTicker();
    long[] passNanos = {0};
    ToyBackend timed = ToyBackend.builder().vocabSize(64).logits(successor(64))
        .onForwardPass(i -> ticker.advance(Duration.ofNanos(passNanos[0]))).build();
    double estimated = counting.estimate(timed.modelInfo().shape(), 3, maxNew, 1).usage().wallSeconds();
    Duration pass = Duration.ofNanos((long) (estimated / (maxNew + 1) * 1e9));
    assertThat(pass).as("a pass takes measurable time").isGreaterThan(Duration.ofNanos(100_000));
    passNanos[0] = pass.toNanos();
    TextGenerator g = TextGenerator.builder(timed).costModel(counting)
        .budgets(Budgets.inMemory().register(Budget.parse("money:1000000/day,id=m")))
        .ticker(ticker).build();
    for (int call = 0; call < 3; call++) {
      int before = counting.priced.get();
      GenerationResult r = g.generate(request(maxNew));
      assertThat(r.first().generatedTokenIds()).hasSize(maxNew);
      assertThat(r.usage().wallSeconds()).as("measured time grew with the passes")
          .isGreaterThanOrEqualTo(pass.toNanos() * maxNew / 1e9);
      assertThat(counting.priced.get() - before).as("price() calls of call " + call).isEqualTo(1);
    }
    // the same passes three times as long leave the bound (2× the estimate): checked step by step
    passNanos[0] = 3 * pass.toNanos();
    int before = counting.priced.get();
    g.generate(request(maxNew));
    assertThat(counting.priced.get() - before).as("price() calls past the bound").isGreaterThan(1);
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

package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BudgetThroughputTest {

  /** Counts reserves and settles; a settle must get the permit its reserve returned. */
  static final class CountingBudget implements BudgetThroughput.ReserveSettle {
    final AtomicLong reserves = new AtomicLong();
    final AtomicLong settles = new AtomicLong();
    final AtomicLong mismatches = new AtomicLong();

    @Override
    public Object reserve() {
      return reserves.incrementAndGet();
    }

    @Override
    public void settle(Object permit) {
      if (!(permit instanceof Long)) {
        mismatches.incrementAndGet();
      }
      settles.incrementAndGet();
    }
  }

  @Test
  void run_settlesEveryReservation_andCountsEachThreadsCycles() throws Exception {
    CountingBudget budget = new CountingBudget();

    long[] counts = BudgetThroughput.run(budget, 2, 20_000_000L);

    assertThat(counts).hasSize(2);
    assertThat(counts[0]).isPositive();
    assertThat(counts[1]).isPositive();
    assertThat(counts[0] + counts[1]).isEqualTo(budget.settles.get()).isEqualTo(budget.reserves.get());
    assertThat(budget.mismatches.get()).isZero();
  }

  @Test
  void inMemoryBudget_reservesAndSettles_onBothThreads() throws Exception {
    BudgetThroughput.ReserveSettle budget = BudgetThroughput.inMemoryBudget().orElseThrow().get();

    long[] counts = BudgetThroughput.run(budget, 2, 20_000_000L);

    assertThat(counts[0]).isPositive();
    assertThat(counts[1]).isPositive();
  }
}

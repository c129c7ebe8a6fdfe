package io.costgen.bench.internal;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Throughput of an in-memory budget: reserve the worst case, settle the actual, with 1 and 2
 * threads hammering one tenant.
 *
 * <p>The budget is {@code Budgets.inMemory()} with one per-tenant daily money budget far above
 * what the run spends; each cycle reserves a fixed worst case and settles a slightly smaller
 * actual (the shape of every {@code generate()} call with budgets on).
 */
public final class BudgetThroughput {
  private BudgetThroughput() {}

  /** One reserve + settle cycle against a budget. Must be thread-safe. */
  public interface ReserveSettle {
    /** Reserves the worst case; returns the permit (reservation) to settle. */
    Object reserve();

    /** Settles {@code permit} with the actual cost and releases the rest. */
    void settle(Object permit);
  }

  /** The in-memory budget under test (a fresh one per supplier call). */
  public static Optional<Supplier<ReserveSettle>> inMemoryBudget() {
    return Optional.of(() -> {
      Budgets budgets = Budgets.inMemory().register(Budget.parse("money:1000000/day,id=bench"));
      CallContext ctx = CallContext.forTenant("bench-tenant");
      Map<BudgetUnit, BigDecimal> worst = Map.of(BudgetUnit.MONEY, new BigDecimal("0.000123"));
      Map<BudgetUnit, BigDecimal> actual = Map.of(BudgetUnit.MONEY, new BigDecimal("0.000101"));
      Duration lease = Duration.ofMinutes(5);
      return new ReserveSettle() {
        @Override
        public Object reserve() {
          return budgets.reserve(ctx, "bench-model", worst, lease).id();
        }

        @Override
        public void settle(Object permit) {
          budgets.settle((String) permit, actual);
        }
      };
    });
  }

  /**
   * Runs reserve + settle cycles on {@code threads} threads for {@code seconds} (after a warm-up
   * of the same length) and returns the total completed cycles per second.
   */
  public static double cyclesPerSecond(ReserveSettle budget, int threads, double seconds)
      throws InterruptedException {
    run(budget, threads, (long) (seconds * 1e9)); // warm-up
    long[] counts = run(budget, threads, (long) (seconds * 1e9));
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return total / seconds;
  }

  /** Cycles completed by each of {@code threads} threads in {@code nanos}. */
  static long[] run(ReserveSettle budget, int threads, long nanos) throws InterruptedException {
    long[] counts = new long[threads];
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread w = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          long n = 0;
          while (!stop.get()) {
            budget.settle(budget.reserve());
            n++;
          }
          counts[index] = n;
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "budget-bench-" + t);
      workers.add(w);
      w.start();
    }
    ready.await();
    go.countDown();
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end && failure.get() == null) {
      Thread.sleep(Math.max(1, Math.min(50, (end - System.nanoTime()) / 1_000_000)));
    }
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("budget cycle failed", failure.get());
    }
    return counts;
  }

  /** The report section: a table, or why there is none. */
  public static String section(double secondsPerPoint) throws InterruptedException {
    Optional<Supplier<ReserveSettle>> budget = inMemoryBudget();
    if (budget.isEmpty()) {
      return "Not measured: `io.costgen.cost.budget` is not in this build. The harness is ready"
          + " (`BudgetThroughput`, LEAD HOOK in `inMemoryBudget()`).\n";
    }
    MarkdownTable t = new MarkdownTable("threads", "reserve + settle cycles/s", "per cycle");
    for (int threads : List.of(1, 2)) {
      double rate = cyclesPerSecond(budget.get().get(), threads, secondsPerPoint);
      t.row(threads, String.format(Locale.ROOT, "%,.0f", rate),
          String.format(Locale.ROOT, "%.0f ns", threads * 1e9 / rate));
    }
    return "One tenant, in-memory budget, " + secondsPerPoint + " s per point after an equal warm-up."
        + " \"per cycle\" is thread-time per cycle.\n\n" + t.render();
  }
}

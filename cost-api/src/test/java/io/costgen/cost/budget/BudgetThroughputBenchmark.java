package io.costgen.cost.budget;

import io.costgen.cost.CallContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Not a test: measures in-memory reserve + settle throughput with 1 and 2 threads, each call
 * held against two budgets (each tenant's daily money and a global daily money budget), and
 * prints calls/s. Run from the repository root (plain {@code java}: the exec plugin is not in the
 * offline repository):
 *
 * <pre>
 * mvn -o -q -B -pl cost-api test-compile
 * R=~/.m2/repository
 * java -cp cost-api/target/classes:cost-api/target/test-classes:$R/org/slf4j/slf4j-api/2.0.20/slf4j-api-2.0.20.jar:\
 * $R/com/fasterxml/jackson/core/jackson-core/2.23.0/jackson-core-2.23.0.jar:\
 * $R/com/fasterxml/jackson/core/jackson-databind/2.23.0/jackson-databind-2.23.0.jar:\
 * $R/com/fasterxml/jackson/core/jackson-annotations/2.23/jackson-annotations-2.23.jar \
 *   io.costgen.cost.budget.BudgetThroughputBenchmark [callsPerRound]
 * </pre>
 *
 * The optional argument is the number of calls per measured round (default 1,000,000).
 */
public final class BudgetThroughputBenchmark {

  private BudgetThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    long calls = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    System.out.printf("in-memory Budgets, reserve+settle against 2 budgets, %,d calls per round%n", calls);
    round(1, calls / 4, false); // warm-up
    round(2, calls / 4, false);
    for (int threads : new int[] {1, 2}) {
      round(threads, calls, true);
    }
  }

  private static void round(int threads, long calls, boolean print) throws Exception {
    Budgets budgets = Budgets.inMemory()
        .register(Budget.parse("money:1000000000/day,id=tenant"))
        .register(Budget.parse("money:1000000000/day,scope=global,id=global"));
    CallContext[] tenants = new CallContext[100];
    for (int i = 0; i < tenants.length; i++) {
      tenants[i] = CallContext.forTenant("t" + i);
    }
    Map<BudgetUnit, BigDecimal> estimate = Map.of(BudgetUnit.MONEY, new BigDecimal("0.0021"));
    Map<BudgetUnit, BigDecimal> actual = Map.of(BudgetUnit.MONEY, new BigDecimal("0.0013"));
    Duration lease = Duration.ofMinutes(5);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    long perThread = calls / threads;
    for (int t = 0; t < threads; t++) {
      int offset = t;
      Thread w = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (long i = 0; i < perThread; i++) {
          Reservation r = budgets.reserve(tenants[(int) ((i + offset) % tenants.length)], "gpt2", estimate, lease);
          budgets.settle(r.id(), actual);
        }
      });
      w.start();
      workers.add(w);
    }
    long t0 = System.nanoTime();
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (print) {
      System.out.printf("threads=%d  calls=%,d  %.2f s  %,.0f calls/s (reserve+settle)  %,.0f ops/s%n",
          threads, perThread * threads, seconds, perThread * threads / seconds, 2 * perThread * threads / seconds);
    }
  }
}

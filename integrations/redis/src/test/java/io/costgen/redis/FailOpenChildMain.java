package io.costgen.redis;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.FailurePolicy;
import io.costgen.cost.budget.Reservation;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child process for {@link RedisFailOpenBoundTest}: {@code threads} threads each reserve
 * {@link #CALL} USD against {@link #budget()} through a {@link FailurePolicy#FAIL_OPEN} store and
 * settle it at once with the same amount, until stdin closes. Prints {@code P <ops> <admitted>}
 * every 25 operations of a thread, and at the end (after reconciling) {@code DONE <admitted>}
 * with the number of admitted (= settled) calls.
 *
 * <p>Arguments: redis URI, key prefix, threads, instant of the fixed clock.
 */
public final class FailOpenChildMain {

  /** What each call reserves and settles. */
  static final BigDecimal CALL = new BigDecimal("0.10");

  private FailOpenChildMain() {}

  /** One global limit of 30 USD a day: 300 calls. */
  static Budget budget() {
    return Budget.parse("money:30/day,scope=global,id=g");
  }

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[2]);
    Clock clock = Clock.fixed(Instant.parse(args[3]), ZoneOffset.UTC);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ops = new AtomicLong();
    AtomicLong admitted = new AtomicLong();
    try (RedisBudgetStore store = RedisBudgetStore.builder(args[0]).keyPrefix(args[1])
        .failurePolicy(FailurePolicy.FAIL_OPEN).commandTimeout(Duration.ofMillis(500))
        .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).build()) {
      Budgets budgets = Budgets.builder().store(store).clock(clock).build().register(budget());
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          CallContext ctx = CallContext.forTenant("t" + tt);
          while (!stop.get()) {
            try {
              // a lease far longer than any outage: holds never expire before their settle
              Reservation r = budgets.reserve(ctx, "m", Map.of(BudgetUnit.MONEY, CALL), Duration.ofHours(1));
              budgets.settle(r.id(), Map.of(BudgetUnit.MONEY, CALL));
              admitted.incrementAndGet();
            } catch (BudgetExceededException e) {
              // refused: the limit is reached (in Redis, or locally while it is down)
            }
            long n = ops.incrementAndGet();
            if (n % 25 == 0) {
              out.println("P " + n + " " + admitted.get());
            }
          }
          return null;
        }));
      }
      Thread stopper = new Thread(() -> {
        try {
          while (System.in.read() >= 0) {
            // wait for the parent to close stdin
          }
        } catch (java.io.IOException e) {
          // parent gone
        }
        stop.set(true);
      });
      stopper.setDaemon(true);
      stopper.start();
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
      if (!store.reconcile()) {
        out.println("UNRECONCILED " + store.pendingReplays());
      }
    }
    out.println("DONE " + admitted.get());
  }
}

package io.costgen.redis;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStore;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.Reservation;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reserve + settle throughput of {@link RedisBudgetStore} through {@link Budgets} (two budgets per
 * call: tenant daily money and global daily money, 100 tenants), against a private
 * {@code redis-server} on 127.0.0.1 that it starts and stops itself; the in-memory store is the
 * baseline in the same run. Not a test: run it by hand.
 *
 * <ul>
 *   <li><b>sequential</b>: one thread, one command in flight (each reserve and settle is a full
 *       round trip);
 *   <li><b>pipelined</b>: many threads sharing the store's single connection, so Lettuce writes
 *       their commands back to back and up to that many are in flight at once.
 * </ul>
 *
 * <pre>
 * mvn -o -q -B -pl integrations/redis -am test-compile
 * mvn -o -q -B -pl integrations/redis dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp integrations/redis/target/test-classes:integrations/redis/target/classes:cost-api/target/test-classes:cost-api/target/classes:$(cat /tmp/cp.txt) \
 *     io.costgen.redis.RedisThroughputBenchmark [calls=20000] [inFlight=64]
 * </pre>
 *
 * <p>{@code -Dcostgen.redis.uri=redis://host:port} measures an existing server instead (keys
 * under {@code bench:}).
 */
public final class RedisThroughputBenchmark {

  private RedisThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    System.out.printf("cores=%d, calls per run=%d%n", Runtime.getRuntime().availableProcessors(), calls);
    run("in-memory baseline, 1 thread", BudgetStore.inMemory(), calls, 1);
    String external = System.getProperty("costgen.redis.uri");
    RedisServer server = external == null ? RedisServer.startEphemeral() : null;
    try (RedisBudgetStore store = RedisBudgetStore.builder(external != null ? external : server.uri())
        .keyPrefix("bench:").commandTimeout(Duration.ofSeconds(30)).build()) {
      run("redis warm-up", store, calls / 4, 1);
      run("redis sequential, 1 thread", store, calls, 1);
      run("redis pipelined, " + inFlight + " threads", store, calls, inFlight);
      run("redis pipelined, 8 threads", store, calls, 8);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static void run(String name, BudgetStore store, int calls, int threads) throws Exception {
    Budgets budgets = Budgets.builder().store(store)
        .build()
        .register(Budget.parse("money:1000000/day,id=tenant"))
        .register(Budget.parse("money:100000000/day,scope=global,id=global"));
    Map<BudgetUnit, BigDecimal> estimate = Map.of(BudgetUnit.MONEY, new BigDecimal("0.0125"));
    Map<BudgetUnit, BigDecimal> actual = Map.of(BudgetUnit.MONEY, new BigDecimal("0.0071234"));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      fs.add(pool.submit(() -> {
        for (int i = tt; i < calls; i += threads) {
          CallContext ctx = CallContext.forTenant("tenant-" + (i % 100));
          Reservation r = budgets.reserve(ctx, "m", estimate, Duration.ofMinutes(2));
          budgets.settle(r.id(), actual);
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    System.out.printf("%-34s %8.0f calls/s  %8.0f ops/s (reserve+settle)  %6.2f s%n", name, calls / seconds,
        2 * calls / seconds, seconds);
  }
}

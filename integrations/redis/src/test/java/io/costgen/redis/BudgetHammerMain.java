package io.costgen.redis;

import io.costgen.cost.CallContext;
import io.costgen.cost.Money;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.CallEstimate;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.budget.SettleStatus;
import io.costgen.cost.meter.FsyncPolicy;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child process for {@link RedisMultiProcessTest}.
 *
 * <ul>
 *   <li>{@code hammer <uri> <prefix> <instant> <ledgerDir> <calls> <threads> <seed>}: many threads
 *       reserve, settle (some twice), or release calls of {@link #TENANTS} against
 *       {@link #budgets}, writing every recorded settle to a {@link JsonLinesLedger}; prints
 *       {@code DONE admitted=A rejected=R}.
 *   <li>{@code hold <uri> <prefix> <clockOffsetMillis> <count> <leaseMillis>}: reserves
 *       {@code count} × 0.25 USD for tenant {@code victim}, prints {@code HELD <now>} and blocks
 *       until killed.
 * </ul>
 */
public final class BudgetHammerMain {

  /** Tenant ids a hostile host could send: separators, globs, braces, non-ASCII. */
  static final List<String> TENANTS = List.of("acme", "a:b", "{x}", "*", "\u00fc\u20ac", "t%3A");

  private BudgetHammerMain() {}

  /** The budgets both children and the parent register. */
  static Budget[] budgets() {
    return new Budget[] {
        Budget.parse("money:1.2/day,id=tenant-money"),
        Budget.parse("tokens:5000/day,shrink,id=tenant-tokens"),
        Budget.parse("money:6/day,scope=global,id=global-money")};
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "hammer" -> hammer(args);
      case "hold" -> hold(args);
      default -> throw new IllegalArgumentException("mode: " + args[0]);
    }
  }

  private static void hammer(String[] a) throws Exception {
    Clock clock = Clock.fixed(Instant.parse(a[3]), java.time.ZoneOffset.UTC);
    int calls = Integer.parseInt(a[5]);
    int threads = Integer.parseInt(a[6]);
    long seed = Long.parseLong(a[7]);
    AtomicLong admitted = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    try (RedisBudgetStore store = RedisBudgetStore.builder(a[1]).keyPrefix(a[2]).commandTimeout(Duration.ofSeconds(10))
        .build();
        JsonLinesLedger ledger = JsonLinesLedger.builder(Path.of(a[4])).fsync(FsyncPolicy.everyNMillis(200)).build()) {
      Budgets budgets = Budgets.builder().store(store).clock(clock).build();
      for (Budget b : budgets()) {
        budgets.register(b);
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random rnd = new Random(seed * 1000 + t);
        int share = calls / threads;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < share; i++) {
            call(budgets, ledger, clock, rnd, admitted, rejected);
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
    }
    System.out.println("DONE admitted=" + admitted.get() + " rejected=" + rejected.get());
  }

  private static void call(Budgets budgets, JsonLinesLedger ledger, Clock clock, Random rnd, AtomicLong admitted,
      AtomicLong rejected) {
    String tenant = TENANTS.get(rnd.nextInt(TENANTS.size()));
    CallContext ctx = CallContext.forTenant(tenant);
    long prompt = 10 + rnd.nextInt(41);
    BigDecimal fixed = BigDecimal.valueOf(1000 + rnd.nextInt(19_000), 6); // 0.001–0.02 USD
    BigDecimal perToken = BigDecimal.valueOf(1_000 + rnd.nextInt(1_000), 7); // 0.0001–0.0002 USD
    CallEstimate est = CallEstimate.perToken(
        Map.of(BudgetUnit.MONEY, fixed, BudgetUnit.TOKENS, BigDecimal.valueOf(prompt)),
        Map.of(BudgetUnit.MONEY, perToken, BudgetUnit.TOKENS, BigDecimal.ONE), 100, 1);
    Reservation r;
    try {
      r = budgets.reserve(ctx, "m", est, Duration.ofMinutes(5));
    } catch (BudgetExceededException e) {
      rejected.incrementAndGet();
      return;
    }
    admitted.incrementAndGet();
    if (rnd.nextInt(10) == 0) {
      budgets.release(r.id()); // the call did no work
      return;
    }
    long completion = rnd.nextLong(r.grantedTokens().getAsLong() + 1);
    BigDecimal money = fixed.add(perToken.multiply(BigDecimal.valueOf(completion)));
    Map<BudgetUnit, BigDecimal> actual = Map.of(BudgetUnit.MONEY, money, BudgetUnit.TOKENS,
        BigDecimal.valueOf(prompt + completion));
    SettleStatus s = budgets.settle(r.id(), actual);
    if (rnd.nextInt(5) == 0 && budgets.settle(r.id(), actual) != SettleStatus.DUPLICATE) {
      throw new AssertionError("a retried settle must be a duplicate");
    }
    if (s.recorded()) {
      Instant now = clock.instant();
      ledger.record(UsageRecord.builder().tenantId(tenant).requestId(r.id()).model("m").promptTokens(prompt)
          .completionTokens(completion).money(Money.usd(money)).finishReason("length").start(now).end(now)
          .reservationId(r.id()).build());
    }
  }

  private static void hold(String[] a) throws Exception {
    Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofMillis(Long.parseLong(a[3])));
    int count = Integer.parseInt(a[4]);
    Duration lease = Duration.ofMillis(Long.parseLong(a[5]));
    RedisBudgetStore store = RedisBudgetStore.builder(a[1]).keyPrefix(a[2]).build();
    Budgets budgets = Budgets.builder().store(store).clock(clock).build()
        .register(Budget.parse("money:1/day,id=victim-daily"));
    Instant first = clock.instant();
    for (int i = 0; i < count; i++) {
      budgets.reserve(CallContext.forTenant("victim"), "m", Map.of(BudgetUnit.MONEY, new BigDecimal("0.25")), lease);
    }
    System.out.println("HELD " + first);
    System.out.flush();
    System.in.read(); // blocks until the parent kills us (or closes our stdin)
    store.close();
  }
}

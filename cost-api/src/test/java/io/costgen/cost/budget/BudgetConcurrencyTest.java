package io.costgen.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.CallContext;
import io.costgen.cost.Money;
import io.costgen.cost.meter.FsyncPolicy;
import io.costgen.cost.meter.InMemoryMeter;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.cost.meter.LedgerReader;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads reserving and settling against several budgets per call at once: no budget is
 * ever overspent, holds never go negative, and the meter's total equals the store's total to the
 * last digit. Counts operations; never measures time.
 */
class BudgetConcurrencyTest {

  private static final int TENANTS = 100;
  private static final BigDecimal TENANT_MONEY = new BigDecimal("1.2");
  private static final BigDecimal TENANT_TOKENS = new BigDecimal("350000");
  private static final BigDecimal GLOBAL_MONEY = new BigDecimal("100");
  private static final Duration LEASE = Duration.ofMinutes(10);

  /** Outcome counters of one run. */
  private static final class Counts {
    final AtomicLong ops = new AtomicLong();
    final AtomicLong granted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong settled = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong released = new AtomicLong();
    final AtomicLong abandoned = new AtomicLong();
    final AtomicLong invariantChecks = new AtomicLong();
    final AtomicLong shrunk = new AtomicLong();
  }

  private static Budgets registered(Budgets budgets, Budget... bs) {
    for (Budget b : bs) {
      budgets.register(b);
    }
    return budgets;
  }

  private static Budget[] budgets() {
    return new Budget[] {
        Budget.builder("tenant-money").scope(BudgetScope.eachTenant()).money(Money.usd(TENANT_MONEY)).build(),
        Budget.builder("tenant-tokens").scope(BudgetScope.eachTenant()).limit(BudgetUnit.TOKENS, TENANT_TOKENS)
            .policy(Budget.Policy.SHRINK).build(),
        Budget.builder("global-money").scope(BudgetScope.global()).money(Money.usd(GLOBAL_MONEY)).build()};
  }

  private static CallContext[] tenants() {
    CallContext[] t = new CallContext[TENANTS];
    for (int i = 0; i < TENANTS; i++) {
      t[i] = CallContext.forTenant("tenant-" + i);
    }
    return t;
  }

  /**
   * Runs {@code threads} workers until {@code targetOps} reserve/settle operations are done. Each
   * call estimates a fixed prompt cost plus a per-token cost (the token budget may shrink it),
   * then settles a random actual at or below the reservation, releases it, abandons it (a crashed
   * holder), or settles it twice (a retry).
   */
  private static Counts run(Budgets budgets, Meter meter, int threads, long targetOps) throws Exception {
    Counts c = new Counts();
    CallContext[] tenants = tenants();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    Instant now = Instant.parse("2026-03-10T12:00:00Z");
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = 1234L + t;
        futures.add(pool.submit(() -> {
          SplittableRandom rnd = new SplittableRandom(seed);
          start.await();
          while (c.ops.get() < targetOps) {
            CallContext ctx = tenants[rnd.nextInt(TENANTS)];
            long promptTokens = 10 + rnd.nextInt(100);
            // one call in 500 is greedy: more new tokens than the token budget allows, so it is shrunk
            boolean greedy = rnd.nextInt(500) == 0;
            long maxNew = greedy ? TENANT_TOKENS.longValue() + 1 : 50 + rnd.nextInt(400);
            BigDecimal promptUsd = BigDecimal.valueOf(500 + rnd.nextInt(2000), 8);  // 5e-6..2.5e-5 USD
            BigDecimal perTokenUsd = greedy ? BigDecimal.ZERO : BigDecimal.valueOf(1 + rnd.nextInt(20), 6); // 1e-6..2e-5 USD
            CallEstimate est = CallEstimate.perToken(
                Map.of(BudgetUnit.MONEY, promptUsd, BudgetUnit.TOKENS, BigDecimal.valueOf(promptTokens)),
                Map.of(BudgetUnit.MONEY, perTokenUsd, BudgetUnit.TOKENS, BigDecimal.ONE), maxNew, 1);
            Reservation r;
            c.ops.incrementAndGet();
            try {
              r = budgets.reserve(ctx, "gpt2", est, LEASE);
            } catch (BudgetExceededException e) {
              c.rejected.incrementAndGet();
              meter.record(UsageRecord.budgetRejected(ctx, "gpt2", e, now, Money.USD));
              continue;
            }
            c.granted.incrementAndGet();
            long granted = r.grantedTokens().getAsLong();
            if (granted < maxNew) {
              c.shrunk.incrementAndGet();
            }
            int fate = rnd.nextInt(1000);
            if (fate < 5) {
              c.abandoned.incrementAndGet(); // holder "crashes": never settles
              continue;
            }
            if (fate < 40) {
              c.ops.incrementAndGet();
              if (budgets.release(r.id())) {
                c.released.incrementAndGet();
              }
              continue;
            }
            long used = rnd.nextLong(Math.min(granted, 2_000) + 1);
            BigDecimal usd = promptUsd.add(perTokenUsd.multiply(BigDecimal.valueOf(used)))
                .multiply(BigDecimal.valueOf(rnd.nextInt(101), 2)); // 0..100 % of the estimate
            Map<BudgetUnit, BigDecimal> actual = Map.of(BudgetUnit.MONEY, usd,
                BudgetUnit.TOKENS, BigDecimal.valueOf(promptTokens + used));
            assertThat(r.covers(actual)).isTrue();
            c.ops.incrementAndGet();
            SettleStatus s = budgets.settle(r.id(), actual);
            if (s.recorded()) {
              c.settled.incrementAndGet();
              meter.record(UsageRecord.builder().tenantId(ctx.tenantId().get()).requestId(r.id()).model("gpt2")
                  .promptTokens(promptTokens).completionTokens(used).money(Money.usd(usd))
                  .finishReason("length").reservationId(r.id()).start(now).end(now).totalSeconds(used / 100.0).build());
            }
            if (fate < 50) { // a retry of the same settle must count once
              c.ops.incrementAndGet();
              if (budgets.settle(r.id(), actual) == SettleStatus.DUPLICATE) {
                c.duplicates.incrementAndGet();
              }
            }
            if (rnd.nextInt(256) == 0) {
              c.invariantChecks.incrementAndGet();
              for (BudgetStatus st : budgets.status(ctx, "gpt2")) {
                assertThat(st.spent()).isLessThanOrEqualTo(st.limit());
                assertThat(st.spent().signum()).isGreaterThanOrEqualTo(0);
                assertThat(st.reserved().signum()).isGreaterThanOrEqualTo(0);
              }
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return c;
  }

  /** Sum of spent over all tenants for {@code budgetId}, checking every tenant on the way. */
  private static BigDecimal checkTenants(Budgets budgets, String budgetId, BigDecimal limit, boolean expectNoHolds) {
    BigDecimal sum = BigDecimal.ZERO;
    for (CallContext ctx : tenants()) {
      BudgetStatus s = budgets.status(ctx, "gpt2").stream().filter(x -> x.budgetId().equals(budgetId)).findFirst().get();
      assertThat(s.spent()).as("%s %s spent", budgetId, ctx.tenantId()).isLessThanOrEqualTo(limit);
      assertThat(s.reserved().signum()).isGreaterThanOrEqualTo(0);
      if (expectNoHolds) {
        assertThat(s.reserved()).isEqualByComparingTo("0");
      }
      sum = sum.add(s.spent());
    }
    return sum;
  }

  private static BudgetStatus global(Budgets budgets) {
    return budgets.status(CallContext.forTenant("tenant-0"), "gpt2").stream()
        .filter(x -> x.budgetId().equals("global-money")).findFirst().get();
  }

  @Test
  void sixtyFourThreads_aMillionOperations_neverOverspend_andTheMeterMatchesTheStoreExactly() throws Exception {
    MutableClock clock = MutableClock.at("2026-03-10T12:00:00Z");
    Budgets budgets = registered(Budgets.builder().clock(clock).build(), budgets());
    InMemoryMeter meter = InMemoryMeter.create();

    Counts c = run(budgets, meter, 64, 1_000_000);

    assertThat(c.ops.get()).isGreaterThanOrEqualTo(1_000_000);
    assertThat(c.rejected.get()).as("limits were reached").isPositive();
    assertThat(c.shrunk.get()).as("the token budget shrank calls").isPositive();
    assertThat(c.duplicates.get()).as("every retried settle was a duplicate").isPositive();
    assertThat(c.invariantChecks.get()).isPositive();

    BigDecimal tenantMoney = checkTenants(budgets, "tenant-money", TENANT_MONEY, false);
    BigDecimal tenantTokens = checkTenants(budgets, "tenant-tokens", TENANT_TOKENS, false);
    BudgetStatus g = global(budgets);
    assertThat(g.spent()).isLessThanOrEqualTo(GLOBAL_MONEY);
    assertThat(g.spent()).as("the global limit was nearly used up").isGreaterThan(GLOBAL_MONEY.multiply(new BigDecimal("0.9")));

    // Exact equality, not approximate: the ledger and every budget agree to the last digit.
    assertThat(meter.totalMoney(Money.USD).amount()).isEqualByComparingTo(g.spent());
    assertThat(tenantMoney).isEqualByComparingTo(g.spent());
    long meteredTokens = meter.summaries().stream().mapToLong(s -> s.promptTokens() + s.completionTokens()).sum();
    assertThat(tenantTokens).isEqualByComparingTo(BigDecimal.valueOf(meteredTokens));
    assertThat(meter.count()).isEqualTo(c.settled.get() + c.rejected.get());

    // Abandoned holds (crashed holders) are the only ones left, and vanish when their lease ends.
    assertThat(g.reserved().signum()).isEqualTo(c.abandoned.get() > 0 ? 1 : 0);
    clock.advance(LEASE);
    checkTenants(budgets, "tenant-money", TENANT_MONEY, true);
    assertThat(global(budgets).reserved()).isEqualByComparingTo("0");
    assertThat(global(budgets).spent()).isEqualByComparingTo(g.spent());
  }

  @Test
  void throughTheFileLedger_everySettledCallIsReadBack_andSumsMatchExactly(@TempDir Path dir) throws Exception {
    MutableClock clock = MutableClock.at("2026-03-10T12:00:00Z");
    Budget[] small = {
        Budget.builder("tenant-money").money(Money.usd("0.05")).build(),
        Budget.builder("tenant-tokens").limit(BudgetUnit.TOKENS, TENANT_TOKENS).policy(Budget.Policy.SHRINK).build(),
        Budget.builder("global-money").scope(BudgetScope.global()).money(Money.usd("4")).build()};
    Budgets budgets = registered(Budgets.builder().clock(clock).build(), small);
    Counts c;
    try (JsonLinesLedger ledger = JsonLinesLedger.builder(dir).fsync(FsyncPolicy.everyNMillis(20)).build()) {
      c = run(budgets, ledger, 8, 30_000);
    }
    LedgerReader.Result read = LedgerReader.read(dir, Instant.parse("2026-03-10T00:00:00Z"), Instant.parse("2026-03-11T00:00:00Z"));
    assertThat(read.skippedLines()).isZero();
    assertThat(read.duplicates()).isZero();
    List<UsageRecord> calls = read.records().stream().filter(r -> !r.isBudgetRejection()).toList();
    assertThat(calls).hasSize((int) c.settled.get());
    assertThat(read.records().size() - calls.size()).isEqualTo(c.rejected.get());
    BigDecimal ledgerSum = calls.stream().map(r -> r.money().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(ledgerSum).isEqualByComparingTo(global(budgets).spent());
    assertThat(checkTenants(budgets, "tenant-money", new BigDecimal("0.05"), false)).isEqualByComparingTo(ledgerSum);
    assertThat(c.rejected.get()).isPositive();
  }
}

package io.costgen.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.CostListener;
import io.costgen.core.FinishReason;
import io.costgen.core.GenerationResult;
import io.costgen.core.testing.FakeTicker;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.RemoteModelPrice;
import io.costgen.cost.RemoteModelPrices;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RemoteCallGuardTest {

  // 1 per 1M input, 0.5 per 1M cached, 4 per 1M output: 1 input token = 0.000001 USD
  static final RemoteModelPrices PRICES = RemoteModelPrices.of(new RemoteModelPrice("remote-m", "test",
      new BigDecimal("1"), new BigDecimal("0.5"), new BigDecimal("4"), Money.USD, LocalDate.of(2026, 12, 1), "test"));

  final ConcurrentLinkedQueue<UsageRecord> ledger = new ConcurrentLinkedQueue<>();
  final List<String> events = Collections.synchronizedList(new ArrayList<>());
  final Meter meter = ledger::add;
  final CostListener listener = new CostListener() {
    @Override public void onStart(CallContext c, CostReport e) { events.add("start " + e.money()); }
    @Override public void onComplete(CallContext c, GenerationResult r) { events.add("complete " + r.cost().money() + " " + r.completion()); }
    @Override public void onError(CallContext c, Throwable t, CostReport p) { events.add("error " + p.money()); }
    @Override public void onCancel(CallContext c, GenerationResult r) { events.add("cancel " + r.cost().money()); }
    @Override public void onBudgetExceeded(CallContext c, BudgetExceededException e) { events.add("exceeded " + e.budgetId()); }
    @Override public void onBudgetWarning(CallContext c, io.costgen.cost.budget.Reservation r, io.costgen.core.BudgetWarning w) {
      events.add("warning " + w + " granted " + r.grantedTokens().orElse(-1));
    }
  };

  RemoteCallGuard guard(Budgets budgets) {
    return RemoteCallGuard.builder().prices(PRICES).budgets(budgets).meter(meter).addListener(listener).build();
  }

  @Test
  void begin_reservesWorstCase_complete_settlesProviderUsage_andRecordsProviderModel() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:1/day"));
    RemoteCallGuard g = guard(budgets);
    CallContext ctx = CallContext.forTenant("acme").withTags(Map.of("feature", "faq"));

    RemoteCall call = g.begin(ctx, "remote-m", 1000, 500);
    // worst case: 1000 × 1/1M + 500 × 4/1M = 0.003
    assertThat(call.worstCase().money()).isEqualTo(Money.usd("0.003"));
    assertThat(reserved(budgets, "acme")).isEqualByComparingTo("0.003");
    assertThat(call.grantedOutputTokens()).isEqualTo(500);

    CostReport r = call.complete(new RemoteUsage(Optional.of("remote-m-2026-11-30"), 600, 200, 100), FinishReason.EOS, "hi");
    // (400 × 1 + 200 × 0.5 + 100 × 4) / 1M = 0.0009
    assertThat(r.money()).isEqualTo(Money.usd("0.0009"));
    BudgetStatus s = status(budgets, "acme");
    assertThat(s.spent()).isEqualByComparingTo("0.0009");
    assertThat(s.reserved()).isZero();

    UsageRecord rec = single();
    assertThat(rec.model()).isEqualTo("remote-m-2026-11-30");
    assertThat(rec.tenantId()).contains("acme");
    assertThat(rec.tags()).containsEntry("feature", "faq");
    assertThat(rec.promptTokens()).isEqualTo(600);
    assertThat(rec.completionTokens()).isEqualTo(100);
    assertThat(rec.money()).isEqualTo(Money.usd("0.0009"));
    assertThat(rec.finishReason()).isEqualTo("eos");
    assertThat(rec.reservationId()).isEqualTo(call.reservation().map(x -> x.id()));
    assertThat(events).containsExactly("start $0.003", "complete $0.0009 hi");

    // a second end is ignored
    assertThat(call.fail(new RuntimeException("late"), null)).isSameAs(r);
    assertThat(ledger).hasSize(1);
  }

  @Test
  void begin_refusedByHardBudget_sendsNothing_recordsRejection_andHoldsNothing() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:0.002/day"));
    RemoteCallGuard g = guard(budgets);
    assertThatThrownBy(() -> g.begin(CallContext.forTenant("acme"), "remote-m", 1000, 500))
        .isInstanceOf(BudgetExceededException.class).hasMessageContaining("acme");
    assertThat(reserved(budgets, "acme")).isZero();
    UsageRecord rec = single();
    assertThat(rec.isBudgetRejection()).isTrue();
    assertThat(events).containsExactly("exceeded money/day@Z/tenant");
  }

  @Test
  void shrinkBudget_lowersTheOutputLimitToWhatItAffords() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:0.002/day,shrink"));
    RemoteCall call = guard(budgets).begin(CallContext.forTenant("t"), "remote-m", 1000, 500);
    // 0.002 - 0.001 input leaves 0.001 = 250 output tokens
    assertThat(call.grantedOutputTokens()).isEqualTo(250);
    assertThat(call.requestedOutputTokens()).isEqualTo(500);
    assertThat(events.get(0)).isEqualTo("warning SHRUNK granted 250");
  }

  @Test
  void fail_withoutReportedUsage_settlesTheInputEstimate_withReported_settlesThat() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:1/day"));
    RemoteCallGuard g = guard(budgets);
    g.begin(CallContext.forTenant("a"), "remote-m", 1000, 500).fail(new IllegalStateException("503"), null);
    assertThat(status(budgets, "a").spent()).isEqualByComparingTo("0.001");
    assertThat(single().error()).contains("IllegalStateException: 503");
    assertThat(single().finishReason()).isEqualTo("error");
    ledger.clear();

    g.begin(CallContext.forTenant("b"), "remote-m", 1000, 500).fail(new RuntimeException("x"), RemoteUsage.of(10, 5));
    assertThat(status(budgets, "b").spent()).isEqualByComparingTo("0.00003");
    assertThat(status(budgets, "b").reserved()).isZero();
  }

  @Test
  void cancel_settlesInputEstimatePlusTheStreamedTextsTokens() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:100000/day"));
    FakeTicker ticker = new FakeTicker();
    RemoteCallGuard g = RemoteCallGuard.builder().prices(PRICES).budgets(budgets).meter(meter).addListener(listener)
        .ticker(ticker).build();
    RemoteCall call = g.begin(CallContext.forTenant("a"), "remote-m", 100, 50);
    ticker.advance(Duration.ofMillis(7));
    call.firstToken();
    ticker.advance(Duration.ofMillis(5));
    call.firstToken(); // only the first counts
    call.cancel(null, "abcdef"); // 6 UTF-8 bytes = 6 tokens
    assertThat(status(budgets, "a").spent()).isEqualByComparingTo("106");
    UsageRecord rec = single();
    assertThat(rec.finishReason()).isEqualTo("cancelled");
    assertThat(rec.timeToFirstToken()).contains(Duration.ofMillis(7));
    assertThat(events).last().asString().startsWith("cancel");
  }

  @Test
  void begin_refusesUnknownModels_currencyMismatch_andMissingOutputLimit() {
    Budgets eur = Budgets.inMemory();
    eur.register(Budget.parse("money:1/day,currency=EUR"));
    RemoteCallGuard g = guard(eur);
    assertThatThrownBy(() -> g.begin(CallContext.forTenant("a"), "gpt-9", 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no price for 'gpt-9'");
    assertThatThrownBy(() -> g.begin(CallContext.forTenant("a"), "remote-m", 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("currency").hasMessageContaining("EUR");
    assertThatThrownBy(() -> g.begin(CallContext.forTenant("a"), "remote-m", 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxOutputTokens");
    assertThat(ledger).isEmpty();
  }

  @Test
  void estimateInputTokens_isAtLeastTheUtf8Bytes_plusOverheads() {
    RemoteCallGuard g = RemoteCallGuard.builder().prices(PRICES).build();
    assertThat(g.estimateInputTokens(List.of("héllo", "abc")))
        .isEqualTo(6 + 3 + 2 * RemoteCallGuard.MESSAGE_OVERHEAD_TOKENS + RemoteCallGuard.REQUEST_OVERHEAD_TOKENS);
  }

  /**
   * 32 threads, 4 tenants, hard money budgets: calls complete with random usage within their
   * grant, fail (with or without usage) or are cancelled. No tenant ever exceeds its limit, and
   * the ledger equals the store exactly, per tenant.
   */
  @Test
  void concurrentCalls_neverExceedAHardLimit_andLedgerEqualsStore() throws Exception {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:0.05/day"));
    budgets.register(Budget.parse("tokens:200000/day,scope=global"));
    RemoteCallGuard g = guard(budgets);
    String[] tenants = {"t0", "t1", "t2", "t3"};
    int threads = 32;
    int callsPerThread = 60;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger over = new AtomicInteger();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      fs.add(pool.submit(() -> {
        SplittableRandom rnd = new SplittableRandom(seed);
        go.await();
        for (int i = 0; i < callsPerThread; i++) {
          String tenant = tenants[rnd.nextInt(tenants.length)];
          long input = 200 + rnd.nextInt(800);
          long maxOut = 100 + rnd.nextInt(400);
          RemoteCall call;
          try {
            call = g.begin(CallContext.forTenant(tenant), "remote-m", input, maxOut);
          } catch (BudgetExceededException e) {
            refused.incrementAndGet();
            continue;
          }
          BudgetStatus now = status(budgets, tenant);
          if (now.spent().add(now.reserved()).compareTo(new BigDecimal("0.05")) > 0) {
            over.incrementAndGet();
          }
          long in = 1 + rnd.nextInt((int) input);
          long out = rnd.nextInt((int) call.grantedOutputTokens() + 1);
          switch (rnd.nextInt(4)) {
            case 0 -> call.fail(new RuntimeException("boom"), rnd.nextBoolean() ? null : RemoteUsage.of(in, out));
            case 1 -> call.cancel(null, "x".repeat(rnd.nextInt(50)));
            default -> call.complete(new RemoteUsage(Optional.empty(), in, rnd.nextInt((int) in + 1), out), FinishReason.EOS, "");
          }
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : fs) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(refused.get()).as("the budgets must bind in this test").isGreaterThan(0);
    assertThat(over.get()).isZero();
    Map<String, BigDecimal> ledgerMoney = new HashMap<>();
    long ledgerTokens = 0;
    for (UsageRecord r : ledger) {
      ledgerMoney.merge(r.tenantId().orElseThrow(), r.money().amount(), BigDecimal::add);
      ledgerTokens += r.promptTokens() + r.completionTokens();
    }
    for (String t : tenants) {
      BudgetStatus s = status(budgets, t);
      assertThat(s.reserved()).as("nothing left held for " + t).isZero();
      assertThat(s.spent()).as("spent " + t).isLessThanOrEqualTo(new BigDecimal("0.05"));
      assertThat(s.spent()).as("ledger = store for " + t).isEqualByComparingTo(ledgerMoney.getOrDefault(t, BigDecimal.ZERO));
    }
    BudgetStatus global = budgets.statusForTenant("t0").stream().filter(s -> s.budgetId().startsWith("tokens") && !s.scopeKey().startsWith("tenant")).findFirst().orElseThrow();
    assertThat(global.spent()).isLessThanOrEqualTo(new BigDecimal("200000"));
    assertThat(global.spent()).isEqualByComparingTo(BigDecimal.valueOf(ledgerTokens));
    assertThat(ledger.stream().filter(UsageRecord::isBudgetRejection).count()).isEqualTo(refused.get());
  }

  private UsageRecord single() {
    assertThat(ledger).hasSize(1);
    return ledger.peek();
  }

  private static BudgetStatus status(Budgets budgets, String tenant) {
    return budgets.statusForTenant(tenant).stream().filter(s -> s.scopeKey().startsWith("tenant"))
        .findFirst().orElseThrow();
  }

  private static BigDecimal reserved(Budgets budgets, String tenant) {
    return status(budgets, tenant).reserved();
  }
}

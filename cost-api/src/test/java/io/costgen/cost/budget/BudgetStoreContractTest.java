package io.costgen.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link BudgetStore} contract. Every store (in-memory, Redis, ...) extends this class and
 * supplies a fresh, empty store; all time is passed explicitly, so the tests need no sleeps.
 */
public abstract class BudgetStoreContractTest {

  /** A fresh, empty store. */
  protected abstract BudgetStore newStore();

  protected BudgetStore store;
  protected static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
  protected static final Instant DAY = Instant.parse("2026-03-10T00:00:00Z");
  protected static final Instant DAY_END = Instant.parse("2026-03-11T00:00:00Z");
  private int ids;

  @BeforeEach
  void setUpStore() {
    store = newStore();
  }

  protected static BudgetStore.Key key(String budget, String scope) {
    return new BudgetStore.Key(budget, "day@Z", scope, DAY);
  }

  protected static BudgetStore.Claim claim(BudgetStore.Key key, String limit, String amount) {
    return new BudgetStore.Claim(key, BudgetUnit.MONEY, key.windowStart(),
        limit == null ? Optional.empty() : Optional.of(new BigDecimal(limit)), new BigDecimal(amount),
        BigDecimal.ZERO, false, DAY_END);
  }

  protected String newId() {
    return "res-" + (++ids);
  }

  protected BudgetStore.ReserveOutcome reserve(Instant now, Duration lease, BudgetStore.Claim... claims) {
    return store.reserve(new BudgetStore.ReserveRequest(newId(), List.of(claims), 0, 0, now, now.plus(lease)));
  }

  private static Map<BudgetUnit, BigDecimal> money(String v) {
    return Map.of(BudgetUnit.MONEY, new BigDecimal(v));
  }

  private BigDecimal used(BudgetStore.Key k, Instant now) {
    return store.totals(k, k.windowStart(), now).used();
  }

  @Test
  void reserve_admitsUpToTheLimitExactly_andRejectsOneUnitMore() {
    BudgetStore.Key k = key("b", "tenant=a");
    assertThat(reserve(T0, Duration.ofMinutes(1), claim(k, "1.00", "0.60"))).isInstanceOf(BudgetStore.Granted.class);
    assertThat(reserve(T0, Duration.ofMinutes(1), claim(k, "1.00", "0.40"))).isInstanceOf(BudgetStore.Granted.class);
    BudgetStore.ReserveOutcome third = reserve(T0, Duration.ofMinutes(1), claim(k, "1.00", "0.000001"));
    assertThat(third).isInstanceOf(BudgetStore.Rejected.class);
    BudgetStore.Rejected r = (BudgetStore.Rejected) third;
    assertThat(r.claimIndex()).isZero();
    assertThat(r.totals().reserved()).isEqualByComparingTo("1.00");
    assertThat(r.totals().spent()).isEqualByComparingTo("0");
    assertThat(r.requested()).isEqualByComparingTo("0.000001");
  }

  @Test
  void reserve_isAllOrNone_whenTheSecondClaimDoesNotFit() {
    BudgetStore.Key tenant = key("tenant-daily", "tenant=a");
    BudgetStore.Key global = key("global", "global");
    reserve(T0, Duration.ofMinutes(1), claim(global, "1.00", "0.90"));
    BudgetStore.ReserveOutcome o =
        reserve(T0, Duration.ofMinutes(1), claim(tenant, "5.00", "0.20"), claim(global, "1.00", "0.20"));
    assertThat(o).isInstanceOf(BudgetStore.Rejected.class);
    assertThat(((BudgetStore.Rejected) o).claimIndex()).isEqualTo(1);
    assertThat(used(tenant, T0)).isEqualByComparingTo("0"); // the tenant claim was not held
    assertThat(used(global, T0)).isEqualByComparingTo("0.90");
  }

  @Test
  void reserve_withoutLimit_neverRejects_butCounts() {
    BudgetStore.Key k = key("soft", "global");
    for (int i = 0; i < 3; i++) {
      assertThat(reserve(T0, Duration.ofMinutes(1), claim(k, null, "1"))).isInstanceOf(BudgetStore.Granted.class);
    }
    BudgetStore.Granted g = (BudgetStore.Granted) reserve(T0, Duration.ofMinutes(1), claim(k, null, "1"));
    assertThat(g.before().get(0).reserved()).isEqualByComparingTo("3");
  }

  @Test
  void reserve_rejectsADuplicateReservationId() {
    BudgetStore.Key k = key("b", "global");
    BudgetStore.ReserveRequest req = new BudgetStore.ReserveRequest("same", List.of(claim(k, "10", "1")), 0, 0, T0,
        T0.plusSeconds(60));
    store.reserve(req);
    assertThatThrownBy(() -> store.reserve(req)).isInstanceOf(IllegalStateException.class).hasMessageContaining("same");
  }

  @Test
  void settle_replacesTheHoldByTheActual_andReleasesTheRest() {
    BudgetStore.Key k = key("b", "global");
    String id = "r1";
    store.reserve(new BudgetStore.ReserveRequest(id, List.of(claim(k, "1", "0.50")), 0, 0, T0, T0.plusSeconds(60)));
    BudgetStore.SettleOutcome o = store.settle(id, money("0.125"), T0.plusSeconds(1));
    assertThat(o.status()).isEqualTo(SettleStatus.SETTLED);
    BudgetStore.Totals t = store.totals(k, DAY, T0.plusSeconds(1));
    assertThat(t.spent()).isEqualByComparingTo("0.125");
    assertThat(t.reserved()).isEqualByComparingTo("0");
    assertThat(o.after().get(0).spent()).isEqualByComparingTo("0.125");
  }

  @Test
  void settle_isIdempotent_aRetriedSettleCountsOnce() {
    BudgetStore.Key k = key("b", "global");
    store.reserve(new BudgetStore.ReserveRequest("r1", List.of(claim(k, "1", "0.50")), 0, 0, T0, T0.plusSeconds(60)));
    assertThat(store.settle("r1", money("0.30"), T0).status()).isEqualTo(SettleStatus.SETTLED);
    assertThat(store.settle("r1", money("0.30"), T0).status()).isEqualTo(SettleStatus.DUPLICATE);
    assertThat(store.settle("r1", money("0.45"), T0).status()).isEqualTo(SettleStatus.DUPLICATE);
    assertThat(store.totals(k, DAY, T0).spent()).isEqualByComparingTo("0.30");
  }

  @Test
  void settle_ofAnUnknownId_changesNothing() {
    assertThat(store.settle("never", money("1"), T0).status()).isEqualTo(SettleStatus.UNKNOWN);
  }

  @Test
  void settle_withAMissingUnit_failsBeforeAnyChange() {
    BudgetStore.Key k = key("b", "global");
    store.reserve(new BudgetStore.ReserveRequest("r1", List.of(claim(k, "1", "0.50")), 0, 0, T0, T0.plusSeconds(60)));
    assertThatThrownBy(() -> store.settle("r1", Map.of(BudgetUnit.TOKENS, BigDecimal.ONE), T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MONEY");
    assertThat(store.settle("r1", money("0.5"), T0).status()).isEqualTo(SettleStatus.SETTLED);
  }

  @Test
  void expiredLease_stopsCountingOnNextAccess_andALateSettleStillRecordsSpend() {
    BudgetStore.Key k = key("b", "global");
    store.reserve(new BudgetStore.ReserveRequest("dead", List.of(claim(k, "1", "0.80")), 0, 0, T0, T0.plusSeconds(30)));
    assertThat(reserve(T0.plusSeconds(29), Duration.ofSeconds(30), claim(k, "1", "0.50")))
        .isInstanceOf(BudgetStore.Rejected.class);
    // lease ends at T0+30 s: the hold no longer counts
    assertThat(store.totals(k, DAY, T0.plusSeconds(30)).reserved()).isEqualByComparingTo("0");
    assertThat(reserve(T0.plusSeconds(30), Duration.ofSeconds(30), claim(k, "1", "0.50")))
        .isInstanceOf(BudgetStore.Granted.class);
    // the "dead" holder comes back and settles late: its spend is recorded, never lost
    BudgetStore.SettleOutcome o = store.settle("dead", money("0.40"), T0.plusSeconds(31));
    assertThat(o.status()).isEqualTo(SettleStatus.SETTLED_AFTER_EXPIRY);
    BudgetStore.Totals t = store.totals(k, DAY, T0.plusSeconds(31));
    assertThat(t.spent()).isEqualByComparingTo("0.40");
    assertThat(t.reserved()).isEqualByComparingTo("0.50");
  }

  @Test
  void sweep_keepsAnUnsettledReservationWhileItsWindowLasts_soALateSettleIsNeverLost() {
    BudgetStore.Key k = key("b", "global");
    store.reserve(new BudgetStore.ReserveRequest("slow", List.of(claim(k, "1", "0.8")), 0, 0, T0, T0.plusSeconds(30)));
    store.sweep(T0.plusSeconds(3600));
    assertThat(store.settle("slow", money("0.7"), T0.plusSeconds(3600)).status())
        .isEqualTo(SettleStatus.SETTLED_AFTER_EXPIRY);
    assertThat(store.totals(k, DAY, T0.plusSeconds(3600)).spent()).isEqualByComparingTo("0.7");
  }

  @Test
  void sweep_freesExpiredHolds() {
    BudgetStore.Key k = key("b", "global");
    store.reserve(new BudgetStore.ReserveRequest("dead", List.of(claim(k, "1", "0.80")), 0, 0, T0, T0.plusSeconds(30)));
    store.sweep(T0.plusSeconds(31));
    assertThat(store.totals(k, DAY, T0.plusSeconds(31)).used()).isEqualByComparingTo("0");
  }

  @Test
  void release_freesTheHold_once_andALaterSettleStillRecords() {
    BudgetStore.Key k = key("b", "global");
    store.reserve(new BudgetStore.ReserveRequest("r1", List.of(claim(k, "1", "0.80")), 0, 0, T0, T0.plusSeconds(30)));
    assertThat(store.release("r1", T0)).isTrue();
    assertThat(store.release("r1", T0)).isFalse();
    assertThat(store.totals(k, DAY, T0).used()).isEqualByComparingTo("0");
    assertThat(store.settle("r1", money("0.10"), T0).status()).isEqualTo(SettleStatus.SETTLED_AFTER_RELEASE);
    assertThat(store.settle("r1", money("0.10"), T0).status()).isEqualTo(SettleStatus.DUPLICATE);
    assertThat(store.totals(k, DAY, T0).spent()).isEqualByComparingTo("0.10");
    assertThat(store.release("r1", T0)).isFalse();
  }

  @Test
  void settledSpend_countsInTheWindowItWasAdmittedTo_evenWhenSettledAfterTheBoundary() {
    BudgetStore.Key today = key("b", "global");
    Instant late = DAY_END.minusSeconds(1);
    store.reserve(new BudgetStore.ReserveRequest("r1", List.of(claim(today, "1", "0.5")), 0, 0, late, late.plusSeconds(60)));
    store.settle("r1", money("0.5"), DAY_END.plusSeconds(5));
    BudgetStore.Key tomorrow = new BudgetStore.Key("b", "day@Z", "global", DAY_END);
    assertThat(store.totals(today, DAY, DAY_END.plusSeconds(5)).spent()).isEqualByComparingTo("0.5");
    assertThat(store.totals(tomorrow, DAY_END, DAY_END.plusSeconds(5)).used()).isEqualByComparingTo("0");
  }

  @Test
  void keys_areIsolated_byBudgetScopeWindowAndStart() {
    BudgetStore.Key a = key("b", "tenant=a");
    reserve(T0, Duration.ofMinutes(1), claim(a, "1", "1"));
    assertThat(used(key("b", "tenant=b"), T0)).isEqualByComparingTo("0");
    assertThat(used(key("c", "tenant=a"), T0)).isEqualByComparingTo("0");
    assertThat(used(new BudgetStore.Key("b", "month@Z", "tenant=a", DAY), T0)).isEqualByComparingTo("0");
    BudgetStore.Key next = new BudgetStore.Key("b", "day@Z", "tenant=a", DAY_END);
    assertThat(store.totals(next, DAY_END, DAY_END).used()).isEqualByComparingTo("0");
  }

  @Test
  void totals_sumEveryBucketFromCountFrom_forRollingWindows() {
    Instant b0 = Instant.parse("2026-03-10T12:00:00Z");
    for (int i = 0; i < 5; i++) {
      BudgetStore.Key k = new BudgetStore.Key("r", "rolling:300s", "global", b0.plusSeconds(5L * i));
      BudgetStore.Claim c = new BudgetStore.Claim(k, BudgetUnit.TOKENS, b0, Optional.of(BigDecimal.valueOf(100)),
          BigDecimal.TEN, BigDecimal.ZERO, false, b0.plusSeconds(400));
      store.reserve(new BudgetStore.ReserveRequest("r" + i, List.of(c), 0, 0, k.windowStart(), k.windowStart().plusSeconds(60)));
      store.settle("r" + i, Map.of(BudgetUnit.TOKENS, BigDecimal.TEN), k.windowStart());
    }
    BudgetStore.Key any = new BudgetStore.Key("r", "rolling:300s", "global", b0);
    assertThat(store.totals(any, b0, b0.plusSeconds(30)).spent()).isEqualByComparingTo("50");
    assertThat(store.totals(any, b0.plusSeconds(10), b0.plusSeconds(30)).spent()).isEqualByComparingTo("30");
  }

  @Test
  void shrink_grantsTheLargestTokenCountThatFits() {
    BudgetStore.Key k = key("b", "global");
    // limit 1.00, fixed 0.10, 0.01 per token: 90 tokens fit
    BudgetStore.Claim c = new BudgetStore.Claim(k, BudgetUnit.MONEY, DAY, Optional.of(new BigDecimal("1.00")),
        new BigDecimal("0.10"), new BigDecimal("0.01"), true, DAY_END);
    BudgetStore.ReserveOutcome o = store.reserve(new BudgetStore.ReserveRequest("s1", List.of(c), 500, 1, T0, T0.plusSeconds(60)));
    BudgetStore.Granted g = (BudgetStore.Granted) o;
    assertThat(g.tokens()).isEqualTo(90);
    assertThat(g.amounts().get(0)).isEqualByComparingTo("1.00");
    // nothing left: even the minimum of 1 token is refused
    BudgetStore.ReserveOutcome o2 = store.reserve(new BudgetStore.ReserveRequest("s2", List.of(c), 500, 1, T0, T0.plusSeconds(60)));
    assertThat(o2).isInstanceOf(BudgetStore.Rejected.class);
    assertThat(((BudgetStore.Rejected) o2).requested()).isEqualByComparingTo("0.11");
  }

  @Test
  void shrink_nonShrinkableClaimsMustFitAtTheGrantedCount() {
    BudgetStore.Key a = key("shrinker", "global");
    BudgetStore.Key b = key("rejecter", "global");
    BudgetStore.Claim shrink = new BudgetStore.Claim(a, BudgetUnit.MONEY, DAY, Optional.of(new BigDecimal("1.00")),
        BigDecimal.ZERO, new BigDecimal("0.01"), true, DAY_END); // affords 100
    BudgetStore.Claim reject = new BudgetStore.Claim(b, BudgetUnit.TOKENS, DAY, Optional.of(new BigDecimal("50")),
        BigDecimal.ZERO, BigDecimal.ONE, false, DAY_END); // affords 50, but may not shrink
    BudgetStore.ReserveOutcome o = store.reserve(new BudgetStore.ReserveRequest("x", List.of(shrink, reject), 500, 1, T0, T0.plusSeconds(60)));
    assertThat(o).isInstanceOf(BudgetStore.Rejected.class);
    assertThat(((BudgetStore.Rejected) o).claimIndex()).isEqualTo(1);
    assertThat(((BudgetStore.Rejected) o).requested()).isEqualByComparingTo("100");
    assertThat(used(a, T0)).isEqualByComparingTo("0");
  }

  @Test
  void markAlert_isTrueOnlyTheFirstTimePerKeyAndAlert() {
    BudgetStore.Key k = key("b", "global");
    assertThat(store.markAlert(k, "threshold:0.5", DAY_END)).isTrue();
    assertThat(store.markAlert(k, "threshold:0.5", DAY_END)).isFalse();
    assertThat(store.markAlert(k, "threshold:0.8", DAY_END)).isTrue();
    assertThat(store.markAlert(new BudgetStore.Key("b", "day@Z", "global", DAY_END), "threshold:0.5", DAY_END.plusSeconds(86400))).isTrue();
  }

  @Test
  void sweep_forgetsEndedWindows_butNotLiveOnes() {
    BudgetStore.Key k = key("b", "global");
    store.reserve(new BudgetStore.ReserveRequest("r1", List.of(claim(k, "1", "0.5")), 0, 0, T0, T0.plusSeconds(60)));
    store.settle("r1", money("0.5"), T0);
    store.sweep(T0.plusSeconds(3600));
    assertThat(store.totals(k, DAY, T0.plusSeconds(3600)).spent()).isEqualByComparingTo("0.5");
    // a retry after the lease: DUPLICATE, or UNKNOWN once forgotten; either way it counts nothing
    assertThat(store.settle("r1", money("0.5"), T0.plusSeconds(3600)).status())
        .isIn(SettleStatus.DUPLICATE, SettleStatus.UNKNOWN);
    assertThat(store.totals(k, DAY, T0.plusSeconds(3600)).spent()).isEqualByComparingTo("0.5");
    store.sweep(DAY_END);
    assertThat(store.totals(k, DAY, DAY_END).spent()).isEqualByComparingTo("0");
  }

  @Test
  void concurrentReservesOnOneKey_neverAdmitMoreThanTheLimit() throws Exception {
    BudgetStore.Key k = key("hot", "global");
    BudgetStore.Key other = key("other", "tenant=x");
    int threads = 8;
    int perThread = 2_000;
    AtomicLong granted = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String id = "c-" + tt + "-" + i;
            BudgetStore.ReserveOutcome o = store.reserve(new BudgetStore.ReserveRequest(id,
                List.of(claim(k, "100", "1"), claim(other, null, "1")), 0, 0, T0, T0.plusSeconds(600)));
            if (o instanceof BudgetStore.Granted) {
              granted.incrementAndGet();
              if (ThreadLocalRandom.current().nextBoolean()) {
                store.release(id, T0); // frees room for others
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    BudgetStore.Totals t = store.totals(k, DAY, T0);
    assertThat(t.used()).isLessThanOrEqualTo(new BigDecimal("100"));
    assertThat(t.spent()).isEqualByComparingTo("0");
    assertThat(granted.get()).isGreaterThanOrEqualTo(100);
  }

  /** Issue 11 defect 8: "\uD800x", "\uDFFFx" and "?x" shared one Redis counter (lone surrogates became '?'). */
  @Test
  void malformedUtf16_isRefused_andDistinctWellFormedTenantsNeverShareACounter() {
    assertThatThrownBy(() -> key("b", "tenant=\uD800x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scopeKey").hasMessageContaining("U+D800");
    assertThatThrownBy(() -> key("b", "tenant=\uDFFFx")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+DFFF");
    assertThatThrownBy(() -> key("b\uD800", "global")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("budgetId");
    BudgetStore.Key question = key("b", "tenant=?x");
    BudgetStore.Key emoji = key("b", "tenant=\uD83D\uDE00x");
    BudgetStore.Key replacement = key("b", "tenant=\uFFFDx");
    reserve(T0, Duration.ofMinutes(1), claim(question, "10", "1"));
    reserve(T0, Duration.ofMinutes(1), claim(emoji, "10", "2"));
    reserve(T0, Duration.ofMinutes(1), claim(replacement, "10", "4"));
    assertThat(used(question, T0)).isEqualByComparingTo("1");
    assertThat(used(emoji, T0)).isEqualByComparingTo("2");
    assertThat(used(replacement, T0)).isEqualByComparingTo("4");
  }

  /** Issue 11 defect 10: an amount such as 1e-1000000 is refused before it reaches a counter. */
  @Test
  void amountsOutsideTheRange_areRefused_andLeaveTheCountersUntouched() {
    BudgetStore.Key k = key("b", "global");
    assertThatThrownBy(() -> claim(k, "10", "1e-1000000")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("fixed: ");
    assertThatThrownBy(() -> claim(k, "1e40", "1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("limit: ");
    String id = newId();
    store.reserve(new BudgetStore.ReserveRequest(id, List.of(claim(k, "10", "1")), 0, 0, T0, T0.plusSeconds(60)));
    assertThatThrownBy(() -> store.settle(id, money("1e-1000000"), T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1000000");
    assertThat(store.totals(k, DAY, T0).reserved()).isEqualByComparingTo("1");
    assertThat(store.settle(id, money("0.5"), T0).status()).isEqualTo(SettleStatus.SETTLED);
    assertThat(store.totals(k, DAY, T0).spent()).isEqualByComparingTo("0.5");
  }
}

package io.costgen.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.Usage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetsTest {

  private static final Duration LEASE = Duration.ofMinutes(5);
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private final MutableClock clock = MutableClock.at("2026-03-10T12:00:00Z");
  private final List<String> events = new ArrayList<>();
  private final BudgetListener recorder = new BudgetListener() {
    @Override
    public void onThreshold(Budget budget, BudgetStatus status, double threshold) {
      events.add("threshold " + budget.id() + " " + status.tenantId().orElse("-") + " " + threshold);
    }

    @Override
    public void onExceeded(BudgetExceededException e) {
      events.add((e.soft() ? "soft " : "hard ") + e.budgetId());
    }
  };

  private Budgets budgets(Budget... bs) {
    Budgets budgets = Budgets.builder().clock(clock).listener(recorder).build();
    for (Budget b : bs) {
      budgets.register(b);
    }
    return budgets;
  }

  private static Map<BudgetUnit, BigDecimal> usd(String amount) {
    return Map.of(BudgetUnit.MONEY, new BigDecimal(amount));
  }

  private static Map<BudgetUnit, BigDecimal> usdAndTokens(String amount, long tokens) {
    return Map.of(BudgetUnit.MONEY, new BigDecimal(amount), BudgetUnit.TOKENS, BigDecimal.valueOf(tokens));
  }

  private static final CallContext ACME = CallContext.forTenant("acme");
  private static final CallContext GLOBEX = CallContext.forTenant("globex");

  @Test
  void reserve_thenSettle_belowTheEstimate_releasesTheRest() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    Reservation r = b.reserve(ACME, "gpt2", usd("0.40"), LEASE);
    assertThat(r.reserved(BudgetUnit.MONEY)).isEqualByComparingTo("0.40");
    assertThat(spentAndReserved(b, ACME)).containsExactly("0", "0.4");
    assertThat(b.settle(r.id(), usd("0.15"))).isEqualTo(SettleStatus.SETTLED);
    assertThat(spentAndReserved(b, ACME)).containsExactly("0.15", "0");
    assertThat(b.statusForTenant("acme").get(0).remaining()).isEqualByComparingTo("0.85");
  }

  private static List<String> spentAndReserved(Budgets b, CallContext ctx) {
    BudgetStatus s = b.status(ctx, "gpt2").get(0);
    return List.of(s.spent().stripTrailingZeros().toPlainString(), s.reserved().stripTrailingZeros().toPlainString());
  }

  @Test
  void reserve_thatDoesNotFit_throwsWithTenantBudgetAmountsAndReset() {
    Budgets b = budgets(Budget.parse("money:1/day@Europe/Berlin,id=daily"));
    Reservation first = b.reserve(ACME, "gpt2", usd("0.70"), LEASE);
    b.settle(first.id(), usd("0.60"));
    b.reserve(ACME, "gpt2", usd("0.30"), LEASE);
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.25"), LEASE))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
          assertThat(e.tenantId()).contains("acme");
          assertThat(e.budgetId()).isEqualTo("daily");
          assertThat(e.limit()).isEqualByComparingTo("1");
          assertThat(e.spent()).isEqualByComparingTo("0.60");
          assertThat(e.reserved()).isEqualByComparingTo("0.30");
          assertThat(e.requested()).isEqualByComparingTo("0.25");
          assertThat(e.remaining()).isEqualByComparingTo("0.10");
          assertThat(e.resetsAt()).contains(Instant.parse("2026-03-10T23:00:00Z")); // Berlin midnight
          assertThat(e.getMessage()).contains("tenant 'acme'", "requested $0.25", "limit $1.00", "spent $0.60",
              "reserved $0.30", "remaining $0.10", "2026-03-10T23:00:00Z");
        });
    assertThat(events).containsExactly("hard daily");
    // other tenants have their own counter
    assertThat(b.reserve(GLOBEX, "gpt2", usd("1.00"), LEASE)).isNotNull();
  }

  @Test
  void reserve_isAllOrNone_acrossTenantAndGlobalBudgets() {
    Budgets b = budgets(Budget.parse("money:1/day,id=tenant"), Budget.parse("money:1.5/day,scope=global,id=global"));
    b.reserve(ACME, "gpt2", usd("0.9"), LEASE);
    assertThatThrownBy(() -> b.reserve(GLOBEX, "gpt2", usd("0.9"), LEASE))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> assertThat(e.budgetId()).isEqualTo("global"));
    // globex's tenant counter was not touched by the refused call
    BudgetStatus globexTenant = b.status(GLOBEX, "gpt2").stream().filter(s -> s.budgetId().equals("tenant")).findFirst().get();
    assertThat(globexTenant.reserved()).isEqualByComparingTo("0");
    assertThat(b.reserve(GLOBEX, "gpt2", usd("0.6"), LEASE)).isNotNull();
  }

  @Test
  void settle_isIdempotent_andCountsOnce() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    Reservation r = b.reserve(ACME, "gpt2", usd("0.5"), LEASE);
    assertThat(b.settle(r.id(), usd("0.3"))).isEqualTo(SettleStatus.SETTLED);
    assertThat(b.settle(r.id(), usd("0.3"))).isEqualTo(SettleStatus.DUPLICATE);
    assertThat(spentAndReserved(b, ACME)).containsExactly("0.3", "0");
  }

  @Test
  void settle_ofAnUnknownReservation_isANoOpThatSaysSo() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    assertThat(b.settle("r-nope", usd("0.3"))).isEqualTo(SettleStatus.UNKNOWN);
    assertThat(b.release("r-nope")).isFalse();
  }

  @Test
  void crashedHolder_reservationIsFreedWhenItsLeaseExpires() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    b.reserve(ACME, "gpt2", usd("0.9"), Duration.ofSeconds(30)); // holder dies, never settles
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.5"), LEASE)).isInstanceOf(BudgetExceededException.class);
    clock.advance(Duration.ofSeconds(29));
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.5"), LEASE)).isInstanceOf(BudgetExceededException.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(b.reserve(ACME, "gpt2", usd("0.5"), LEASE)).isNotNull();
  }

  @Test
  void lateSettle_afterLeaseExpiry_stillRecordsTheSpend() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    Reservation slow = b.reserve(ACME, "gpt2", usd("0.6"), Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(11));
    Reservation other = b.reserve(ACME, "gpt2", usd("0.9"), LEASE); // the expired hold no longer counts
    assertThat(b.settle(slow.id(), usd("0.4"))).isEqualTo(SettleStatus.SETTLED_AFTER_EXPIRY);
    assertThat(spentAndReserved(b, ACME)).containsExactly("0.4", "0.9"); // over the limit, but no spend is lost
    assertThat(b.settle(other.id(), usd("0.5"))).isEqualTo(SettleStatus.SETTLED);
    assertThat(spentAndReserved(b, ACME)).containsExactly("0.9", "0");
  }

  @Test
  void release_freesTheHold_andAFollowingSettleStillRecords() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    Reservation r = b.reserve(ACME, "gpt2", usd("0.6"), LEASE);
    assertThat(b.release(r.id())).isTrue();
    assertThat(spentAndReserved(b, ACME)).containsExactly("0", "0");
    assertThat(b.settle(r.id(), usd("0.1"))).isEqualTo(SettleStatus.SETTLED_AFTER_RELEASE);
    assertThat(spentAndReserved(b, ACME)).containsExactly("0.1", "0");
  }

  @Test
  void partialUsage_settledAfterAFailure_countsOnlyWhatWasUsed() {
    Budgets b = budgets(Budget.parse("tokens:1000/day"));
    Reservation r = b.reserve(ACME, "gpt2", Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(600)), LEASE);
    // generation failed after 37 tokens
    b.settle(r.id(), Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(37)));
    assertThat(spentAndReserved(b, ACME)).containsExactly("37", "0");
    assertThat(b.reserve(ACME, "gpt2", Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(963)), LEASE)).isNotNull();
  }

  @Test
  void reservation_coversChecksRunningTotalsWithoutTheStore() {
    Budgets b = budgets(Budget.parse("tokens:1000/day"));
    Reservation r = b.reserve(ACME, "gpt2", Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(100)), LEASE);
    assertThat(r.covers(BudgetUnit.TOKENS, BigDecimal.valueOf(100))).isTrue();
    assertThat(r.covers(BudgetUnit.TOKENS, BigDecimal.valueOf(101))).isFalse();
    assertThat(r.remaining(BudgetUnit.TOKENS, BigDecimal.valueOf(40))).isEqualByComparingTo("60");
    assertThat(r.covers(BudgetUnit.MONEY, BigDecimal.TEN)).isTrue(); // not held: not limited
  }

  @Test
  void shrinkPolicy_capsNewTokensToWhatTheRemainingBudgetAffords() {
    Budgets b = budgets(Budget.parse("tokens:1000/day,shrink"));
    b.settle(b.reserve(ACME, "gpt2", Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(850)), LEASE).id(),
        Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(850)));
    // prompt of 20 tokens, 1 token per step, up to 500 new tokens: 130 fit
    CallEstimate est = CallEstimate.perToken(Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(20)),
        Map.of(BudgetUnit.TOKENS, BigDecimal.ONE), 500, 1);
    assertThat(b.affordableTokens(ACME, "gpt2", est)).hasValue(130);
    Reservation r = b.reserve(ACME, "gpt2", est, LEASE);
    assertThat(r.grantedTokens()).hasValue(130);
    assertThat(r.reserved(BudgetUnit.TOKENS)).isEqualByComparingTo("150");
    assertThat(b.affordableTokens(ACME, "gpt2", est)).isEmpty();
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", est, LEASE))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> assertThat(e.requested()).isEqualByComparingTo("21"));
  }

  @Test
  void rejectPolicy_withAPerTokenEstimate_refusesInsteadOfShrinking() {
    Budgets b = budgets(Budget.parse("tokens:100/day"));
    CallEstimate est = CallEstimate.perToken(Map.of(BudgetUnit.TOKENS, BigDecimal.TEN),
        Map.of(BudgetUnit.TOKENS, BigDecimal.ONE), 500, 1);
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", est, LEASE)).isInstanceOf(BudgetExceededException.class);
    assertThat(b.affordableTokens(ACME, "gpt2", est)).hasValue(90);
  }

  @Test
  void perCallBudget_checksEachCallAlone_andShrinksWhenAsked() {
    Budgets b = budgets(Budget.parse("money:0.10/call"));
    for (int i = 0; i < 5; i++) {
      b.settle(b.reserve(ACME, "gpt2", usd("0.10"), LEASE).id(), usd("0.10")); // nothing accumulates
    }
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.11"), LEASE))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
          assertThat(e.resetsAt()).isEmpty();
          assertThat(e.getMessage()).contains("per-call limit");
        });
    Budgets s = budgets(Budget.parse("money:0.10/call,shrink"));
    CallEstimate est = CallEstimate.perToken(usd("0.01"), usd("0.001"), 1000, 1);
    assertThat(s.reserve(ACME, "gpt2", est, LEASE).grantedTokens()).hasValue(90);
  }

  @Test
  void softBudget_letsTheCallThrough_andTellsTheListener() {
    Budgets b = budgets(Budget.parse("money:1/day,soft,id=soft"));
    b.reserve(ACME, "gpt2", usd("0.8"), LEASE);
    Reservation over = b.reserve(ACME, "gpt2", usd("0.8"), LEASE);
    assertThat(over).isNotNull();
    assertThat(events).containsExactly("soft soft");
  }

  @Test
  void alertThresholds_fireOncePerWindow_andAgainInTheNextWindow() {
    Budgets b = budgets(Budget.parse("money:1/day,alerts=0.5:0.8:1,id=d"));
    b.settle(b.reserve(ACME, "gpt2", usd("0.4"), LEASE).id(), usd("0.4"));
    assertThat(events).isEmpty();
    b.settle(b.reserve(ACME, "gpt2", usd("0.2"), LEASE).id(), usd("0.2"));
    assertThat(events).containsExactly("threshold d acme 0.5");
    b.settle(b.reserve(ACME, "gpt2", usd("0.01"), LEASE).id(), usd("0.01"));
    assertThat(events).containsExactly("threshold d acme 0.5");
    b.settle(b.reserve(ACME, "gpt2", usd("0.39"), LEASE).id(), usd("0.39"));
    assertThat(events).containsExactly("threshold d acme 0.5", "threshold d acme 0.8", "threshold d acme 1.0");
    b.settle(b.reserve(GLOBEX, "gpt2", usd("0.5"), LEASE).id(), usd("0.5"));
    assertThat(events).hasSize(4).last().isEqualTo("threshold d globex 0.5");
    events.clear();
    clock.set(Instant.parse("2026-03-11T00:00:00Z"));
    b.settle(b.reserve(ACME, "gpt2", usd("0.6"), LEASE).id(), usd("0.6"));
    assertThat(events).containsExactly("threshold d acme 0.5");
  }

  @Test
  void thresholdsFireOnce_evenAcrossTwoBudgetsInstancesSharingAStore() {
    BudgetStore shared = BudgetStore.inMemory();
    Budget d = Budget.parse("money:1/day,alerts=0.5,id=d");
    Budgets one = Budgets.builder().clock(clock).store(shared).listener(recorder).build().register(d);
    Budgets two = Budgets.builder().clock(clock).store(shared).listener(recorder).build().register(d);
    one.settle(one.reserve(ACME, "gpt2", usd("0.6"), LEASE).id(), usd("0.6"));
    two.settle(two.reserve(ACME, "gpt2", usd("0.1"), LEASE).id(), usd("0.1"));
    assertThat(events).containsExactly("threshold d acme 0.5");
  }

  @Test
  void calendarDay_inBerlin_resetsAtLocalMidnight_acrossTheSpringDstChange() {
    clock.set(Instant.parse("2026-03-29T21:59:59Z")); // 23:59:59 CEST, on the 23-hour day
    Budgets b = budgets(Budget.parse("money:1/day@Europe/Berlin"));
    b.settle(b.reserve(ACME, "gpt2", usd("1"), LEASE).id(), usd("1"));
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.01"), LEASE))
        .isInstanceOfSatisfying(BudgetExceededException.class,
            e -> assertThat(e.resetsAt()).contains(Instant.parse("2026-03-29T22:00:00Z")));
    clock.advance(Duration.ofSeconds(1)); // 00:00 CEST, March 30
    assertThat(b.reserve(ACME, "gpt2", usd("1"), LEASE)).isNotNull();
  }

  @Test
  void calendarDay_inNewYork_doesNotResetAtUtcMidnight() {
    clock.set(Instant.parse("2026-11-01T23:30:00Z")); // 18:30 EST, Nov 1 (the 25-hour day)
    Budgets b = budgets(Budget.parse("money:1/day@America/New_York"));
    b.settle(b.reserve(ACME, "gpt2", usd("1"), LEASE).id(), usd("1"));
    clock.set(Instant.parse("2026-11-02T00:30:00Z")); // UTC day changed, New York day did not
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.01"), LEASE)).isInstanceOf(BudgetExceededException.class);
    clock.set(Instant.parse("2026-11-02T05:00:00Z")); // 00:00 EST, Nov 2
    assertThat(b.reserve(ACME, "gpt2", usd("1"), LEASE)).isNotNull();
  }

  @Test
  void monthlyBudget_resetsOnTheFirst_afterFebruary29_2028() {
    clock.set(Instant.parse("2028-02-29T22:00:00Z"));
    Budgets b = budgets(Budget.parse("money:1/month"));
    b.settle(b.reserve(ACME, "gpt2", usd("1"), LEASE).id(), usd("1"));
    clock.set(Instant.parse("2028-02-29T23:59:59Z"));
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.01"), LEASE)).isInstanceOf(BudgetExceededException.class);
    clock.set(Instant.parse("2028-03-01T00:00:00Z"));
    assertThat(b.reserve(ACME, "gpt2", usd("1"), LEASE)).isNotNull();
  }

  @Test
  void budgetCreatedMidWindow_resetsAtTheCalendarBoundary_notOneWindowAfterCreation() {
    clock.set(Instant.parse("2026-03-10T15:00:00Z"));
    Budgets b = budgets(Budget.parse("money:1/day"));
    b.settle(b.reserve(ACME, "gpt2", usd("1"), LEASE).id(), usd("1"));
    assertThat(b.statusForTenant("acme").get(0).resetsAt()).contains(Instant.parse("2026-03-11T00:00:00Z"));
    clock.set(Instant.parse("2026-03-11T00:00:00Z"));
    assertThat(b.statusForTenant("acme").get(0).spent()).isEqualByComparingTo("0");
    assertThat(b.reserve(ACME, "gpt2", usd("1"), LEASE)).isNotNull();
  }

  @Test
  void changingALimitMidWindow_keepsTheSpendAlreadyCounted() {
    Budget daily = Budget.parse("money:1/day,id=d");
    Budgets b = budgets(daily);
    b.settle(b.reserve(ACME, "gpt2", usd("0.7"), LEASE).id(), usd("0.7"));
    b.register(daily.withLimit(new BigDecimal("0.5"))); // lowered below what was spent
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.01"), LEASE))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
          assertThat(e.spent()).isEqualByComparingTo("0.7");
          assertThat(e.remaining()).isEqualByComparingTo("0");
        });
    b.register(daily.withLimit(new BigDecimal("2"))); // raised: the same spend, more room
    assertThat(b.statusForTenant("acme").get(0).remaining()).isEqualByComparingTo("1.3");
    assertThat(b.reserve(ACME, "gpt2", usd("1.3"), LEASE)).isNotNull();
  }

  @Test
  void rollingWindow_releasesSpendOnlyAfterTheWindowLength() {
    Budgets b = budgets(Budget.parse("tokens:100/rolling:10m"));
    Map<BudgetUnit, BigDecimal> hundred = Map.of(BudgetUnit.TOKENS, BigDecimal.valueOf(100));
    b.settle(b.reserve(ACME, "gpt2", hundred, LEASE).id(), hundred);
    clock.advance(Duration.ofMinutes(10).minusSeconds(1));
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", Map.of(BudgetUnit.TOKENS, BigDecimal.ONE), LEASE))
        .isInstanceOf(BudgetExceededException.class);
    clock.advance(Duration.ofSeconds(21)); // 10 min + 2 buckets of 10 s at most
    assertThat(b.reserve(ACME, "gpt2", hundred, LEASE)).isNotNull();
  }

  @Test
  void anonymousCalls_areCountedInTheAnonymousTenantCounter_notExempt() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    b.reserve(CallContext.anonymous(), "gpt2", usd("1"), LEASE);
    assertThatThrownBy(() -> b.reserve(CallContext.anonymous(), "gpt2", usd("0.01"), LEASE))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
          assertThat(e.tenantId()).isEmpty();
          assertThat(e.getMessage()).contains("anonymous tenant");
        });
  }

  @Test
  void tagAndModelScopes_applyOnlyToMatchingCalls() {
    Budgets b = budgets(Budget.parse("tokens:10/day,scope=tag:team=search,id=search"),
        Budget.parse("tokens:10/day,scope=tenant+model:llama,id=llama"));
    CallContext search = ACME.withTags(Map.of("team", "search"));
    assertThat(b.applicableTo(search, "gpt2")).extracting(Budget::id).containsExactly("search");
    assertThat(b.applicableTo(ACME, "llama")).extracting(Budget::id).containsExactly("llama");
    assertThat(b.applicableTo(ACME, "gpt2")).isEmpty();
    Reservation free = b.reserve(ACME, "gpt2", Map.of(), LEASE); // no budget applies: no amounts needed
    assertThat(b.settle(free.id(), Map.of())).isEqualTo(SettleStatus.SETTLED);
  }

  @Test
  void reserve_withoutAnAmountForALimitedUnit_isAnError_notAFreePass() {
    Budgets b = budgets(Budget.parse("tokens:10/day,id=t"));
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.01"), LEASE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no TOKENS amount").hasMessageContaining("'t'");
  }

  @Test
  void costReports_areConverted_andTheirCurrencyChecked() {
    Budgets b = budgets(Budget.parse("money:1/day"), Budget.parse("tokens:1000/day"));
    Usage usage = Usage.builder().modelName("gpt2").promptTokens(10).completionTokens(90).build();
    CostReport est = new CostReport(usage, 0, 0, 0, Money.usd("0.25"), "test");
    Reservation r = b.reserve(ACME, "gpt2", est, LEASE);
    assertThat(r.reserved(BudgetUnit.TOKENS)).isEqualByComparingTo("100");
    assertThat(b.settle(r.id(), est)).isEqualTo(SettleStatus.SETTLED);
    CostReport eur = new CostReport(usage, 0, 0, 0, Money.of(BigDecimal.ONE, Currency.getInstance("EUR")), "test");
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", eur, LEASE)).hasMessageStartingWith("currency:");
    assertThatThrownBy(() -> b.register(Budget.parse("money:1/day,currency=EUR,id=eur")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("share a currency");
  }

  @Test
  void badArguments_failFastWithTheField() {
    Budgets b = budgets(Budget.parse("money:1/day"));
    assertThatThrownBy(() -> b.reserve(ACME, "", usd("0.1"), LEASE)).hasMessageStartingWith("model:");
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.1"), Duration.ZERO)).hasMessageStartingWith("lease:");
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("-0.1"), LEASE)).hasMessageContaining("must be >= 0");
    assertThatThrownBy(() -> CallContext.forTenant("")).hasMessageStartingWith("tenantId: must not be empty");
    assertThatThrownBy(() -> CallContext.forTenant("a\u0000")).hasMessageContaining("U+0000");
  }

  @Test
  void aThrowingListener_neverBreaksAccounting() {
    Budgets b = Budgets.builder().clock(clock).listener(new BudgetListener() {
      @Override
      public void onThreshold(Budget budget, BudgetStatus status, double threshold) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void onExceeded(BudgetExceededException e) {
        throw new IllegalStateException("boom");
      }
    }).build().register(Budget.parse("money:1/day,alerts=0.5"));
    b.settle(b.reserve(ACME, "gpt2", usd("0.9"), LEASE).id(), usd("0.9"));
    assertThatThrownBy(() -> b.reserve(ACME, "gpt2", usd("0.2"), LEASE)).isInstanceOf(BudgetExceededException.class);
    assertThat(b.statusForTenant("acme").get(0).spent()).isEqualByComparingTo("0.9");
  }

  @Test
  void sweep_dropsEndedWindows_andKeepsTheLedgerSmall() {
    BudgetStore store = BudgetStore.inMemory();
    Budgets b = Budgets.builder().clock(clock).store(store).build().register(Budget.parse("money:1/hour"));
    for (int i = 0; i < 10; i++) {
      b.settle(b.reserve(CallContext.forTenant("t" + i), "gpt2", usd("0.1"), LEASE).id(), usd("0.1"));
    }
    assertThat(((io.costgen.cost.budget.internal.InMemoryBudgetStore) store).size()).isEqualTo(20);
    clock.advance(Duration.ofHours(2));
    assertThat(b.sweep()).isEqualTo(20);
    assertThat(((io.costgen.cost.budget.internal.InMemoryBudgetStore) store).size()).isZero();
    assertThat(b.statusForTenant("t0").get(0).spent()).isEqualByComparingTo("0");
  }

  /** currency() is kept with the registry (it is read on every reserve and settle, not recomputed). */
  @Test
  void currency_followsRegisterReplaceAndRemove() {
    Budgets b = Budgets.inMemory();
    assertThat(b.currency()).isEmpty();
    b.register(Budget.parse("tokens:100/day,id=t"));
    assertThat(b.currency()).as("no money budget").isEmpty();
    b.register(Budget.parse("money:1/day,currency=eur,id=m"));
    assertThat(b.currency()).contains(Currency.getInstance("EUR"));
    b.register(Budget.parse("money:2/day,currency=usd,id=m")); // replacing the only money budget
    assertThat(b.currency()).contains(Money.USD);
    assertThatThrownBy(() -> b.register(Budget.parse("money:1/day,currency=eur,id=other")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(b.currency()).as("a refused budget changes nothing").contains(Money.USD);
    assertThat(b.remove("m")).isTrue();
    assertThat(b.currency()).isEmpty();
    CostReport eur = new CostReport(Usage.none(), 0, 0, 0, Money.of(new BigDecimal("1"), Currency.getInstance("EUR")), "test");
    assertThat(b.amountsOf(eur).get(BudgetUnit.MONEY)).as("no money budget: any currency").isEqualByComparingTo("1");
    b.register(Budget.parse("money:1/day,currency=usd,id=u"));
    assertThatThrownBy(() -> b.amountsOf(eur)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("currency");
  }
}

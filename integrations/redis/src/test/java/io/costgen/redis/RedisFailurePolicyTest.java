package io.costgen.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.BudgetStoreUnavailableException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.FailurePolicy;
import io.costgen.cost.budget.MutableClock;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.budget.SettleStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Redis killed ({@code SIGKILL}) and restarted mid-run, on a server that keeps what it
 * acknowledged (append-only file, {@code appendfsync always}): under FAIL_CLOSED calls are refused
 * while it is down and work after; under FAIL_OPEN calls are admitted while it is down and
 * reconciled after. In both, Redis's spend ends equal to the sum of every settle, exactly.
 */
class RedisFailurePolicyTest {

  private static final CallContext ACME = CallContext.forTenant("acme");
  private static final Duration LEASE = Duration.ofMinutes(5);

  private static Budgets budgets(RedisBudgetStore store) {
    // a fixed clock: leases never run out during the test, so every hold is the test's doing
    return Budgets.builder().store(store).clock(MutableClock.at("2026-03-10T12:00:00Z"))
        .build()
        .register(Budget.parse("money:2/day,id=tenant-daily"))
        .register(Budget.parse("money:10/day,scope=global,id=global-daily"));
  }

  private static RedisBudgetStore store(RedisServer server, FailurePolicy policy) {
    return RedisBudgetStore.builder(server.uri()).keyPrefix("fp:").failurePolicy(policy)
        .commandTimeout(Duration.ofMillis(500)).reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200)).build();
  }

  private static Map<BudgetUnit, BigDecimal> usd(String v) {
    return Map.of(BudgetUnit.MONEY, new BigDecimal(v));
  }

  private static BudgetStatus status(Budgets b, String budgetId) {
    return b.status(ACME, "m").stream().filter(s -> s.budgetId().equals(budgetId)).findFirst().orElseThrow();
  }

  /** Polls until {@code done} (bounded: the test fails rather than hanging). */
  private static void awaitTrue(String what, BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      if (done.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("gave up waiting: " + what);
  }

  @Test
  void failClosed_refusesWhileRedisIsDown_worksAfterRestart_andKeepsEverySettle() throws Exception {
    try (RedisServer server = RedisServer.startDurable(); RedisBudgetStore store = store(server, FailurePolicy.FAIL_CLOSED)) {
      Budgets budgets = budgets(store);
      Reservation r1 = budgets.reserve(ACME, "m", usd("1.00"), LEASE);
      assertThat(budgets.settle(r1.id(), usd("0.40"))).isEqualTo(SettleStatus.SETTLED);
      Reservation r2 = budgets.reserve(ACME, "m", usd("0.50"), LEASE);

      server.kill();
      assertThatThrownBy(() -> budgets.reserve(ACME, "m", usd("0.01"), LEASE))
          .isInstanceOf(BudgetStoreUnavailableException.class).hasMessageContaining("Redis");
      assertThatThrownBy(() -> budgets.status(ACME, "m")).isInstanceOf(BudgetStoreUnavailableException.class);
      assertThat(store.isAvailable()).isFalse();
      // a settle while down is queued, never lost
      assertThat(budgets.settle(r2.id(), usd("0.30"))).isEqualTo(SettleStatus.SETTLED);
      assertThat(store.pendingReplays()).isEqualTo(1);
      assertThatThrownBy(() -> budgets.reserve(ACME, "m", usd("0.01"), LEASE))
          .isInstanceOf(BudgetStoreUnavailableException.class);

      server.start();
      List<Reservation> after = new ArrayList<>();
      awaitTrue("a reservation after the restart", () -> {
        try {
          after.add(budgets.reserve(ACME, "m", usd("0.25"), LEASE));
          return true;
        } catch (BudgetStoreUnavailableException e) {
          return false;
        }
      });
      assertThat(store.pendingReplays()).isZero();
      assertThat(store.isAvailable()).isTrue();
      BudgetStatus tenant = status(budgets, "tenant-daily");
      assertThat(tenant.spent()).isEqualByComparingTo("0.70"); // 0.40 before + 0.30 replayed
      assertThat(tenant.reserved()).isEqualByComparingTo("0.25"); // r2's hold gone, the new one counted
      assertThat(status(budgets, "global-daily").spent()).isEqualByComparingTo("0.70");
      // the replayed settle counted once: a retry now is a duplicate
      assertThat(budgets.settle(r2.id(), usd("0.30"))).isEqualTo(SettleStatus.DUPLICATE);
    }
  }

  @Test
  void failOpen_admitsWhileRedisIsDown_andReconcilesAfterRestart() throws Exception {
    try (RedisServer server = RedisServer.startDurable(); RedisBudgetStore store = store(server, FailurePolicy.FAIL_OPEN)) {
      Budgets budgets = budgets(store);
      List<BigDecimal> settled = new ArrayList<>();
      Reservation r1 = budgets.reserve(ACME, "m", usd("1.00"), LEASE);
      budgets.settle(r1.id(), usd("0.40"));
      settled.add(new BigDecimal("0.40"));
      Reservation r2 = budgets.reserve(ACME, "m", usd("0.50"), LEASE); // held in Redis, settled while it is down

      server.kill();
      // Redis would refuse 1.50 (2.00 limit − 0.40 spent − 0.50 held); the local fallback admits it
      Reservation r3 = budgets.reserve(ACME, "m", usd("1.50"), LEASE);
      assertThat(store.isAvailable()).isFalse();
      budgets.settle(r3.id(), usd("0.20"));
      settled.add(new BigDecimal("0.20"));
      Reservation r4 = budgets.reserve(ACME, "m", usd("0.10"), LEASE); // admitted offline, settled after the restart
      budgets.settle(r2.id(), usd("0.30"));
      settled.add(new BigDecimal("0.30"));
      assertThat(store.pendingReplays()).isEqualTo(2);
      assertThat(budgets.settle(r3.id(), usd("0.20"))).isEqualTo(SettleStatus.DUPLICATE); // local idempotency too

      server.start();
      awaitTrue("the queued settles replayed", store::reconcile);
      budgets.settle(r4.id(), usd("0.05"));
      settled.add(new BigDecimal("0.05"));
      assertThat(store.pendingReplays()).isZero();

      // Redis's own view, through a store that has never been offline
      try (RedisBudgetStore fresh = store(server, FailurePolicy.FAIL_CLOSED)) {
        Budgets truth = budgets(fresh);
        BigDecimal sum = settled.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(status(truth, "tenant-daily").spent()).isEqualByComparingTo(sum).isEqualByComparingTo("0.95");
        assertThat(status(truth, "tenant-daily").reserved()).isEqualByComparingTo("0");
        assertThat(status(truth, "global-daily").spent()).isEqualByComparingTo(sum);
      }
    }
  }

  @Test
  void redisNotYetUp_atStartup_isAnOutage_untilItAnswers() throws Exception {
    try (RedisServer server = RedisServer.prepareDurable()) {
      try (RedisBudgetStore closed = store(server, FailurePolicy.FAIL_CLOSED);
          RedisBudgetStore open = store(server, FailurePolicy.FAIL_OPEN)) {
        assertThatThrownBy(() -> budgets(closed).reserve(ACME, "m", usd("0.10"), LEASE))
            .isInstanceOf(BudgetStoreUnavailableException.class);
        Budgets openBudgets = budgets(open);
        Reservation offline = openBudgets.reserve(ACME, "m", usd("0.10"), LEASE);
        openBudgets.settle(offline.id(), usd("0.10"));

        server.start();
        Budgets closedBudgets = budgets(closed);
        awaitTrue("the first connection", () -> {
          try {
            closedBudgets.reserve(ACME, "m", usd("0.10"), LEASE);
            return true;
          } catch (BudgetStoreUnavailableException e) {
            return false;
          }
        });
        awaitTrue("the offline settle replayed", open::reconcile);
        assertThat(status(closedBudgets, "tenant-daily").spent()).isEqualByComparingTo("0.10");
        assertThat(status(closedBudgets, "tenant-daily").reserved()).isEqualByComparingTo("0.10");
      }
    }
  }
}

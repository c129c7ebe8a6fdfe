package io.costgen.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.budget.BudgetStore.Claim;
import io.costgen.cost.budget.BudgetStore.Key;
import io.costgen.cost.budget.BudgetStore.ReserveRequest;
import io.costgen.cost.budget.BudgetStoreUnavailableException;
import io.costgen.cost.budget.BudgetUnit;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class OfflineJournalTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  private static OfflineJournal.Replay settle(String id) {
    return new OfflineJournal.SettleReplay(id, Map.of(BudgetUnit.MONEY, new BigDecimal("0.10")), NOW, List.of(), null);
  }

  private static OfflineJournal.Replay release(String id) {
    return new OfflineJournal.ReleaseReplay(id, NOW);
  }

  /** Records the ids applied, in order; the journal calls it under its lock. */
  private static final class Redis implements Consumer<OfflineJournal.Replay> {
    final List<String> applied = Collections.synchronizedList(new ArrayList<>());
    Set<String> unreachableFor = Set.of();
    Set<String> refuses = Set.of();

    @Override
    public void accept(OfflineJournal.Replay r) {
      if (unreachableFor.contains(r.id())) {
        throw new BudgetStoreUnavailableException("Redis unreachable: test", null);
      }
      applied.add(r.id());
      if (refuses.contains(r.id())) {
        throw new IllegalStateException("Redis refused the settle script: test");
      }
    }
  }

  @Test
  void reconcile_appliesReplaysInQueueOrder_eachOnce() {
    Redis redis = new Redis();
    OfflineJournal j = new OfflineJournal(redis);
    j.enqueue(settle("a"));
    j.enqueue(release("b"));
    j.enqueue(settle("c"));
    assertThat(j.size()).isEqualTo(3);

    assertThat(j.reconcile()).isTrue();
    assertThat(j.reconcile()).isTrue();

    assertThat(redis.applied).containsExactly("a", "b", "c");
    assertThat(j.isEmpty()).isTrue();
  }

  @Test
  void unreachableRedis_keepsTheFailedReplayAtTheHead_andTheNextReconcileResumesThere() {
    Redis redis = new Redis();
    OfflineJournal j = new OfflineJournal(redis);
    j.enqueue(settle("a"));
    j.enqueue(settle("b"));
    j.enqueue(release("c"));

    redis.unreachableFor = Set.of("b");
    assertThat(j.reconcile()).isFalse();
    assertThat(redis.applied).containsExactly("a");
    assertThat(j.size()).isEqualTo(2);

    redis.unreachableFor = Set.of();
    assertThat(j.reconcile()).isTrue();
    assertThat(redis.applied).containsExactly("a", "b", "c");
    assertThat(j.size()).isZero();
  }

  @Test
  void replayRedisRefuses_isDropped_andDoesNotBlockTheRest() {
    Redis redis = new Redis();
    redis.refuses = Set.of("b");
    OfflineJournal j = new OfflineJournal(redis);
    j.enqueue(settle("a"));
    j.enqueue(settle("b"));
    j.enqueue(settle("c"));

    assertThat(j.reconcile()).isTrue();
    assertThat(j.reconcile()).isTrue();

    assertThat(redis.applied).containsExactly("a", "b", "c"); // b tried once, never again
    assertThat(j.isEmpty()).isTrue();
  }

  @Test
  void requireReconciled_isANoOp_whenNothingIsQueued() {
    Redis redis = new Redis();
    redis.unreachableFor = Set.of("a");
    OfflineJournal j = new OfflineJournal(redis);
    j.requireReconciled(1_000);
    assertThat(redis.applied).isEmpty();
  }

  @Test
  void requireReconciled_throwsUnavailable_whileReplaysAreLeftQueued() {
    Redis redis = new Redis();
    redis.unreachableFor = Set.of("b");
    OfflineJournal j = new OfflineJournal(redis);
    j.enqueue(settle("a"));
    j.enqueue(settle("b"));

    assertThatThrownBy(() -> j.requireReconciled(1_000))
        .isInstanceOf(BudgetStoreUnavailableException.class).hasMessageContaining("1 replays still queued");
    j.tryReconcile(1_000); // swallows the same failure
    assertThat(redis.applied).containsExactly("a");
    assertThat(j.size()).isEqualTo(1);
  }

  @Test
  void requireReconciled_givesUp_whenAnotherThreadKeepsReplaying() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    OfflineJournal j = new OfflineJournal(r -> {
      inside.countDown();
      try {
        letGo.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    j.enqueue(settle("a"));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> replaying = pool.submit(j::reconcile);
      assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

      assertThatThrownBy(() -> j.requireReconciled(1))
          .isInstanceOf(BudgetStoreUnavailableException.class)
          .hasMessageContaining("still being applied by another thread");

      letGo.countDown();
      assertThat(replaying.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(j.isEmpty()).isTrue();
    } finally {
      letGo.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentProducersAndReconcilers_applyEveryReplayExactlyOnce_inEachProducersOrder() throws Exception {
    Redis redis = new Redis();
    OfflineJournal j = new OfflineJournal(redis);
    int threads = 8;
    int perThread = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            j.enqueue(i % 2 == 0 ? settle(thread + ":" + i) : release(thread + ":" + i));
            if (i % 10 == 0) {
              j.tryReconcile(1_000);
            }
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(j.reconcile()).isTrue();

    List<String> applied = List.copyOf(redis.applied);
    assertThat(applied).hasSize(threads * perThread).doesNotHaveDuplicates();
    for (int t = 0; t < threads; t++) {
      String prefix = t + ":";
      List<Integer> order = applied.stream().filter(id -> id.startsWith(prefix))
          .map(id -> Integer.parseInt(id.substring(prefix.length()))).toList();
      assertThat(order).as("thread %d", t).isSorted().hasSize(perThread);
    }
  }

  @Test
  void offlineReservation_isRemembered_untilItsLeaseAndEveryClaimsRetentionHavePassed() {
    OfflineJournal j = new OfflineJournal(r -> { });
    Instant lease = NOW.plus(Duration.ofMinutes(2));
    Instant retain = NOW.plus(Duration.ofHours(12));
    Claim claim = new Claim(new Key("daily", "day@UTC", "tenant:acme", Instant.parse("2026-03-10T00:00:00Z")),
        BudgetUnit.MONEY, Instant.parse("2026-03-10T00:00:00Z"), Optional.of(BigDecimal.ONE), new BigDecimal("0.1"),
        BigDecimal.ZERO, false, retain);
    j.admittedOffline(new ReserveRequest("r-1", List.of(claim), 0, 0, NOW, lease));

    assertThat(j.offline("r-1")).isEqualTo(new OfflineJournal.Offline(lease, retain));
    assertThat(j.offline("r-2")).isNull();

    j.forget(lease.plusSeconds(1));
    assertThat(j.offline("r-1")).as("kept past its lease while its window is retained").isNotNull();
    j.forget(retain);
    assertThat(j.offline("r-1")).isNull();
  }

  @Test
  void offlineReservation_withoutClaims_isForgottenAtItsLease() {
    OfflineJournal j = new OfflineJournal(r -> { });
    Instant lease = NOW.plus(Duration.ofMinutes(2));
    j.admittedOffline(new ReserveRequest("r-1", List.of(), 0, 0, NOW, lease));
    j.forget(lease.minusNanos(1));
    assertThat(j.offline("r-1")).isNotNull();
    j.forget(lease);
    assertThat(j.offline("r-1")).isNull();
  }
}

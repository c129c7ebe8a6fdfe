package io.costgen.redis;

import io.costgen.cost.budget.BudgetStore.Claim;
import io.costgen.cost.budget.BudgetStore.ReserveRequest;
import io.costgen.cost.budget.BudgetStoreUnavailableException;
import io.costgen.cost.budget.BudgetUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link RedisBudgetStore} did while Redis was unreachable, to be replayed into Redis when
 * it answers again: the reservations admitted by the local fallback store (under
 * {@link io.costgen.cost.budget.FailurePolicy#FAIL_OPEN}) and, in order, the settles and releases
 * that could not reach Redis.
 *
 * <p>Replays are applied first in, first out, each exactly once: one that finds Redis unreachable
 * ({@link BudgetStoreUnavailableException}) stays at the head and is retried by the next
 * {@link #flush}; one that Redis refuses (any other exception) is logged and dropped so that it
 * cannot block the rest. Applying them is serialized by one lock; the settle script is idempotent
 * by reservation id, so a settle that Redis applied but whose answer was lost counts once when
 * retried. Thread-safe.
 */
final class OfflineJournal {

  /** Logs under the public store's name, which is what users configure. */
  private static final Logger LOG = LoggerFactory.getLogger(RedisBudgetStore.class);

  /** An operation to apply to Redis once it is reachable again. */
  sealed interface Replay permits SettleReplay, ReleaseReplay {
    String id();
  }

  /**
   * A settle to replay. {@code claims} non-empty: the reservation was admitted offline and Redis
   * never saw it, so the replay creates its holds from the claims with lease {@code leaseExpiresAt};
   * empty: Redis holds the reservation ({@code leaseExpiresAt} is then null).
   */
  record SettleReplay(String id, Map<BudgetUnit, BigDecimal> actual, Instant now, List<Claim> claims,
      Instant leaseExpiresAt) implements Replay {}

  /** A release to replay. */
  record ReleaseReplay(String id, Instant now) implements Replay {}

  /** A reservation admitted by the local store while Redis was unreachable. */
  record Offline(Instant leaseExpiresAt, Instant forgetAt) {}

  private final Consumer<Replay> applier;
  private final ConcurrentHashMap<String, Offline> offline = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Replay> pending = new ConcurrentLinkedQueue<>();
  private final ReentrantLock flushLock = new ReentrantLock();

  /**
   * @param applier applies one replay to Redis; throws {@link BudgetStoreUnavailableException}
   *     when Redis is unreachable, any other exception when Redis refuses the replay
   */
  OfflineJournal(Consumer<Replay> applier) {
    this.applier = Objects.requireNonNull(applier, "applier");
  }

  // ------------------------------------------------------------------ offline reservations

  /**
   * Remembers a reservation the local store admitted; it is forgotten by {@link #forget} once its
   * lease and the retention of all its claims have passed.
   */
  void admittedOffline(ReserveRequest request) {
    Instant forget = request.leaseExpiresAt();
    for (Claim c : request.claims()) {
      if (c.retainUntil().isAfter(forget)) {
        forget = c.retainUntil();
      }
    }
    offline.put(request.reservationId(), new Offline(request.leaseExpiresAt(), forget));
  }

  /** The offline admission of {@code reservationId}; null if Redis made (or never saw) it. */
  Offline offline(String reservationId) {
    return offline.get(reservationId);
  }

  /** Forgets offline reservations whose lease and retention have passed at {@code now}. */
  void forget(Instant now) {
    offline.values().removeIf(o -> !now.isBefore(o.forgetAt()));
  }

  // ------------------------------------------------------------------ replays

  /** Queues {@code replay} behind those already queued. */
  void enqueue(Replay replay) {
    pending.add(Objects.requireNonNull(replay, "replay"));
  }

  /** How many replays wait. */
  int size() {
    return pending.size();
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /**
   * Applies the queued replays now, waiting for a replay in progress on another thread.
   *
   * @return true if nothing is left queued (Redis answered every replay)
   */
  boolean reconcile() {
    flushLock.lock();
    try {
      return flush();
    } finally {
      flushLock.unlock();
    }
  }

  /**
   * Applies the queued replays before the caller's operation, so that no operation reaches Redis
   * ahead of a settle or release queued before it. A thread that finds another replaying waits for
   * it at most {@code waitMillis}.
   *
   * @throws BudgetStoreUnavailableException if the wait ran out, the thread was interrupted, or
   *     Redis became unreachable with replays still queued
   */
  void requireReconciled(long waitMillis) {
    if (pending.isEmpty()) {
      return;
    }
    try {
      if (!flushLock.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
        throw new BudgetStoreUnavailableException("Redis: " + pending.size()
            + " queued replays are still being applied by another thread", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BudgetStoreUnavailableException("interrupted while waiting for queued replays", e);
    }
    try {
      if (!flush()) {
        throw new BudgetStoreUnavailableException("Redis unreachable: " + pending.size() + " replays still queued", null);
      }
    } finally {
      flushLock.unlock();
    }
  }

  /** {@link #requireReconciled} that leaves what it could not apply for later. */
  void tryReconcile(long waitMillis) {
    try {
      requireReconciled(waitMillis);
    } catch (BudgetStoreUnavailableException e) {
      LOG.debug("replay deferred: Redis unreachable", e);
    }
  }

  /** Applies queued replays in order; caller holds {@link #flushLock}. False if Redis became unreachable. */
  private boolean flush() {
    int applied = 0;
    for (Replay r; (r = pending.peek()) != null; ) {
      try {
        applier.accept(r);
      } catch (BudgetStoreUnavailableException e) {
        return false;
      } catch (RuntimeException e) {
        LOG.error("dropping replay {} that Redis refused", r, e);
      }
      pending.poll();
      applied++;
    }
    if (applied > 0) {
      LOG.info("reconciled {} queued settles/releases into Redis", applied);
    }
    return true;
  }
}

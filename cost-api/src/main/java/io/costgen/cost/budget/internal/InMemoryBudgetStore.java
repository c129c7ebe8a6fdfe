package io.costgen.cost.budget.internal;

import io.costgen.cost.budget.BudgetStore;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.SettleStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * In-memory {@link BudgetStore}. One lock per counter series (budget, window, scope key); a
 * reservation locks the series it touches in a global order (by series name), so operations on
 * different tenants never contend and there is no deadlock. Reservation state changes (held →
 * settled / released) are single compare-and-set steps, so a settle is applied exactly once.
 * All arithmetic is exact {@link BigDecimal}.
 */
public final class InMemoryBudgetStore implements BudgetStore {

  private final ConcurrentHashMap<String, Series> series = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Res> reservations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Instant> alerts = new ConcurrentHashMap<>();

  private enum State { HELD, RELEASED, SETTLED }

  private static final class Hold {
    final BigDecimal amount;
    final Instant leaseExpiresAt;

    Hold(BigDecimal amount, Instant leaseExpiresAt) {
      this.amount = amount;
      this.leaseExpiresAt = leaseExpiresAt;
    }
  }

  private static final class Bucket {
    BigDecimal spent = BigDecimal.ZERO;
    BigDecimal reserved = BigDecimal.ZERO;
    final HashMap<String, Hold> holds = new HashMap<>(4);
    Instant earliestLease = Instant.MAX;
    Instant retainUntil = Instant.MIN;

    /** Frees holds whose lease has passed. Caller holds the series lock. */
    void purge(Instant now) {
      if (now.isBefore(earliestLease)) {
        return;
      }
      Instant earliest = Instant.MAX;
      for (Iterator<Hold> it = holds.values().iterator(); it.hasNext(); ) {
        Hold h = it.next();
        if (!now.isBefore(h.leaseExpiresAt)) {
          reserved = reserved.subtract(h.amount);
          it.remove();
        } else if (h.leaseExpiresAt.isBefore(earliest)) {
          earliest = h.leaseExpiresAt;
        }
      }
      earliestLease = earliest;
    }
  }

  private static final class Series {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    final TreeMap<Instant, Bucket> buckets = new TreeMap<>();
    boolean removed; // guarded by lock; a removed series must be looked up again

    Series(String name) {
      this.name = name;
    }

    /**
     * Locks, spinning briefly first: critical sections are a few BigDecimal operations, so a
     * short spin usually wins the lock without parking the thread (a park/unpark pair costs far
     * more than the section itself when many threads share the global counter).
     */
    void lock() {
      for (int i = 0; i < 64; i++) {
        if (lock.tryLock()) {
          return;
        }
        Thread.onSpinWait();
      }
      lock.lock();
    }

    Bucket bucket(Instant start) {
      return buckets.computeIfAbsent(start, s -> new Bucket());
    }

    Totals counted(Instant from, Instant now) {
      BigDecimal spent = BigDecimal.ZERO;
      BigDecimal reserved = BigDecimal.ZERO;
      for (Bucket b : buckets.tailMap(from, true).values()) {
        b.purge(now);
        spent = spent.add(b.spent);
        reserved = reserved.add(b.reserved);
      }
      return new Totals(spent, reserved);
    }
  }

  private static final class Res {
    final AtomicReference<State> state = new AtomicReference<>(State.HELD);
    final Instant leaseExpiresAt;
    final Instant retainUntil;
    volatile List<Claim> claims; // dropped once settled
    volatile Series[] series; // claim i's series as locked at reserve time; dropped once settled

    Res(List<Claim> claims, Instant leaseExpiresAt, Instant retainUntil) {
      this.claims = claims;
      this.leaseExpiresAt = leaseExpiresAt;
      this.retainUntil = retainUntil;
    }
  }

  @Override
  public ReserveOutcome reserve(ReserveRequest request) {
    List<Claim> claims = request.claims();
    Instant now = request.now();
    if (request.leaseExpiresAt().isBefore(now)) {
      throw new IllegalArgumentException("leaseExpiresAt: " + request.leaseExpiresAt() + " is before now " + now);
    }
    Instant retain = request.leaseExpiresAt();
    for (Claim c : claims) {
      if (c.retainUntil().isAfter(retain)) {
        retain = c.retainUntil();
      }
    }
    Res res = new Res(claims, request.leaseExpiresAt(), retain);
    if (reservations.putIfAbsent(request.reservationId(), res) != null) {
      throw new IllegalStateException("reservationId: '" + request.reservationId() + "' already used");
    }
    Locked lockedSeries = lockAll(claims);
    Series[] locked = lockedSeries.byClaim();
    try {
      int n = claims.size();
      Totals[] before = new Totals[n];
      for (int i = 0; i < n; i++) {
        Claim c = claims.get(i);
        before[i] = locked[i].counted(c.countFrom(), now);
      }
      // 1. the largest token count every shrinkable claim affords
      long tokens = request.maxTokens();
      int limiting = -1;
      for (int i = 0; i < n; i++) {
        Claim c = claims.get(i);
        if (c.limit().isEmpty() || !c.shrinkable() || c.perToken().signum() == 0) {
          continue;
        }
        BigDecimal room = c.limit().get().subtract(before[i].used()).subtract(c.fixed());
        long fit = room.signum() < 0 ? -1 : floorToLong(room.divide(c.perToken(), 0, RoundingMode.FLOOR));
        if (fit < tokens) {
          tokens = fit;
          limiting = i;
        }
      }
      if (tokens < request.minTokens()) {
        reservations.remove(request.reservationId(), res);
        Claim c = claims.get(limiting);
        return new Rejected(limiting, before[limiting], c.amount(request.minTokens()));
      }
      // 2. every limited claim must fit at that count
      BigDecimal[] amounts = new BigDecimal[n];
      for (int i = 0; i < n; i++) {
        Claim c = claims.get(i);
        amounts[i] = c.amount(tokens);
        if (c.limit().isPresent() && before[i].used().add(amounts[i]).compareTo(c.limit().get()) > 0) {
          reservations.remove(request.reservationId(), res);
          return new Rejected(i, before[i], amounts[i]);
        }
      }
      // 3. hold
      for (int i = 0; i < n; i++) {
        Claim c = claims.get(i);
        Bucket b = locked[i].bucket(c.key().windowStart());
        b.holds.put(request.reservationId(), new Hold(amounts[i], request.leaseExpiresAt()));
        b.reserved = b.reserved.add(amounts[i]);
        if (request.leaseExpiresAt().isBefore(b.earliestLease)) {
          b.earliestLease = request.leaseExpiresAt();
        }
        Instant keep = c.retainUntil().isAfter(request.leaseExpiresAt()) ? c.retainUntil() : request.leaseExpiresAt();
        if (keep.isAfter(b.retainUntil)) {
          b.retainUntil = keep;
        }
      }
      res.series = locked;
      return new Granted(tokens, Arrays.asList(amounts), Arrays.asList(before));
    } finally {
      lockedSeries.unlock();
    }
  }

  @Override
  public SettleOutcome settle(String reservationId, Map<BudgetUnit, BigDecimal> actual, Instant now) {
    Res res = reservations.get(reservationId);
    if (res == null) {
      return new SettleOutcome(SettleStatus.UNKNOWN, List.of(), List.of());
    }
    List<Claim> claims = res.claims;
    if (claims != null) {
      for (Claim c : claims) {
        BigDecimal a = actual.get(c.unit());
        if (a == null) {
          throw new IllegalArgumentException("actual: no " + c.unit() + " amount, but reservation '"
              + reservationId + "' holds budget '" + c.key().budgetId() + "' in " + c.unit());
        }
        io.costgen.cost.Amounts.requireInRange("actual." + c.unit(), a);
        if (a.signum() < 0) {
          throw new IllegalArgumentException("actual: " + c.unit() + " amount " + a.toPlainString() + " must be >= 0");
        }
      }
    }
    SettleStatus status;
    if (res.state.compareAndSet(State.HELD, State.SETTLED)) {
      status = now.isBefore(res.leaseExpiresAt) ? SettleStatus.SETTLED : SettleStatus.SETTLED_AFTER_EXPIRY;
    } else if (res.state.compareAndSet(State.RELEASED, State.SETTLED)) {
      status = SettleStatus.SETTLED_AFTER_RELEASE;
    } else {
      return new SettleOutcome(SettleStatus.DUPLICATE, List.of(), List.of());
    }
    // We won the transition: apply exactly once.
    claims = res.claims;
    Series[] known = res.series;
    List<Totals> after = new ArrayList<>(claims.size());
    for (int i = 0; i < claims.size(); i++) {
      Claim c = claims.get(i);
      Series s = lockSeries(c.key(), known == null ? null : known[i]);
      try {
        Bucket b = s.bucket(c.key().windowStart());
        Hold h = b.holds.remove(reservationId);
        if (h != null) {
          b.reserved = b.reserved.subtract(h.amount);
        }
        b.spent = b.spent.add(actual.get(c.unit()));
        if (c.retainUntil().isAfter(b.retainUntil)) {
          b.retainUntil = c.retainUntil();
        }
        after.add(s.counted(c.countFrom(), now));
      } finally {
        s.lock.unlock();
      }
    }
    res.claims = null; // keep only the id and state for idempotency
    res.series = null;
    return new SettleOutcome(status, claims, after);
  }

  @Override
  public boolean release(String reservationId, Instant now) {
    Res res = reservations.get(reservationId);
    if (res == null || !res.state.compareAndSet(State.HELD, State.RELEASED)) {
      return false;
    }
    List<Claim> claims = res.claims;
    Series[] known = res.series;
    for (int i = 0; i < claims.size(); i++) {
      Claim c = claims.get(i);
      Series s = lockSeries(c.key(), known == null ? null : known[i]);
      try {
        Bucket b = s.buckets.get(c.key().windowStart());
        if (b != null) {
          Hold h = b.holds.remove(reservationId);
          if (h != null) {
            b.reserved = b.reserved.subtract(h.amount);
          }
        }
      } finally {
        s.lock.unlock();
      }
    }
    return true;
  }

  @Override
  public Totals totals(Key key, Instant countFrom, Instant now) {
    Series s = series.get(key.series());
    if (s == null) {
      return Totals.ZERO;
    }
    s.lock();
    try {
      return s.removed ? Totals.ZERO : s.counted(countFrom, now);
    } finally {
      s.lock.unlock();
    }
  }

  @Override
  public boolean markAlert(Key key, String alert, Instant retainUntil) {
    String k = key.series() + "|" + key.windowStart() + "|" + alert;
    return alerts.putIfAbsent(k, retainUntil) == null;
  }

  @Override
  public int sweep(Instant now) {
    int dropped = 0;
    for (Series s : series.values()) {
      s.lock();
      try {
        for (Iterator<Bucket> it = s.buckets.values().iterator(); it.hasNext(); ) {
          Bucket b = it.next();
          b.purge(now);
          if (b.holds.isEmpty() && !now.isBefore(b.retainUntil)) {
            it.remove();
            dropped++;
          }
        }
        if (s.buckets.isEmpty()) {
          s.removed = true;
          series.remove(s.name, s);
        }
      } finally {
        s.lock.unlock();
      }
    }
    for (Iterator<Res> it = reservations.values().iterator(); it.hasNext(); ) {
      Res r = it.next();
      // A settled reservation is forgotten once its lease is over (a later retry is UNKNOWN, which
      // also changes nothing); an unsettled one is kept while its windows last, for a late settle.
      boolean settledAndLeaseOver = r.state.get() == State.SETTLED && !now.isBefore(r.leaseExpiresAt);
      if (settledAndLeaseOver || (!now.isBefore(r.retainUntil) && !now.isBefore(r.leaseExpiresAt))) {
        it.remove();
        dropped++;
      }
    }
    for (Iterator<Instant> it = alerts.values().iterator(); it.hasNext(); ) {
      if (!now.isBefore(it.next())) {
        it.remove();
        dropped++;
      }
    }
    return dropped;
  }

  /** Number of counter series, reservations and alert marks held (for tests of retention). */
  public int size() {
    return series.size() + reservations.size() + alerts.size();
  }

  /** Locks {@code key}'s series, trying {@code known} (the series seen at reserve time) first. */
  private Series lockSeries(Key key, Series known) {
    if (known != null) {
      known.lock();
      if (!known.removed) {
        return known;
      }
      known.lock.unlock();
    }
    String name = key.series();
    while (true) {
      Series s = series.computeIfAbsent(name, Series::new);
      s.lock();
      if (!s.removed) {
        return s;
      }
      s.lock.unlock();
    }
  }

  /** Locked series: {@code byClaim[i]} is claim i's series; {@code distinct} each once, in lock order. */
  private record Locked(Series[] byClaim, List<Series> distinct) {
    void unlock() {
      for (int j = distinct.size() - 1; j >= 0; j--) {
        distinct.get(j).lock.unlock();
      }
    }
  }

  /** Locks the series of every claim in name order (a global order, so no deadlock). */
  private Locked lockAll(List<Claim> claims) {
    int n = claims.size();
    String[] names = new String[n];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      names[i] = claims.get(i).key().series();
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> names[a].compareTo(names[b]));
    while (true) {
      Series[] byClaim = new Series[n];
      List<Series> held = new ArrayList<>(n);
      boolean retry = false;
      for (int idx : order) {
        Series last = held.isEmpty() ? null : held.get(held.size() - 1);
        if (last != null && last.name.equals(names[idx])) {
          byClaim[idx] = last; // two claims on one series: lock it once
          continue;
        }
        Series s = series.computeIfAbsent(names[idx], Series::new);
        s.lock();
        held.add(s);
        if (s.removed) {
          retry = true;
          break;
        }
        byClaim[idx] = s;
      }
      Locked locked = new Locked(byClaim, held);
      if (!retry) {
        return locked;
      }
      locked.unlock();
    }
  }

  private static long floorToLong(BigDecimal v) {
    return v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : v.longValueExact();
  }
}

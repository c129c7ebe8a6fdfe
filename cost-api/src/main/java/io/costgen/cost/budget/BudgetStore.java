package io.costgen.cost.budget;

import io.costgen.cost.Amounts;
import io.costgen.cost.budget.internal.InMemoryBudgetStore;
import io.costgen.cost.internal.Text;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where budget counters live (SPI). {@link Budgets} turns budgets and calls into {@link Claim}s;
 * a store keeps, per {@link Key} (budget, window, scope key, window start), the settled spend and
 * the open holds, and performs each operation atomically. The contract, proved for every store by
 * the abstract {@code BudgetStoreContractTest}:
 *
 * <ol>
 *   <li><b>All or none.</b> {@link #reserve} admits a request only if every claim fits, counting
 *       spend plus open holds over the claim's buckets ({@code windowStart >= countFrom}); then it
 *       adds a hold to every claim's bucket, else it changes nothing.
 *   <li><b>Never over.</b> A claim with a limit fits iff {@code counted + amount <= limit}; no
 *       interleaving of concurrent operations admits more (linearizable per key).
 *   <li><b>Idempotent settle.</b> The first {@link #settle} of a reservation removes its holds and
 *       adds the actual amounts to the buckets it was admitted to; later settles of the same id
 *       change nothing ({@link SettleStatus#DUPLICATE}).
 *   <li><b>Leases.</b> A hold whose {@code leaseExpiresAt <= now} no longer counts (freed lazily
 *       on any access to its key, or by {@link #sweep}); a settle after expiry or after
 *       {@link #release} still records the actual spend.
 *   <li><b>Caller's clock.</b> Stores use the {@code now} they are given, never their own clock,
 *       and keep an unsettled reservation's record at least until {@code retainUntil} of all its
 *       claims and its lease have passed (a settled one at least until its lease has passed).
 * </ol>
 *
 * <p>Keys are well-formed UTF-16 and amounts lie in the {@link Amounts} range (the records'
 * constructors check both); {@link #settle} amounts must too ({@link IllegalArgumentException}).
 *
 * <p>A Redis store maps this to one Lua script per operation (all-or-none reserve across keys,
 * settle keyed by reservation id, key TTL = {@code retainUntil}). Implementations must be
 * thread-safe.
 */
public interface BudgetStore {

  /**
   * Names one bucket: the budget id, the window id (so a budget whose window changes starts fresh
   * counters), the scope key and the bucket's start (the calendar window start, or a rolling
   * window's bucket).
   */
  record Key(String budgetId, String windowId, String scopeKey, Instant windowStart) {
    public Key {
      Objects.requireNonNull(budgetId, "budgetId");
      Objects.requireNonNull(windowId, "windowId");
      Objects.requireNonNull(scopeKey, "scopeKey");
      Objects.requireNonNull(windowStart, "windowStart");
      Text.requireWellFormed("budgetId", budgetId);
      Text.requireWellFormed("windowId", windowId);
      Text.requireWellFormed("scopeKey", scopeKey);
    }

    /** The counter series this bucket belongs to: budget, window and scope, without the start. */
    public String series() {
      return budgetId.length() + ":" + budgetId + "|" + windowId + "|" + scopeKey;
    }
  }

  /**
   * One budget's part of a reservation. The amount held is {@code fixed + perToken × n} for the
   * granted token count n. {@code limit} empty means never reject (soft). {@code shrinkable}
   * claims lower n to what fits; the others reject unless they fit at n.
   */
  record Claim(Key key, BudgetUnit unit, Instant countFrom, Optional<BigDecimal> limit,
      BigDecimal fixed, BigDecimal perToken, boolean shrinkable, Instant retainUntil) {
    public Claim {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(unit, "unit");
      Objects.requireNonNull(countFrom, "countFrom");
      Objects.requireNonNull(limit, "limit");
      Objects.requireNonNull(fixed, "fixed");
      Objects.requireNonNull(perToken, "perToken");
      Objects.requireNonNull(retainUntil, "retainUntil");
      limit.ifPresent(l -> Amounts.requireInRange("limit", l));
      Amounts.requireInRange("fixed", fixed);
      Amounts.requireInRange("perToken", perToken);
    }

    /** {@code fixed + perToken × tokens}. */
    public BigDecimal amount(long tokens) {
      return tokens == 0 || perToken.signum() == 0 ? fixed : fixed.add(perToken.multiply(BigDecimal.valueOf(tokens)));
    }
  }

  /**
   * A reservation to make: grant the largest n in [minTokens, maxTokens] that every shrinkable
   * claim affords (n = maxTokens when none limits it), then require every limited claim to fit
   * at n.
   */
  record ReserveRequest(String reservationId, List<Claim> claims, long maxTokens, long minTokens,
      Instant now, Instant leaseExpiresAt) {
    public ReserveRequest {
      Objects.requireNonNull(reservationId, "reservationId");
      claims = List.copyOf(claims);
      Objects.requireNonNull(now, "now");
      Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
      if (minTokens < 0 || maxTokens < minTokens) {
        throw new IllegalArgumentException("minTokens/maxTokens: " + minTokens + "/" + maxTokens);
      }
    }
  }

  /** Spend and open holds of a key (or of the buckets counted for a claim), exact. */
  record Totals(BigDecimal spent, BigDecimal reserved) {
    public static final Totals ZERO = new Totals(BigDecimal.ZERO, BigDecimal.ZERO);

    public BigDecimal used() {
      return spent.add(reserved);
    }
  }

  /** The result of {@link #reserve}. */
  sealed interface ReserveOutcome permits Granted, Rejected {}

  /**
   * Admitted: {@code tokens} granted, the amount held per claim, and each claim's counted totals
   * just before the hold was added.
   */
  record Granted(long tokens, List<BigDecimal> amounts, List<Totals> before) implements ReserveOutcome {
    public Granted {
      amounts = List.copyOf(amounts);
      before = List.copyOf(before);
    }
  }

  /** Refused: the first claim (by index) that did not fit, its counted totals and the amount it needed. */
  record Rejected(int claimIndex, Totals totals, BigDecimal requested) implements ReserveOutcome {}

  /** The result of {@link #settle}: the status, and for a recorded settle the claims and their counted totals after it. */
  record SettleOutcome(SettleStatus status, List<Claim> claims, List<Totals> after) {
    public SettleOutcome {
      Objects.requireNonNull(status, "status");
      claims = List.copyOf(claims);
      after = List.copyOf(after);
    }
  }

  /** Atomically admits all claims or none (see the contract). A duplicate reservation id is an {@link IllegalStateException}. */
  ReserveOutcome reserve(ReserveRequest request);

  /**
   * Settles a reservation with the actual amounts per unit (every claim's unit must be present,
   * else {@link IllegalArgumentException} before any change). Idempotent.
   */
  SettleOutcome settle(String reservationId, Map<BudgetUnit, BigDecimal> actual, Instant now);

  /** Frees a held reservation's holds; false if unknown, already released or settled. */
  boolean release(String reservationId, Instant now);

  /** Spend and live holds of the buckets of {@code key}'s series with {@code windowStart >= countFrom}. */
  Totals totals(Key key, Instant countFrom, Instant now);

  /** Records that alert {@code alert} fired for {@code key}; true only the first time (kept until {@code retainUntil}). */
  boolean markAlert(Key key, String alert, Instant retainUntil);

  /** Frees expired holds and forgets buckets, reservations and alerts past their retention; returns how many entries were dropped. */
  int sweep(Instant now);

  /** A thread-safe in-memory store, finely locked per counter series. */
  static BudgetStore inMemory() {
    return new InMemoryBudgetStore();
  }
}

package io.costgen.core;

import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.ModelShape;
import io.costgen.cost.Usage;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.CallEstimate;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The budget and meter side of one call: reserve the worst case before the backend is touched,
 * check the running spend against the reservation between steps, settle the actual cost and
 * record the call in {@code finally}. Package-private; used by {@link GenerationCall}.
 *
 * <p>When a hard {@code SHRINK} budget applies, the worst case is split into a fixed part (the
 * call with zero new tokens) and a per-token part rounded up, so the budget can grant fewer tokens
 * and the held amount still bounds the cost of every shorter run. Otherwise no budget can grant
 * fewer tokens and the worst case itself is held (one bound per call, no split).
 */
final class CallAccounting {
  private static final Logger LOG = LoggerFactory.getLogger(CallAccounting.class);
  private static final MathContext PER_TOKEN = new MathContext(24, RoundingMode.CEILING);
  /** Per unit, a per-token part of zero in that unit only (an estimate that holds its fixed part at any count). */
  private static final Map<BudgetUnit, Map<BudgetUnit, BigDecimal>> ZERO_PER_TOKEN = new EnumMap<>(BudgetUnit.class);

  static {
    for (BudgetUnit u : BudgetUnit.values()) {
      ZERO_PER_TOKEN.put(u, Map.of(u, BigDecimal.ZERO));
    }
  }

  private final TextGenerator generator;
  private final CallContext context;
  private final String model;
  private final Reservation reservation;
  private final long requestedNewTokens;
  private final Instant start;
  private final List<Reservation> topUps = new ArrayList<>(1);
  /**
   * The worst-case usage the reservation was shown to hold (its amounts ≥ the worst-case price
   * in every held unit), or null: any projected usage at or below it in every field is covered
   * without pricing it, as a cost never falls when usage grows.
   */
  private Usage covered;
  /** A shape seen to equal {@code covered}'s model (compared by identity in the fast path). */
  private ModelShape coveredShape;
  private boolean settled;

  private CallAccounting(TextGenerator generator, CallContext context, String model, Reservation reservation,
      long requestedNewTokens, Instant start) {
    this.generator = generator;
    this.context = context;
    this.model = model;
    this.reservation = reservation;
    this.requestedNewTokens = requestedNewTokens;
    this.start = start;
  }

  /**
   * Reserves the call's bound ({@code CostModel.bound}, cold-start aware) against every
   * applicable budget (no-op without budgets: the bound is then not even computed).
   *
   * @throws BudgetExceededException when a hard budget refuses; the refusal is recorded in the
   *     meter and told to the listeners first
   */
  static CallAccounting open(TextGenerator generator, CallContext context, ModelInfo info,
      long promptTokens, long maxNewTokens, long minNewTokens, int rows, boolean coldStart) {
    Instant start = generator.clock().instant();
    Optional<Budgets> budgets = generator.budgets();
    String model = info.name();
    List<Budget> applicable = budgets.isEmpty() ? List.of() : budgets.get().applicableTo(context, model);
    if (applicable.isEmpty()) {
      return new CallAccounting(generator, context, model, null, maxNewTokens, start);
    }
    // Hold (and later check) only the units some applicable budget limits.
    Set<BudgetUnit> units = EnumSet.noneOf(BudgetUnit.class);
    boolean mayShrink = false;
    for (Budget b : applicable) {
      units.add(b.unit());
      mayShrink |= b.enforcement() == Budget.Enforcement.HARD && b.policy() == Budget.Policy.SHRINK;
    }
    ModelShape shape = info.shape();
    CostReport worstCase = generator.costModel().bound(shape, promptTokens, maxNewTokens, rows, coldStart);
    // Money in the budgets' currency: a call priced in another currency is refused here, before
    // any work, unless an exchange rate was configured.
    Map<BudgetUnit, BigDecimal> worst = only(units, budgets.get().amountsOf(worstCase));
    long minGranted = Math.min(maxNewTokens, Math.max(1, minNewTokens));
    CallEstimate estimate = mayShrink
        ? split(generator, budgets.get(), units, worst, shape, promptTokens, maxNewTokens, minGranted, rows, coldStart)
        // No budget may grant fewer tokens: hold the bound itself, without a second bound and the
        // per-token split (the usual case). A zero per-token part keeps grantedTokens() reported.
        : CallEstimate.perToken(worst, maxNewTokens > 0 ? ZERO_PER_TOKEN.get(units.iterator().next()) : Map.of(),
            maxNewTokens, minGranted);
    Reservation r;
    try {
      r = budgets.get().reserve(context, model, estimate, generator.budgetLease());
    } catch (BudgetExceededException e) {
      RuntimeException lost =
          record(generator, context, UsageRecord.budgetRejected(context, model, e, start, worstCase.money().currency()));
      if (lost != null) {
        e.addSuppressed(lost);
      }
      for (CostListener l : generator.listeners()) {
        guard(l, context, () -> l.onBudgetExceeded(context, e));
      }
      throw e;
    }
    CallAccounting accounting = new CallAccounting(generator, context, model, r, maxNewTokens, start);
    boolean holdsWorst = true; // without a SHRINK budget the estimate is the worst case itself
    if (mayShrink) {
      for (Map.Entry<BudgetUnit, BigDecimal> e : worst.entrySet()) {
        holdsWorst &= r.reserved(e.getKey()).compareTo(e.getValue()) >= 0;
      }
    }
    if (holdsWorst) {
      accounting.covered = worstCase.usage();
    }
    if (accounting.grantedNewTokens() < maxNewTokens) {
      for (CostListener l : generator.listeners()) {
        guard(l, context, () -> l.onBudgetWarning(context, r, BudgetWarning.SHRUNK));
      }
    }
    return accounting;
  }

  /** New tokens per row the reservation covers ({@code maxNewTokens} without a budget). */
  long grantedNewTokens() {
    return reservation == null ? requestedNewTokens : reservation.grantedTokens().orElse(requestedNewTokens);
  }

  /** Whether a budget shrank the call below the tokens asked for. */
  boolean shrunk() {
    return grantedNewTokens() < requestedNewTokens;
  }

  /** Whether spending is checked between steps (a reservation is held). */
  boolean checksSpend() {
    return reservation != null;
  }

  /**
   * The allocation-free fast path of {@link #admitsNextStep(Usage)}: true only when a usage with
   * these fields (and model {@code shape}) would be valid and {@link #atMost} the worst case the
   * reservation already holds, so {@code admitsNextStep} would return true without pricing it.
   * False means "not shown here": the caller builds the {@link Usage} and asks
   * {@link #admitsNextStep(Usage)}, which decides (and fails on an invalid usage) as before.
   */
  boolean coveredWithoutPricing(ModelShape shape, long promptTokens, long completionTokens,
      int sequences, long decodeSteps, double prefillFlops, double decodeFlops, double bytesMoved,
      double wallSeconds, double deviceSeconds, int devices) {
    Usage c = covered;
    if (reservation == null || c == null) {
      return false;
    }
    if (shape != coveredShape) {
      if (c.model().isEmpty() || !c.model().get().equals(shape)) {
        return false;
      }
      coveredShape = shape; // same value: compare by identity from now on
    }
    // ">= 0" on every field: a usage that Usage's constructor would refuse (negative, NaN) is
    // left to the slow path, which fails on it exactly as before.
    return promptTokens >= 0 && promptTokens <= c.promptTokens()
        && completionTokens >= 0 && completionTokens <= c.completionTokens()
        && sequences >= 0 && sequences <= c.sequences()
        && decodeSteps >= 0 && decodeSteps <= c.decodeSteps()
        && prefillFlops >= 0 && prefillFlops <= c.prefillFlops()
        && decodeFlops >= 0 && decodeFlops <= c.decodeFlops()
        && bytesMoved >= 0 && !Double.isInfinite(bytesMoved)
        && wallSeconds >= 0 && wallSeconds <= c.wallSeconds()
        && deviceSeconds >= 0 && deviceSeconds <= c.deviceSeconds()
        && devices >= 1 && devices <= c.devices();
  }

  /**
   * Whether a call whose next step would bring it to {@code projected} usage stays within its
   * reservation; when not, tells the listeners and returns false (the caller stops with
   * {@link FinishReason#BUDGET}).
   */
  boolean admitsNextStep(Usage projected) {
    if (reservation == null) {
      return true;
    }
    if (covered != null && atMost(projected, covered)) {
      // Within the worst case the reservation already holds: pricing it again (~10 µs of
      // BigDecimal work per step) cannot change the answer.
      return true;
    }
    Map<BudgetUnit, BigDecimal> amounts = generator.budgets().get().amountsOf(generator.costModel().price(projected));
    Map<BudgetUnit, BigDecimal> held = held();
    boolean covered = true;
    Map<BudgetUnit, BigDecimal> extra = new EnumMap<>(BudgetUnit.class);
    for (Map.Entry<BudgetUnit, BigDecimal> e : held.entrySet()) {
      BigDecimal need = amounts.getOrDefault(e.getKey(), BigDecimal.ZERO).subtract(e.getValue());
      covered &= need.signum() <= 0;
      // Top up by the shortfall plus the first reservation again, so top-ups stay rare.
      extra.put(e.getKey(), need.max(BigDecimal.ZERO).add(reservation.reserved(e.getKey())));
    }
    if (covered) {
      return true;
    }
    if (!shrunk()) {
      // The estimate was low (e.g. a slower machine than the cost model assumed): ask the
      // budgets for more before cutting the call; they refuse only when the budget is spent.
      try {
        topUps.add(generator.budgets().get().reserve(context, model, extra, generator.budgetLease()));
        return true;
      } catch (BudgetExceededException e) {
        // fall through: the budget cannot cover another step
      }
    }
    for (CostListener l : generator.listeners()) {
      guard(l, context, () -> l.onBudgetWarning(context, reservation, BudgetWarning.STOPPING));
    }
    return false;
  }

  /**
   * Whether {@code u} is at or below {@code bound} in every quantity a price depends on
   * ({@code bytesMoved} is not priced by any strategy and estimates leave it 0).
   */
  static boolean atMost(Usage u, Usage bound) {
    return u.promptTokens() <= bound.promptTokens()
        && u.completionTokens() <= bound.completionTokens()
        && u.sequences() <= bound.sequences()
        && u.decodeSteps() <= bound.decodeSteps()
        && u.prefillFlops() <= bound.prefillFlops()
        && u.decodeFlops() <= bound.decodeFlops()
        && u.wallSeconds() <= bound.wallSeconds()
        && u.deviceSeconds() <= bound.deviceSeconds()
        && u.devices() <= bound.devices()
        && u.model().equals(bound.model());
  }

  /** Amount held per unit: the reservation plus its top-ups. */
  private Map<BudgetUnit, BigDecimal> held() {
    Map<BudgetUnit, BigDecimal> m = new EnumMap<>(reservation.amounts());
    for (Reservation t : topUps) {
      t.amounts().forEach((u, v) -> m.merge(u, v, BigDecimal::add));
    }
    return m;
  }

  /**
   * Settles the reservation with {@code actual} and records the call in the meter. Never throws:
   * a store failure is logged at WARN (the lease releases the hold); a meter failure is told to
   * the listeners ({@link CostListener#onMeterFailure}) and returned, for the call to throw.
   * Idempotent.
   *
   * @return the meter's failure, or null when the record was written (or there is no meter)
   */
  RuntimeException settle(CostReport actual, String finishReason, Throwable error) {
    if (settled) {
      return null;
    }
    settled = true;
    RuntimeException meterFailure = null;
    // The actual amounts in the budgets' units and currency (as held).
    // amountsOf returns an immutable map, which Budgets.settle takes without copying it again
    Map<BudgetUnit, BigDecimal> actualAmounts = Map.of();
    if (reservation != null) {
      try {
        actualAmounts = generator.budgets().get().amountsOf(actual);
      } catch (RuntimeException e) { // the budgets changed currency during the call
        LOG.warn("settling reservation {}: {}; settling the unconverted amounts", reservation.id(), e.getMessage());
        actualAmounts = CallEstimate.amountsOf(actual);
      }
    }
    boolean overrun = reservation != null && exceedsHeld(actualAmounts);
    if (reservation != null && topUps.isEmpty()) {
      // The usual case: one reservation takes the whole actual spend.
      settleOne(reservation, actualAmounts);
    } else if (reservation != null) {
      // Split the actual spend over the reservation and its top-ups: each takes up to what it
      // holds, the last one the rest, so the settled total is exactly the actual.
      Map<BudgetUnit, BigDecimal> rest = new EnumMap<>(actualAmounts);
      List<Reservation> all = new ArrayList<>(1 + topUps.size());
      all.add(reservation);
      all.addAll(topUps);
      for (int i = 0; i < all.size(); i++) {
        Reservation r = all.get(i);
        Map<BudgetUnit, BigDecimal> part = new EnumMap<>(BudgetUnit.class);
        for (Map.Entry<BudgetUnit, BigDecimal> e : rest.entrySet()) {
          BigDecimal take = i == all.size() - 1 ? e.getValue() : e.getValue().min(r.reserved(e.getKey()));
          part.put(e.getKey(), take);
        }
        part.forEach((u, v) -> rest.merge(u, v, BigDecimal::subtract));
        settleOne(r, part);
      }
    }
    if (generator.meter().isPresent()) {
      UsageRecord.Builder b = UsageRecord.from(context, actual, finishReason, start,
          later(start, generator.clock().instant())).id(UsageRecord.newId());
      if (model != null && actual.usage().modelName().isEmpty()) {
        b.model(model);
      }
      if (reservation != null) {
        b.reservationId(reservation.id());
      }
      if (error != null) {
        b.error(error.getClass().getSimpleName() + ": " + String.valueOf(error.getMessage()));
      }
      meterFailure = record(generator, context, b.overrun(overrun).build());
    }
    if (overrun) {
      LOG.warn("budget overrun: request {} used {} but its budgets held {} (a forward pass took longer "
          + "than its bound); full usage recorded", context.requestId(), CallEstimate.amountsOf(actual), held());
      for (CostListener l : generator.listeners()) {
        guard(l, context, () -> l.onBudgetOverrun(context, reservation, actual));
      }
    }
    return meterFailure;
  }

  /** Settles {@code r} with {@code part}; a store failure is logged (the lease releases the hold). */
  private void settleOne(Reservation r, Map<BudgetUnit, BigDecimal> part) {
    try {
      generator.budgets().get().settle(r.id(), part);
    } catch (RuntimeException e) {
      LOG.warn("settling budget reservation {} failed (request {}); its lease releases the hold",
          r.id(), context.requestId(), e);
    }
  }

  /** Whether {@code actual} passes what the reservation and its top-ups hold in any held unit. */
  private boolean exceedsHeld(Map<BudgetUnit, BigDecimal> actual) {
    // without top-ups what is held is the reservation's own amounts (no merged copy needed)
    Map<BudgetUnit, BigDecimal> held = topUps.isEmpty() ? reservation.amounts() : held();
    for (Map.Entry<BudgetUnit, BigDecimal> e : held.entrySet()) {
      BigDecimal used = actual.get(e.getKey());
      if (used != null && used.compareTo(e.getValue()) > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * A shrinkable estimate: the fixed part is the call with zero new tokens, the per-token part
   * the rest of {@code worst} over {@code maxNewTokens}, rounded up (so every shorter run is held).
   */
  private static CallEstimate split(TextGenerator generator, Budgets budgets, Set<BudgetUnit> units,
      Map<BudgetUnit, BigDecimal> worst, ModelShape shape, long promptTokens, long maxNewTokens,
      long minGranted, int rows, boolean coldStart) {
    Map<BudgetUnit, BigDecimal> fixed = only(units, budgets.amountsOf(
        generator.costModel().bound(shape, promptTokens, 0, rows, coldStart)));
    Map<BudgetUnit, BigDecimal> perToken = new EnumMap<>(BudgetUnit.class);
    if (maxNewTokens > 0) {
      BigDecimal n = BigDecimal.valueOf(maxNewTokens);
      for (Map.Entry<BudgetUnit, BigDecimal> e : worst.entrySet()) {
        BigDecimal rest = e.getValue().subtract(fixed.getOrDefault(e.getKey(), BigDecimal.ZERO));
        perToken.put(e.getKey(), rest.signum() <= 0 ? BigDecimal.ZERO : io.costgen.cost.Amounts.roundUp(rest.divide(n, PER_TOKEN)));
      }
    }
    return CallEstimate.perToken(fixed, perToken, maxNewTokens, minGranted);
  }

  private static Map<BudgetUnit, BigDecimal> only(Set<BudgetUnit> units, Map<BudgetUnit, BigDecimal> amounts) {
    Map<BudgetUnit, BigDecimal> m = new EnumMap<>(BudgetUnit.class);
    for (BudgetUnit u : units) {
      m.put(u, amounts.get(u));
    }
    return m;
  }

  private static Instant later(Instant a, Instant b) {
    return b.isBefore(a) ? a : b;
  }

  /** Records {@code record}; on failure tells the listeners and returns the failure. */
  private static RuntimeException record(TextGenerator generator, CallContext context, UsageRecord record) {
    if (generator.meter().isEmpty()) {
      return null;
    }
    try {
      generator.meter().get().record(record);
      return null;
    } catch (RuntimeException e) {
      RuntimeException failure = e instanceof io.costgen.cost.meter.MeterException ? e
          : new io.costgen.cost.meter.MeterException("meter failed to record call " + record.requestId()
              + " (" + e + ")", record, e);
      LOG.warn("meter failed to record call {}: {}", record.requestId(), e.toString());
      for (CostListener l : generator.listeners()) {
        guard(l, context, () -> l.onMeterFailure(context, record, failure));
      }
      return failure;
    }
  }

  private static void guard(CostListener l, CallContext ctx, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("cost listener {} threw; ignored (request {})", l, ctx.requestId(), e);
    }
  }

}

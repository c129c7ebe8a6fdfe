package io.costgen.samples.cli;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStore;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.meter.LedgerReader;
import io.costgen.cost.meter.MeterException;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Budgets for one CLI process. A CLI call lives for one generation, so a daily budget only means
 * something with history: when a ledger folder is given, each budget's spend so far in its current
 * window is replayed from the ledger's records before the call: exactly the records the budget's
 * counter for this call covers (the same scope key: every tenant for a global budget, the same
 * tag value for a tag budget, the same tenant and model for a tenant+model budget).
 */
final class CliBudgets {
  private CliBudgets() {}

  static Budgets create(List<String> specs, Path ledger, CallContext ctx, String model, Clock clock) {
    BudgetStore store = BudgetStore.inMemory();
    List<Budget> budgets = new ArrayList<>();
    for (String spec : specs) {
      try {
        budgets.add(Budget.parse(spec));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--budget: " + e.getMessage(), e);
      }
    }
    Budgets all = Budgets.builder().store(store).clock(clock).build();
    budgets.forEach(all::register);
    if (ledger != null && Files.isDirectory(ledger)) {
      Instant now = clock.instant();
      for (Budget b : budgets) {
        Optional<Instant> start = b.window().windowStart(now);
        if (start.isEmpty() || !b.scope().appliesTo(ctx, model)) {
          continue;
        }
        Map<BudgetUnit, BigDecimal> spent = spentSince(ledger, start.get(), now, b, ctx, model);
        if (spent.get(b.unit()).signum() > 0) {
          // Replay through a facade holding only this budget, over the shared store.
          Budgets one = Budgets.builder().store(store).clock(clock).build().register(b);
          Reservation r = one.reserve(ctx, model, zeros(), Duration.ofMinutes(1));
          Map<BudgetUnit, BigDecimal> held = new EnumMap<>(BudgetUnit.class);
          spent.forEach((u, v) -> held.put(u, io.costgen.cost.Amounts.roundUp(v)));
          one.settle(r.id(), held);
        }
      }
    }
    return all;
  }

  private static Map<BudgetUnit, BigDecimal> spentSince(Path ledger, Instant from, Instant to, Budget b,
      CallContext ctx, String model) {
    String counter = b.scope().scopeKey(ctx, model);
    Map<BudgetUnit, BigDecimal> sum = zeros();
    try {
      for (UsageRecord r : LedgerReader.read(ledger, from, to).records()) {
        if (UsageRecord.BUDGET_REJECTED.equals(r.finishReason()) || r.end().isBefore(from)) {
          continue;
        }
        CallContext recordCtx = new CallContext(r.tenantId(), r.requestId(), r.tags());
        // The record counts iff the budget covers it and puts it on the same counter as this call.
        if (!b.scope().appliesTo(recordCtx, r.model()) || !b.scope().scopeKey(recordCtx, r.model()).equals(counter)) {
          continue;
        }
        if (b.unit() == BudgetUnit.MONEY && !b.currency().get().equals(r.money().currency())) {
          throw new IllegalArgumentException("--budget: budget '" + b.id() + "' is in " + b.currency().get()
              + " but the ledger has " + r.money().currency() + " records on its counter; costgen never converts"
              + " currencies on its own");
        }
        sum.merge(BudgetUnit.MONEY, r.money().amount(), BigDecimal::add);
        sum.merge(BudgetUnit.TOKENS, BigDecimal.valueOf(r.promptTokens() + r.completionTokens()), BigDecimal::add);
        sum.merge(BudgetUnit.FLOPS, BigDecimal.valueOf(r.flops()), BigDecimal::add);
        sum.merge(BudgetUnit.ENERGY_JOULES, BigDecimal.valueOf(r.energyJoules()), BigDecimal::add);
      }
    } catch (MeterException e) {
      throw new MeterException("--ledger " + ledger + ": " + e.getMessage(), e);
    }
    return sum;
  }

  private static Map<BudgetUnit, BigDecimal> zeros() {
    Map<BudgetUnit, BigDecimal> m = new EnumMap<>(BudgetUnit.class);
    for (BudgetUnit u : BudgetUnit.values()) {
      m.put(u, BigDecimal.ZERO);
    }
    return m;
  }
}

package io.costgen.spring.boot;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetScope;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * Actuator endpoint {@code costgenbudgets}: {@code GET /actuator/costgenbudgets} lists every
 * registered budget with the state of its global counter (budgets scoped per tenant show their
 * definition; ask for a tenant to see its counters); {@code GET /actuator/costgenbudgets/{tenant}}
 * lists the tenant's counters: limit, spent, held (open reservations), remaining and window.
 * Amounts are exact decimal strings in each budget's unit.
 */
@Endpoint(id = "costgenbudgets")
public class CostgenBudgetsEndpoint {

  private final Budgets budgets;

  public CostgenBudgetsEndpoint(Budgets budgets) {
    this.budgets = budgets;
  }

  /** Every budget; global ones with their counter. */
  @ReadOperation
  public Map<String, Object> budgets() {
    Map<String, BudgetStatus> global = new LinkedHashMap<>();
    for (BudgetStatus s : budgets.status(new CallContext(Optional.empty(), "actuator", Map.of()), null)) {
      global.put(s.budgetId(), s);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Budget b : budgets.budgets()) {
      BudgetStatus s = global.get(b.id());
      out.add(s != null && b.scope().kind() == BudgetScope.Kind.GLOBAL ? row(s) : definition(b));
    }
    return Map.of("budgets", out);
  }

  /** The counters that apply to {@code tenant} (tenant and global scopes). */
  @ReadOperation
  public Map<String, Object> tenant(@Selector String tenant) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (BudgetStatus s : budgets.statusForTenant(CallContext.validateTenantId(tenant))) {
      out.add(row(s));
    }
    return Map.of("tenant", tenant, "budgets", out);
  }

  private static Map<String, Object> definition(Budget b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", b.id());
    m.put("spec", b.toSpec());
    m.put("unit", b.unit() == io.costgen.cost.budget.BudgetUnit.MONEY
        ? b.currency().map(c -> c.getCurrencyCode()).orElse("money") : b.unit().specName());
    m.put("scope", b.scope().spec());
    m.put("window", b.window().spec());
    m.put("limit", b.limit().stripTrailingZeros().toPlainString());
    return m;
  }

  private static Map<String, Object> row(BudgetStatus s) {
    Map<String, Object> m = definition(s.budget());
    m.put("scopeKey", s.scopeKey());
    m.put("spent", s.spent().stripTrailingZeros().toPlainString());
    m.put("held", s.reserved().stripTrailingZeros().toPlainString());
    m.put("remaining", s.remaining().stripTrailingZeros().toPlainString());
    s.windowStart().ifPresent(w -> m.put("windowStart", w.toString()));
    s.resetsAt().ifPresent(r -> m.put("resetsAt", r.toString()));
    return m;
  }
}

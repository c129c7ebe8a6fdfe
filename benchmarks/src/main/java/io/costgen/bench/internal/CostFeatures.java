package io.costgen.bench.internal;

import io.costgen.core.CostListener;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.Money;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.InMemoryMeter;

/**
 * Everything "cost on" means in configuration (2): a cost model with every strategy (per token,
 * per device-hour on the measured device time, energy and carbon, electricity), a listener that
 * does real (if small) work on every event, and — once they exist — a per-tenant budget and a
 * meter.
 *
 * <p>Budgets: a per-tenant daily money budget far above what the benchmark spends (so every call
 * reserves, is checked between steps, and settles); meter: an {@link InMemoryMeter} (records and
 * aggregates every call). Requests run for tenant {@link #TENANT}.
 */
public final class CostFeatures {

  /** The tenant every cost-on call runs for. */
  public static final String TENANT = "bench-tenant";

  private CostFeatures() {}

  /** The full cost model: all strategies on, priced against {@code local}. */
  public static CostModel fullCostModel(HardwareProfile local) {
    return CostModel.builder()
        .perMillionTokens(Money.usd("0.50"), Money.usd("1.50"))
        .perDeviceHour(Money.usd("0.10"))
        .localHardware(local)
        .energy()
        .electricityPrice(Money.usd("0.15"))
        .build();
  }

  /** Applies cost model, listener, budget and meter to {@code builder}. */
  public static TextGenerator.Builder configure(TextGenerator.Builder builder, HardwareProfile local,
      CountingListener listener) {
    builder.costModel(fullCostModel(local)).addListener(listener)
        .budgets(Budgets.inMemory().register(Budget.parse("money:1000000/day,id=bench")))
        .meter(InMemoryMeter.create());
    return builder;
  }

  /** The call context of cost-on calls (a tenant, so budgets and meters have a key). */
  public static CallContext context() {
    return CallContext.forTenant(TENANT);
  }

  /**
   * A listener that touches every event's payload the way a metrics exporter would (reads the
   * money and token counts), so the JIT cannot drop the calls. Thread-safe enough for one
   * caller thread.
   */
  public static final class CountingListener implements CostListener {
    private long starts;
    private long tokenEvents;
    private long completions;
    private long lastTokens;
    private double moneySink;

    @Override
    public void onStart(CallContext context, CostReport estimate) {
      starts++;
      moneySink += estimate.money().amount().doubleValue();
    }

    @Override
    public void onToken(CallContext context, int tokensSoFar) {
      tokenEvents++;
      lastTokens = tokensSoFar;
    }

    @Override
    public void onComplete(CallContext context, GenerationResult result) {
      completions++;
      moneySink += result.cost().money().amount().doubleValue() + result.usage().completionTokens();
    }

    /** Events seen: starts + token events + completions (a check that the listener ran). */
    public long events() {
      return starts + tokenEvents + completions + (moneySink > -1 ? 0 : lastTokens);
    }
  }
}

package io.costgen.core;

import static io.costgen.core.TextGeneratorTest.greedy;
import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.ModelShape;
import io.costgen.cost.Usage;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.Reservation;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The per-call budget work: the zero-new-token bound and the per-token split are computed only
 * when a hard SHRINK budget could grant fewer tokens; otherwise the call's bound itself is held.
 */
class CallAccountingBoundCountTest {

  /** Delegates to {@link TextGeneratorBudgetTest#PER_TOKEN}, recording the maxNewTokens of every bound asked for. */
  static final class CountingCostModel implements CostModel {
    final List<Long> bounds = new CopyOnWriteArrayList<>();

    @Override
    public CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences) {
      return TextGeneratorBudgetTest.PER_TOKEN.estimate(model, promptTokens, maxNewTokens, sequences);
    }

    @Override
    public CostReport price(Usage usage) {
      return TextGeneratorBudgetTest.PER_TOKEN.price(usage);
    }

    @Override
    public CostReport bound(ModelShape model, long promptTokens, long maxNewTokens, int sequences,
        boolean coldStart) {
      bounds.add(maxNewTokens);
      return TextGeneratorBudgetTest.PER_TOKEN.bound(model, promptTokens, maxNewTokens, sequences, coldStart);
    }
  }

  private static GenerationRequest request(int maxNew, long... prompt) {
    return GenerationRequest.builder().tokenIds(new long[][] {prompt}).config(greedy(maxNew))
        .context(CallContext.forTenant("acme")).build();
  }

  @Test
  void rejectBudgetWithRoom_evaluatesTheBoundOncePerCall_andHoldsExactlyIt() {
    CountingCostModel costModel = new CountingCostModel();
    Budgets budgets = Budgets.inMemory().register(Budget.parse("money:1/day,id=m"));
    List<BigDecimal> heldAtStart = new CopyOnWriteArrayList<>();
    List<Long> granted = new CopyOnWriteArrayList<>();
    CostListener spy = new CostListener() {
      @Override
      public void onStart(CallContext c, CostReport estimate) {
        heldAtStart.add(budgets.statusForTenant("acme").get(0).reserved());
      }

      @Override
      public void onBudgetWarning(CallContext c, Reservation r, BudgetWarning w) {
        granted.add(r.grantedTokens().orElse(-1));
      }
    };
    TextGenerator g = TextGenerator.builder(TextGeneratorBudgetTest.backend()).costModel(costModel)
        .budgets(budgets).addListener(spy).build();

    GenerationResult a = g.generate(request(20, 1, 2, 3));
    GenerationResult b = g.generate(request(7, 4, 5));

    assertThat(costModel.bounds).containsExactly(20L, 7L);
    // 3 prompt + 20 new tokens at 0.000001 USD each: the bound, held as is
    assertThat(heldAtStart.get(0)).isEqualByComparingTo("0.000023");
    assertThat(granted).isEmpty();
    BudgetStatus status = budgets.statusForTenant("acme").get(0);
    assertThat(status.reserved()).isZero();
    assertThat(status.spent()).isEqualByComparingTo(a.cost().money().amount().add(b.cost().money().amount()));
  }

  @Test
  void shrinkBudget_evaluatesTheZeroTokenBoundToo_andShrinksAsBefore() {
    CountingCostModel costModel = new CountingCostModel();
    Budgets budgets = Budgets.inMemory().register(Budget.parse("tokens:12/day,shrink,id=t"));
    List<Long> granted = new CopyOnWriteArrayList<>();
    CostListener spy = new CostListener() {
      @Override
      public void onBudgetWarning(CallContext c, Reservation r, BudgetWarning w) {
        granted.add(r.grantedTokens().orElse(-1));
      }
    };
    TextGenerator g = TextGenerator.builder(TextGeneratorBudgetTest.backend()).costModel(costModel)
        .budgets(budgets).addListener(spy).build();

    GenerationResult r = g.generate(request(20, 1, 2, 3));

    assertThat(costModel.bounds).containsExactly(20L, 0L);
    assertThat(r.first().generatedTokenIds()).hasSize(9);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.BUDGET);
    assertThat(granted).containsExactly(9L);
  }
}

package io.costgen.cost.budget;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Catches and logs (WARN) what a user {@link BudgetListener} throws. */
final class GuardedBudgetListener implements BudgetListener {
  private static final Logger LOG = LoggerFactory.getLogger(BudgetListener.class);
  private final BudgetListener delegate;

  GuardedBudgetListener(BudgetListener delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void onThreshold(Budget budget, BudgetStatus status, double threshold) {
    try {
      delegate.onThreshold(budget, status, threshold);
    } catch (RuntimeException e) {
      LOG.warn("BudgetListener.onThreshold failed for budget '{}'; ignored", budget.id(), e);
    }
  }

  @Override
  public void onExceeded(BudgetExceededException exceeded) {
    try {
      delegate.onExceeded(exceeded);
    } catch (RuntimeException e) {
      LOG.warn("BudgetListener.onExceeded failed for budget '{}'; ignored", exceeded.budgetId(), e);
    }
  }
}

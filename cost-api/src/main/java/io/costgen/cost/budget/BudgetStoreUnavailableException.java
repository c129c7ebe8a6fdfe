package io.costgen.cost.budget;

import io.costgen.cost.CostgenException;

/**
 * A shared {@link BudgetStore} could not reach its backing service (for Redis: refused or lost
 * connection, command timeout, server loading), so under {@link FailurePolicy#FAIL_CLOSED} it
 * refused the operation. Nothing was admitted; a retry may succeed once the service is back.
 * Unchecked; immutable.
 */
public class BudgetStoreUnavailableException extends CostgenException {
  private static final long serialVersionUID = 1L;

  public BudgetStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

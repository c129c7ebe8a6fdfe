package io.costgen.redis;

/**
 * Redis could not be reached (refused or lost connection, command timeout, server loading), so a
 * {@link RedisBudgetStore} under {@link FailurePolicy#FAIL_CLOSED} refused the operation. Nothing
 * was admitted; a retry may succeed once Redis is back (the client reconnects with backoff).
 * Unchecked.
 */
public class BudgetStoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BudgetStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

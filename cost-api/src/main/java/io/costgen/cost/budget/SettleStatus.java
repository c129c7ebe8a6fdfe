package io.costgen.cost.budget;

/**
 * What {@link Budgets#settle} did. Every status except {@link #DUPLICATE} and {@link #UNKNOWN}
 * means the actual amounts were added to the spend of every budget the reservation held.
 */
public enum SettleStatus {
  /** Settled within the lease: the reservation was replaced by the actual spend. */
  SETTLED,
  /**
   * The lease had expired (its hold was or would have been freed), but the actual spend was still
   * recorded in the windows the reservation was admitted to: spend is never lost.
   */
  SETTLED_AFTER_EXPIRY,
  /** The reservation had been released; the actual spend was still recorded. */
  SETTLED_AFTER_RELEASE,
  /** Already settled: a retried settle counts once; nothing changed. */
  DUPLICATE,
  /**
   * No such reservation: never made; or settled and then forgotten after its lease ended (a retry
   * that late changes nothing either way); or never settled and forgotten after its windows and
   * lease all ended, when its spend can no longer affect any limit. Nothing changed.
   */
  UNKNOWN;

  /** Whether this settle added the actual amounts to the budgets. */
  public boolean recorded() {
    return this == SETTLED || this == SETTLED_AFTER_EXPIRY || this == SETTLED_AFTER_RELEASE;
  }
}

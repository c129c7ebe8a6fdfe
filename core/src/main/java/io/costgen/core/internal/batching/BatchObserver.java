package io.costgen.core.internal.batching;

/**
 * Test and diagnostics hook into a {@link BatchScheduler}: told what the scheduler thread does.
 * Internal (not an API); calls are made on the scheduler thread, except {@link #queued} (on the
 * submitting thread) and {@link #stopRequested} (on the cancelling thread). Must be fast and must
 * not throw.
 */
public interface BatchObserver {

  /** A call was queued; {@code waiting} calls (this one included) wait for admission. */
  default void queued(int waiting) {}

  /**
   * A prefill pass ran for one call, or for a group of calls admitted together:
   * {@code rows} rows × {@code columns} prompt positions.
   */
  default void prefilled(int rows, int columns) {}

  /**
   * A batched decode step ran (or failed): {@code rows} rows of {@code calls} calls, the batch
   * cache holding {@code positions} positions per row (padding included) before the step.
   */
  default void stepped(int rows, int calls, int positions) {}

  /** A call's session was cancelled or closed; the call stops at the next iteration. */
  default void stopRequested() {}

  /** The batch emptied and its session was closed (its padding is gone). */
  default void batchClosed() {}
}

package io.costgen.core.internal.batching;

import java.util.List;

/**
 * Splits the measured time of a batched pass over the calls in it, by their rows in the pass, in
 * whole nanoseconds whose sum is exactly the measured time (the last call takes the remainder).
 * Stateless.
 */
final class DeviceTimeSplit {
  private DeviceTimeSplit() {}

  /**
   * The shares of {@code nanos} for calls with {@code rows[i]} rows each ({@code totalRows} in all).
   * Exact: the shares sum to {@code nanos}.
   */
  static long[] shares(long nanos, int[] rows, int totalRows) {
    long[] out = new long[rows.length];
    long assigned = 0;
    for (int i = 0; i < rows.length; i++) {
      long share;
      if (i == rows.length - 1) {
        share = nanos - assigned;
      } else {
        try {
          share = Math.multiplyExact(nanos, (long) rows[i]) / totalRows;
        } catch (ArithmeticException e) {
          share = (long) ((double) nanos * rows[i] / totalRows);
        }
      }
      assigned += share;
      out[i] = share;
    }
    return out;
  }

  /**
   * Charges each call in {@code calls} its share of {@code nanos} (by its rows in the batch
   * session) and tells its usage counter its fraction of the last pass.
   */
  static void charge(List<ScheduledCall> calls, long nanos, int totalRows) {
    int[] rows = new int[calls.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = calls.get(i).sharedRows;
    }
    long[] shares = shares(nanos, rows, totalRows);
    for (int i = 0; i < rows.length; i++) {
      ScheduledCall c = calls.get(i);
      c.charge(shares[i]);
      c.member.usageCounter().shareLastPass((double) rows[i] / totalRows);
    }
  }

  /**
   * Charges each call in {@code calls} its share of {@code nanos} by its rows ({@code sharedRows}),
   * without touching usage: a grouped prefill pass, or a cache copy before a group joins.
   */
  static void chargeByRows(List<ScheduledCall> calls, long nanos) {
    if (calls.isEmpty()) {
      return;
    }
    int[] rows = new int[calls.size()];
    int total = 0;
    for (int i = 0; i < rows.length; i++) {
      rows[i] = calls.get(i).sharedRows;
      total += rows[i];
    }
    long[] shares = shares(Math.max(0, nanos), rows, total);
    for (int i = 0; i < rows.length; i++) {
      calls.get(i).charge(shares[i]);
    }
  }
}

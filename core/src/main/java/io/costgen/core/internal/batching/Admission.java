package io.costgen.core.internal.batching;

import io.costgen.core.BatchingPolicy;
import java.util.List;

/**
 * The batch's capacity rules: whether a call could ever run ({@link #checkFits}) and whether it
 * may join the batch now ({@link #fits}). Pure: reads the policy, the model's KV bytes per token
 * and context length, and the members it is shown. Immutable; thread-safe.
 */
final class Admission {
  private final BatchingPolicy policy;
  private final double kvBytesPerToken;
  private final int contextLength;

  Admission(BatchingPolicy policy, double kvBytesPerToken, int contextLength) {
    this.policy = policy;
    this.kvBytesPerToken = kvBytesPerToken;
    this.contextLength = contextLength;
  }

  /**
   * Rejects a call that could never run within {@link BatchingPolicy#maxKvCacheBytes}, even
   * alone: rows × (prompt width + new tokens) × KV bytes per token.
   *
   * @throws IllegalArgumentException naming the limit, the need and how it is counted
   */
  void checkFits(BatchDemand d) {
    double positions = (double) d.promptWidth() + d.maxNewTokens();
    double bytes = d.rows() * positions * kvBytesPerToken;
    if (bytes > policy.maxKvCacheBytes()) {
      throw new IllegalArgumentException(String.format(
          "maxKvCacheBytes: %d bytes allowed by the batching policy, but this call alone needs up to %.0f bytes"
              + " of KV cache (%d rows x %.0f positions x %.0f bytes per token); raise the limit or shorten the"
              + " call", policy.maxKvCacheBytes(), bytes, d.rows(), positions, kvBytesPerToken));
    }
  }

  /**
   * Whether the batch made of {@code members} (the calls already in it, the ones admitted this
   * iteration and the candidate) stays within maxBatchRows, and its projected KV cache — rows ×
   * (widest row + prefill chunks still to run + most remaining steps) — within maxKvCacheBytes
   * and the model's context length.
   *
   * @param sharedPositions positions per row in the batch session now
   * @param chunkTokens prompt positions per prefill chunk, or 0 when prefill is not chunked
   */
  boolean fits(List<ScheduledCall> members, long sharedPositions, int chunkTokens) {
    long rows = 0;
    long width = sharedPositions;
    long chunks = 0;
    long steps = 0;
    for (ScheduledCall m : members) {
      rows += m.demand.rows();
      steps = Math.max(steps, m.remainingSteps());
      if (m.state == ScheduledCall.State.READY) {
        width = Math.max(width, m.readyPositions());
      } else if (m.state != ScheduledCall.State.ACTIVE) {
        width = Math.max(width, m.demand.promptWidth());
        chunks += chunksLeft(m, chunkTokens);
      }
    }
    if (rows > policy.maxBatchRows()) {
      return false;
    }
    long end = width + chunks + steps;
    if (end > contextLength) {
      return false;
    }
    return rows * (double) end * kvBytesPerToken <= policy.maxKvCacheBytes();
  }

  private static long chunksLeft(ScheduledCall m, int chunk) {
    if (chunk == 0) {
      return 1;
    }
    long left = (long) Math.max(0, m.demand.promptWidth() - m.prefilledColumns) * m.demand.rows();
    return (left + chunk - 1) / chunk + 1;
  }
}

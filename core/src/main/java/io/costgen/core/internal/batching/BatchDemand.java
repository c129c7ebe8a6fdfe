package io.costgen.core.internal.batching;

/**
 * What a call may need from a batch, worst case. Internal.
 *
 * @param rows most rows the call holds at once (inputs × beams or × sampled copies)
 * @param promptWidth the longest prompt, in tokens (the width of its left-padded prefill block)
 * @param maxNewTokens most decode steps the call can run
 */
public record BatchDemand(int rows, int promptWidth, int maxNewTokens) {

  public BatchDemand {
    if (rows < 1 || promptWidth < 1 || maxNewTokens < 0) {
      throw new IllegalArgumentException("BatchDemand: rows " + rows + ", promptWidth " + promptWidth
          + ", maxNewTokens " + maxNewTokens);
    }
  }
}

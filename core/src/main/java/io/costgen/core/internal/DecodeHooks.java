package io.costgen.core.internal;

import io.costgen.core.FinishReason;

/**
 * How a decoder talks back to the call that runs it. Internal. Called on the decoding thread.
 */
public interface DecodeHooks {

  /**
   * Checked after each forward pass (and before the first): {@link FinishReason#CANCELLED} or
   * {@link FinishReason#DEADLINE} to end every unfinished sequence, or {@code null} to go on.
   */
  FinishReason pollStop();

  /** The reason for sequences cut short when the backend aborted a pass ({@code GenerationCancelledException}). */
  FinishReason abortReason();

  /**
   * A token was appended to sequence {@code row} (streaming rows only: greedy and sampling);
   * {@code finish} is non-null when it ends the sequence.
   */
  void onToken(int row, long tokenId, FinishReason finish);

  /** A selection phase ended; {@code tokensSoFar} tokens have been generated in all rows. */
  void onStep(int tokensSoFar);
}

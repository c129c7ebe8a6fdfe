package io.costgen.core.internal;

import java.util.List;

/**
 * A decoding strategy run in small steps so that a caller can drive it (synchronously or from a
 * pulling iterator). Internal. Not thread-safe.
 */
public interface Decoder {

  /**
   * Runs the next phase (prefill, token selection, or one forward pass).
   *
   * @return false once every sequence is finished
   */
  boolean advance();

  /** Tokens generated so far in all rows the backend decodes. */
  int tokensSoFar();

  /**
   * Ends every unfinished sequence with {@code reason} (used when the caller stops driving);
   * safe to call after completion.
   */
  void stop(io.costgen.core.FinishReason reason);

  /** The sequences, by input then rank; complete once {@link #advance()} returned false. */
  List<Hypothesis> results();
}

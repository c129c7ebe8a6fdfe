package io.costgen.core.spi;

import io.costgen.core.BackendException;
import io.costgen.core.GenerationCancelledException;

/**
 * One call's view of a model: a batch of rows, each with its own KV cache, attention mask and
 * positions, owned by this session.
 *
 * <p>Rows are left-padded: a row's padding positions are never attended to, and its positions
 * (for position embeddings) count only attended tokens, starting at 0 at its first real token,
 * so each row computes exactly what it would compute alone.
 *
 * <p>The {@link Logits} returned by {@link #prefill} and {@link #step} stay valid until the next
 * call on this session. Not thread-safe, except {@link #cancel()}, which may be called from any
 * thread. Backend failures are reported as {@link BackendException}.
 */
public interface DecoderSession extends AutoCloseable {

  /**
   * Appends a block of tokens to every row (the prompt; or a chunk of it, when the cache is
   * not empty). {@code tokenIds} has one row per batch row, all of equal length;
   * {@code leftPadding[r]} leading positions of row {@code r} are padding (not attended; their
   * ids are ignored). The first call defines the number of rows; later calls must pass the same
   * number of rows and no padding.
   *
   * @return the logits at the last position of each row
   */
  Logits prefill(long[][] tokenIds, int[] leftPadding);

  /** Appends one token to every row ({@code tokenIds.length == rows()}). */
  Logits step(long[] tokenIds);

  /**
   * Keeps the given rows in the given order; an index may repeat (beam search) and rows not
   * named are dropped (finished sequences). Cheap: no forward pass. Leading padding positions
   * that every kept row shares may be dropped with them, so {@link #cachedPositions()} can
   * shrink; the rows' tokens and positions are unchanged.
   */
  void selectRows(int[] rows);

  /**
   * Appends the rows of {@code other} (a session of the same backend) to this session, aligning
   * their caches by left padding, and closes {@code other}. Used by continuous batching.
   *
   * @throws UnsupportedOperationException if the backend cannot merge sessions
   */
  default void appendRows(DecoderSession other) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot merge sessions");
  }

  /** Number of rows now in the batch. */
  int rows();

  /** Positions held in the cache per row, padding included (0 before the first prefill). */
  int cachedPositions();

  /**
   * Aborts a {@link #prefill} or {@link #step} running on another thread; that call then
   * throws {@link GenerationCancelledException}. Safe to call at any time, from any thread.
   */
  void cancel();

  /** Releases native memory. Idempotent. */
  @Override
  void close();
}

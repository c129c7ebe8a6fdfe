package io.costgen.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TextGenerator} batches concurrent calls (continuous, iteration-level batching;
 * see {@code docs/batching.md}). Off unless set with {@link TextGenerator.Builder#batching}.
 *
 * <pre>{@code
 * TextGenerator generator = TextGenerator.builder(backend)
 *     .batching(BatchingPolicy.builder().maxBatchRows(8).prefillChunkTokens(128).build())
 *     .build();
 * }</pre>
 *
 * <ul>
 *   <li>{@code maxBatchRows}: most sequences (rows) decoded by one forward pass, in rows; a call
 *       with more rows than this runs alone. Default {@value #DEFAULT_MAX_BATCH_ROWS}.
 *   <li>{@code maxWait}: when the scheduler is idle and a call arrives, how long the first step
 *       waits for more calls to join it (until {@code maxBatchRows} rows are waiting);
 *       {@link Duration#ZERO} (the default) starts at once. A batch already running never waits:
 *       new calls join at the next step.
 *   <li>{@code maxKvCacheBytes}: most bytes of KV cache the batch may hold, counted as
 *       {@link io.costgen.cost.ModelShape#kvCacheBytesPerToken kvCacheBytesPerToken} × rows ×
 *       positions (left padding included), projected to the end of every call in it; a call that
 *       would exceed it waits (a call that exceeds it alone is rejected with
 *       {@link IllegalArgumentException}). Default {@link Long#MAX_VALUE} (no limit).
 *   <li>{@code prefillChunkTokens}: most prompt positions (rows × columns, padding included)
 *       prefilled between two decode steps, so a long prompt does not stall the running calls;
 *       0 prefills each prompt in one pass. Default {@value #DEFAULT_PREFILL_CHUNK_TOKENS}.
 *   <li>{@code groupedJoins}: calls admitted in the same scheduling iteration (they arrived while
 *       the batch ran one step, or while it waited) are prefilled together, as the left-padded rows
 *       of ONE prefill pass (in chunks of {@code prefillChunkTokens}), then join the batch
 *       together; each call is charged its rows' share of that pass's device time. {@code false}
 *       prefills every call in its own pass, one after another. Results are the same either way.
 *       A call joins an iteration's group only while the group's first chunk (rows × (widest left
 *       padding + 1)) stays within {@code prefillChunkTokens}. Default {@code true}.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxBatchRows rows per forward pass, in [1, 65536]
 * @param maxWait wait for joiners before a batch starts from idle, in [0, 1 minute]
 * @param maxKvCacheBytes batch KV-cache limit in bytes, at least 1
 * @param prefillChunkTokens prompt tokens per iteration, in [0, 1048576] (0 = whole prompts)
 * @param groupedJoins prefill the calls admitted in one iteration together (one multi-row pass)
 */
public record BatchingPolicy(int maxBatchRows, Duration maxWait, long maxKvCacheBytes, int prefillChunkTokens,
    boolean groupedJoins) {

  /** Default {@code maxBatchRows}. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 16;
  /** Default {@code prefillChunkTokens}. */
  public static final int DEFAULT_PREFILL_CHUNK_TOKENS = 256;

  private static final int MAX_ROWS = 65_536;
  private static final Duration MAX_WAIT = Duration.ofMinutes(1);
  private static final int MAX_CHUNK = 1 << 20;

  /** Validates every field (see the class description for ranges). */
  public BatchingPolicy {
    if (maxBatchRows < 1 || maxBatchRows > MAX_ROWS) {
      throw new IllegalArgumentException("maxBatchRows: " + maxBatchRows + " not in [1, " + MAX_ROWS + "]");
    }
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative() || maxWait.compareTo(MAX_WAIT) > 0) {
      throw new IllegalArgumentException("maxWait: " + maxWait + " not in [PT0S, " + MAX_WAIT + "]");
    }
    if (maxKvCacheBytes < 1) {
      throw new IllegalArgumentException("maxKvCacheBytes: " + maxKvCacheBytes + " bytes must be >= 1");
    }
    if (prefillChunkTokens < 0 || prefillChunkTokens > MAX_CHUNK) {
      throw new IllegalArgumentException("prefillChunkTokens: " + prefillChunkTokens + " not in [0, " + MAX_CHUNK
          + "] (0 = whole prompts)");
    }
  }

  /**
   * A policy with grouped joins on (the form before {@code groupedJoins} existed).
   *
   * @see #BatchingPolicy(int, Duration, long, int, boolean)
   */
  public BatchingPolicy(int maxBatchRows, Duration maxWait, long maxKvCacheBytes, int prefillChunkTokens) {
    this(maxBatchRows, maxWait, maxKvCacheBytes, prefillChunkTokens, true);
  }

  /** The defaults: 16 rows, no wait, no KV limit, 256-token prefill chunks, grouped joins. */
  public static BatchingPolicy defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's values. */
  public Builder toBuilder() {
    return new Builder().maxBatchRows(maxBatchRows).maxWait(maxWait).maxKvCacheBytes(maxKvCacheBytes)
        .prefillChunkTokens(prefillChunkTokens).groupedJoins(groupedJoins);
  }

  /** Builder for {@link BatchingPolicy}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private int maxBatchRows = DEFAULT_MAX_BATCH_ROWS;
    private Duration maxWait = Duration.ZERO;
    private long maxKvCacheBytes = Long.MAX_VALUE;
    private int prefillChunkTokens = DEFAULT_PREFILL_CHUNK_TOKENS;
    private boolean groupedJoins = true;

    private Builder() {}

    /** Most rows (sequences) per forward pass, in [1, 65536]. */
    public Builder maxBatchRows(int rows) {
      this.maxBatchRows = rows;
      return this;
    }

    /** How long a batch starting from idle waits for joiners, in [0, 1 minute]; 0 = go at once. */
    public Builder maxWait(Duration wait) {
      this.maxWait = Objects.requireNonNull(wait, "maxWait");
      return this;
    }

    /** Most bytes of KV cache the batch may hold (projected); at least 1. */
    public Builder maxKvCacheBytes(long bytes) {
      this.maxKvCacheBytes = bytes;
      return this;
    }

    /** Prompt tokens prefilled between two decode steps, in [0, 1048576]; 0 = whole prompts. */
    public Builder prefillChunkTokens(int tokens) {
      this.prefillChunkTokens = tokens;
      return this;
    }

    /**
     * Whether calls admitted in the same iteration are prefilled together in one multi-row pass
     * ({@code true}, the default) or each in its own pass ({@code false}).
     */
    public Builder groupedJoins(boolean grouped) {
      this.groupedJoins = grouped;
      return this;
    }

    public BatchingPolicy build() {
      return new BatchingPolicy(maxBatchRows, maxWait, maxKvCacheBytes, prefillChunkTokens, groupedJoins);
    }
  }
}

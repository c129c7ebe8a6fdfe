package io.costgen.core.internal;

import io.costgen.cost.DType;
import io.costgen.cost.ModelShape;

/**
 * Counts the work of one call as the loop runs: forward passes, decode steps, FLOPs and bytes.
 *
 * <ul>
 *   <li>FLOPs: every processed real token at 0-based position {@code p} costs
 *       {@link ModelShape#forwardFlopsPerToken(int) forwardFlopsPerToken(p + 1)} (Kaplan et al.
 *       2020 plus the LM head). Padding positions are not charged.
 *   <li>Bytes: each forward pass reads all weights once ({@link ModelShape#weightBytes}) plus,
 *       for every row, the KV cache of the tokens before the new ones
 *       ({@link ModelShape#kvCacheBytesPerToken} × cached real tokens).
 * </ul>
 *
 * <p>Internal. Not thread-safe (one per call).
 */
public final class UsageCounter {
  private final ModelShape shape;
  private final double weightBytes;
  private final double kvBytesPerToken;
  private long forwardPasses;
  private long decodeSteps;
  private double prefillFlops;
  private double decodeFlops;
  private double bytesMoved;
  private long decodedRowTokens;

  public UsageCounter(ModelShape shape, DType weightDtype, DType kvDtype) {
    this.shape = shape;
    this.weightBytes = shape.weightBytes(weightDtype);
    this.kvBytesPerToken = shape.kvCacheBytesPerToken(kvDtype);
  }

  /** One prefill pass over rows holding {@code promptLengths[r]} real tokens (empty cache). */
  public void prefill(int[] promptLengths, int rows) {
    forwardPasses++;
    bytesMoved += weightBytes;
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < promptLengths[r]; p++) {
        prefillFlops += shape.forwardFlopsPerToken(p + 1);
      }
    }
  }

  /** One decode pass: row {@code r} processes its token at context length {@code contexts[r]}. */
  public void decodeStep(int[] contexts, int rows) {
    forwardPasses++;
    decodeSteps++;
    bytesMoved += weightBytes;
    for (int r = 0; r < rows; r++) {
      decodeFlops += shape.forwardFlopsPerToken(contexts[r]);
      bytesMoved += kvBytesPerToken * (contexts[r] - 1);
    }
    decodedRowTokens += rows;
  }

  public long forwardPasses() {
    return forwardPasses;
  }

  public long decodeSteps() {
    return decodeSteps;
  }

  public double prefillFlops() {
    return prefillFlops;
  }

  public double decodeFlops() {
    return decodeFlops;
  }

  public double bytesMoved() {
    return bytesMoved;
  }

  /** Tokens fed through decode passes (one per running row per step). */
  public long decodedRowTokens() {
    return decodedRowTokens;
  }
}

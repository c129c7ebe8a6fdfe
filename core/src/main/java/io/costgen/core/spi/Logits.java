package io.costgen.core.spi;

/**
 * Next-token scores of the rows of a {@link DecoderSession}, a view valid until the session's
 * next call. Scores are raw (pre-softmax) float32 values; half-precision outputs are converted.
 */
public interface Logits {

  int rows();

  /** Entries per row: the model's vocabulary size. */
  int vocabSize();

  /** Copies row {@code row} into {@code dest[0..vocabSize)} without allocating. */
  void copyRow(int row, float[] dest);
}

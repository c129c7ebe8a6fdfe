package io.costgen.core.internal.batching;

import io.costgen.core.spi.Logits;

/**
 * A call's window onto logits computed later: the scheduler binds it, after the forward pass
 * runs, to the call's rows {@code [offset, offset + rows)} of the pass's logits. A decoder reads
 * it only on its next phase, by which time it is bound. Internal; scheduler thread only.
 */
final class DeferredLogits implements Logits {
  private final int vocab;
  private Logits source;
  private int offset;
  private int rows;

  DeferredLogits(int vocab) {
    this.vocab = vocab;
  }

  void bind(Logits source, int offset, int rows) {
    this.source = source;
    this.offset = offset;
    this.rows = rows;
  }

  void unbind() {
    this.source = null;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public void copyRow(int row, float[] dest) {
    if (source == null) {
      throw new IllegalStateException("logits read before the batched forward pass ran");
    }
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row " + row + " not in [0, " + rows + ")");
    }
    source.copyRow(offset + row, dest);
  }
}

package io.costgen.core.testing;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import java.util.Objects;

/**
 * A {@link DecoderSession} that forwards every call to {@link #delegate}: test backends extend
 * it and override only the calls they change (fail, gate, count). {@link #appendRows} hands
 * the other session's delegate on, so wrapped sessions merge as their delegates do. Thread-safety
 * is the delegate's.
 */
public abstract class ForwardingDecoderSession implements DecoderSession {
  protected final DecoderSession delegate;

  protected ForwardingDecoderSession(DecoderSession delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public Logits prefill(long[][] tokenIds, int[] leftPadding) {
    return delegate.prefill(tokenIds, leftPadding);
  }

  @Override
  public Logits step(long[] tokenIds) {
    return delegate.step(tokenIds);
  }

  @Override
  public void selectRows(int[] rows) {
    delegate.selectRows(rows);
  }

  @Override
  public void appendRows(DecoderSession other) {
    delegate.appendRows(other instanceof ForwardingDecoderSession f ? f.delegate : other);
  }

  @Override
  public int rows() {
    return delegate.rows();
  }

  @Override
  public int cachedPositions() {
    return delegate.cachedPositions();
  }

  @Override
  public void cancel() {
    delegate.cancel();
  }

  @Override
  public void close() {
    delegate.close();
  }
}

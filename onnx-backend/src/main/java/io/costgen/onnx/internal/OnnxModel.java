package io.costgen.onnx.internal;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.costgen.core.ModelInfo;
import io.costgen.onnx.OnnxModelLayout;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded model: the ONNX Runtime session, its discovered layout and model info, a pool of
 * run buffers, and the bookkeeping that makes {@link #close()} safe: every run holds a read
 * lock, {@code close()} takes the write lock, so it waits for runs in flight and later runs fail
 * with {@link IllegalStateException} (ONNX Runtime must never free a session that is running).
 *
 * <p>Thread-safe: ONNX Runtime's {@code Run} may be called concurrently on one session.
 */
public final class OnnxModel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final OnnxModelLayout layout;
  private final ModelInfo info;
  private final int logitsRank;
  private final boolean lastPositionOnly;
  private final Set<String> presentNames;
  private final ReentrantReadWriteLock runLock = new ReentrantReadWriteLock(true);
  private final AtomicInteger openSessions = new AtomicInteger();
  private final ArrayDeque<RunBuffers> pool = new ArrayDeque<>();
  private final int poolLimit;
  private volatile boolean closed;

  /**
   * Takes ownership of {@code session}.
   *
   * @param lastPositionOnly whether the graph was rewritten to return the last position's
   *     logits only ({@code [B, 1, V]} for every run)
   */
  public OnnxModel(OrtEnvironment env, OrtSession session, OnnxModelLayout layout, ModelInfo info,
      boolean lastPositionOnly) throws OrtException {
    this.lastPositionOnly = lastPositionOnly;
    this.env = env;
    this.session = session;
    this.layout = layout;
    this.info = info;
    this.logitsRank =
        ((TensorInfo) session.getOutputInfo().get(layout.logits().name()).getInfo())
            .getShape().length;
    this.presentNames = java.util.Collections.unmodifiableSet(
        new LinkedHashSet<>(layout.presentNames()));
    this.poolLimit = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }

  public OnnxModelLayout layout() {
    return layout;
  }

  public ModelInfo info() {
    return info;
  }

  OrtEnvironment env() {
    return env;
  }

  /** Whether logits carry a sequence axis ({@code [B, S, V]}) rather than {@code [B, V]}. */
  boolean logitsPerPosition() {
    return logitsRank == 3;
  }

  /** How many positions of logits a run over {@code fed} positions returns. */
  int logitsPositions(int fed) {
    return logitsRank == 3 && !lastPositionOnly ? fed : 1;
  }

  /** Whether prefills return the last position's logits only (the graph was rewritten). */
  public boolean lastPositionOnly() {
    return lastPositionOnly;
  }

  Set<String> presentNames() {
    return presentNames;
  }

  /** Opens a session over this model. */
  public OnnxDecoderSession openSession() {
    if (closed) {
      throw closedException();
    }
    openSessions.incrementAndGet();
    try {
      return new OnnxDecoderSession(this, acquireBuffers());
    } catch (RuntimeException e) {
      openSessions.decrementAndGet();
      throw e;
    }
  }

  /** Sessions opened and not yet closed. */
  public int openSessions() {
    return openSessions.get();
  }

  void sessionClosed(RunBuffers buffers) {
    openSessions.decrementAndGet();
    releaseBuffers(buffers);
  }

  private RunBuffers acquireBuffers() {
    synchronized (pool) {
      RunBuffers b = pool.pollFirst();
      if (b != null) {
        return b;
      }
    }
    return new RunBuffers(layout);
  }

  private void releaseBuffers(RunBuffers buffers) {
    buffers.trimForReuse();
    synchronized (pool) {
      if (!closed && pool.size() < poolLimit) {
        pool.addFirst(buffers);
        return;
      }
    }
    buffers.close();
  }

  /**
   * Runs the graph. Holds the read lock for the duration, so {@link #close()} waits for it.
   *
   * @throws IllegalStateException if the model is closed
   */
  OrtSession.Result run(Map<String, ? extends OnnxTensorLike> inputs, Set<String> requested,
      Map<String, ? extends OnnxValue> pinned, OrtSession.RunOptions options)
      throws OrtException {
    Lock lock = runLock.readLock();
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      return session.run(inputs, requested, pinned, options);
    } finally {
      lock.unlock();
    }
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("OnnxBackend for " + layout.modelFile() + " is closed");
  }

  /**
   * Waits for runs in flight, then releases the ONNX Runtime session and pooled buffers.
   * Idempotent. Sessions still open afterwards fail on their next run; closing them stays safe.
   */
  @Override
  public void close() {
    Lock lock = runLock.writeLock();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      int open = openSessions.get();
      if (open > 0) {
        LOG.warn("Closing OnnxBackend for {} with {} session(s) still open; their next run will"
            + " fail", layout.modelFile(), open);
      }
      try {
        session.close();
      } catch (OrtException e) {
        LOG.warn("Closing the ONNX Runtime session of {} failed", layout.modelFile(), e);
      }
    } finally {
      lock.unlock();
    }
    synchronized (pool) {
      for (RunBuffers b : pool) {
        b.close();
      }
      pool.clear();
    }
  }
}

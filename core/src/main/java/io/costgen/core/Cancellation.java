package io.costgen.core;

import io.costgen.core.spi.DecoderSession;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handle to cancel generation calls from any thread. {@link #cancel()} marks it cancelled and
 * aborts the forward pass running for every call it was given to ({@link DecoderSession#cancel()}).
 * A cancelled call does not throw: it returns (or streams) what it generated so far, with
 * {@link FinishReason#CANCELLED} for the unfinished sequences.
 *
 * <p>Usually one handle per call; one handle given to several calls cancels them all.
 * Cancellation cannot be undone. Thread-safe.
 */
public final class Cancellation {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellation.class);

  private volatile boolean cancelled;
  private final CopyOnWriteArrayList<Runnable> hooks = new CopyOnWriteArrayList<>();

  private Cancellation() {}

  /** A new, not cancelled handle. */
  public static Cancellation create() {
    return new Cancellation();
  }

  /** Cancels every call using this handle; idempotent. */
  public void cancel() {
    cancelled = true;
    for (Runnable hook : hooks) {
      runGuarded(hook);
    }
  }

  /** Whether {@link #cancel()} was called. */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Runs {@code hook} on {@link #cancel()} (at once if already cancelled) until the returned
   * registration is closed. Used by the generation loop to abort its in-flight forward pass.
   */
  Registration onCancel(Runnable hook) {
    hooks.add(hook);
    if (cancelled) {
      runGuarded(hook);
    }
    return () -> hooks.remove(hook);
  }

  private static void runGuarded(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      LOG.warn("cancellation hook failed; ignored", e);
    }
  }

  /** Detaches a hook. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  public String toString() {
    return "Cancellation[" + (cancelled ? "cancelled" : "active") + "]";
  }
}

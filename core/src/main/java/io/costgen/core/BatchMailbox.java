package io.costgen.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The queue between a batched call's decoder, which runs on the scheduler thread, and the call's
 * own thread, which delivers what the decoder did (streamed tokens, {@code CostListener.onToken}
 * steps) so that a slow callback never stalls the batch. The scheduler thread posts tokens and
 * steps, in order, then {@link #done} once; the call's thread {@link #deliver}s until it returns
 * false. Thread-safe (one poster, one deliverer).
 */
final class BatchMailbox {

  /** Receives one streamed token on the call's thread. */
  @FunctionalInterface
  interface TokenSink {
    void token(int row, long tokenId, FinishReason finish);
  }

  private record TokenEvent(int row, long tokenId, FinishReason finish) {}

  private final TokenSink tokens;
  private final IntConsumer steps;
  private final Object lock = new Object();
  /** Guarded by lock: queued {@link TokenEvent}s and step counts (Integer), in order. */
  private ArrayList<Object> events = new ArrayList<>();
  /** Guarded by lock. */
  private boolean done;
  /** Guarded by lock. */
  private Throwable error;

  /**
   * @param tokens gets every posted token, on the delivering thread
   * @param steps gets every posted step (tokens so far), on the delivering thread
   */
  BatchMailbox(TokenSink tokens, IntConsumer steps) {
    this.tokens = tokens;
    this.steps = steps;
  }

  /** Scheduler thread: one chosen token. */
  void postToken(int row, long tokenId, FinishReason finish) {
    post(new TokenEvent(row, tokenId, finish));
  }

  /** Scheduler thread: one decoding step done ({@code tokensSoFar} over all rows). */
  void postStep(int tokensSoFar) {
    post(tokensSoFar);
  }

  private void post(Object event) {
    synchronized (lock) {
      events.add(event);
      lock.notifyAll();
    }
  }

  /** Scheduler thread: nothing more will be posted; {@code error} is why the call failed, or null. */
  void done(Throwable error) {
    synchronized (lock) {
      this.done = true;
      this.error = error;
      lock.notifyAll();
    }
  }

  /**
   * Waits until events are queued or the scheduler is done, then delivers the queued events on
   * this thread. An interrupt runs {@code onInterrupt} (which should stop the call) and keeps
   * waiting; the interrupt status is restored before returning.
   *
   * @return false once the scheduler is done with the call (then see {@link #error()})
   */
  boolean deliver(Runnable onInterrupt) {
    List<Object> batch;
    boolean finished;
    boolean interrupted = false;
    synchronized (lock) {
      while (events.isEmpty() && !done) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
          onInterrupt.run();
        }
      }
      batch = events;
      events = new ArrayList<>();
      finished = done;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    for (Object e : batch) {
      if (e instanceof TokenEvent t) {
        tokens.token(t.row(), t.tokenId(), t.finish());
      } else {
        steps.accept((Integer) e);
      }
    }
    return !finished;
  }

  /** Why the scheduler failed the call, or null; meaningful once {@link #deliver} returned false. */
  Throwable error() {
    synchronized (lock) {
      return error;
    }
  }
}

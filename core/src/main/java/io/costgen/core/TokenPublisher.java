package io.costgen.core;

import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streamed tokens of one generation or chat call as a {@link Flow.Publisher}
 * ({@link TextGenerator#publish}, {@link TextGenerator#publishChat}), and the call's result.
 *
 * <p><b>Cold, single subscriber</b>: the call starts on the subscriber's first {@code request(n)}
 * (validation, the budget reservation, then the forward passes), not before; a second subscriber
 * gets {@code onSubscribe} then {@code onError(IllegalStateException)}. Every error — validation,
 * a budget refusal, a template error, a backend failure — arrives as {@code onError}.
 *
 * <p><b>Threading</b>: {@code onSubscribe} runs on the subscribing thread; {@code onNext},
 * {@code onComplete} and {@code onError} run on the executor given to {@code publish} (one at a
 * time, never concurrently, with happens-before between them). The forward passes of an unbatched
 * call run on that executor too, inside the same tasks. A task delivers tokens while demand lasts
 * and then returns its thread; it holds no thread while the subscriber has no demand.
 *
 * <p><b>Back-pressure</b>: at most as many {@code onNext} as requested in total. Without
 * {@linkplain TextGenerator.Builder#batching batching} the generation <em>waits</em>: no forward
 * pass runs while demand is zero (the session, its KV cache and the budget reservation stay held;
 * deadlines keep running). A forward pass yields one token per sequence, so at most
 * {@code rows - 1} tokens of a multi-sequence call are held back between requests. With batching
 * the shared batch does not wait for one subscriber: the call's tokens are <em>buffered</em>,
 * bounded by the call's {@code maxNewTokens} per sequence.
 *
 * <p><b>Cancellation</b>: {@link Flow.Subscription#cancel()} (any thread, returns at once) aborts
 * the running forward pass and stops the call; it then settles its budget reservation and is
 * recorded by the meter and the listeners ({@code onCancel}) as a cancelled call, and no further
 * signal is sent. {@code request(n)} with {@code n <= 0} cancels the call the same way and signals
 * {@code onError(IllegalArgumentException)}. A subscriber that throws from {@code onNext} is
 * treated as having cancelled (logged). Closing the generator cancels the call and signals
 * {@code onError(CancellationException)}. Exactly one terminal signal is sent unless the
 * subscriber cancelled.
 *
 * <p>Thread-safe.
 *
 * @param <R> the call's result: {@link GenerationResult} or {@link io.costgen.core.chat.ChatResult}
 */
public final class TokenPublisher<R> implements Flow.Publisher<StreamedToken> {
  private static final Logger LOG = LoggerFactory.getLogger(TokenPublisher.class);

  /** A started call as the publisher drives it. */
  record Source<R>(Iterator<StreamedToken> tokens, Supplier<R> result, Runnable abort, Runnable close) {}

  private final AsyncCalls async;
  private final Executor executor;
  private final Supplier<Source<R>> opener;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final CompletableFuture<R> result = new CompletableFuture<>();

  TokenPublisher(AsyncCalls async, Executor executor, Supplier<Source<R>> opener) {
    this.async = async;
    this.executor = executor;
    this.opener = opener;
  }

  /**
   * Subscribes {@code subscriber}: {@code onSubscribe} is called on this thread before any other
   * signal. Only the first subscriber runs the call.
   *
   * @throws NullPointerException when {@code subscriber} is null
   */
  @Override
  public void subscribe(Flow.Subscriber<? super StreamedToken> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    if (!subscribed.compareAndSet(false, true)) {
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      });
      subscriber.onError(new IllegalStateException("subscriber: this TokenPublisher already has one; it runs"
          + " one call for one subscriber (call publish(...) again for another call)"));
      return;
    }
    Sub s = new Sub(subscriber);
    s.wip.set(1); // hold the drain while onSubscribe runs: signals stay serial
    try {
      subscriber.onSubscribe(s);
    } catch (Throwable t) {
      LOG.warn("Flow subscriber threw from onSubscribe; the call is cancelled", t);
      s.subscriberFailure = t;
      s.cancel();
    }
    if (!async.register(s.closeHook)) {
      s.generatorClosed();
    }
    if (s.wip.decrementAndGet() != 0) {
      s.dispatch();
    }
  }

  /**
   * The call's result, completed when the call ends: normally also when the subscriber cancelled
   * (the result then has {@link FinishReason#CANCELLED}); exceptionally when the call failed or
   * was refused, when it was cancelled before it started ({@link CancellationException}), or with
   * the exception a subscriber threw. A copy: completing or cancelling it does not touch the call
   * (cancel the subscription for that).
   */
  public CompletableFuture<R> result() {
    return result.copy();
  }

  private final class Sub implements Flow.Subscription, Runnable {
    private final Flow.Subscriber<? super StreamedToken> subscriber;
    private final AtomicLong demand = new AtomicLong();
    final AtomicInteger wip = new AtomicInteger();
    final Runnable closeHook = this::generatorClosed;
    volatile boolean cancelled;
    /** Why the call stops without the subscriber cancelling: request(n <= 0), generator closed. */
    private volatile Throwable stopError;
    private volatile Source<R> source;
    /** Drain only (or before it can run). */
    Throwable subscriberFailure;
    private boolean done;

    Sub(Flow.Subscriber<? super StreamedToken> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        stop(new IllegalArgumentException("request: n = " + n + " must be > 0 (Reactive Streams rule 3.9)"));
        return;
      }
      demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
      schedule();
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        abortSource();
        schedule();
      }
    }

    void generatorClosed() {
      stop(new CancellationException("TextGenerator closed; the call was cancelled"));
    }

    private void stop(Throwable why) {
      if (stopError == null) {
        stopError = why;
      }
      abortSource();
      schedule();
    }

    private void abortSource() {
      Source<R> s = source;
      if (s != null) {
        s.abort().run();
      }
    }

    private void schedule() {
      if (wip.getAndIncrement() == 0) {
        dispatch();
      }
    }

    /** Runs the drain on the executor; this thread holds the drain (wip > 0). */
    void dispatch() {
      try {
        executor.execute(this);
      } catch (RejectedExecutionException e) {
        // No thread to generate on: end the call here (it settles) and tell the subscriber.
        if (stopError == null) {
          stopError = e;
        }
        abortSource();
        run();
      }
    }

    @Override
    public void run() {
      int missed = 1;
      do {
        drain();
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private boolean stopping() {
      return cancelled || stopError != null;
    }

    private void drain() {
      if (done) {
        return;
      }
      while (!stopping()) {
        if (demand.get() == 0) {
          return; // paused: the next request(n) schedules a new drain
        }
        Source<R> s = source;
        if (s == null) {
          try {
            source = opener.get();
          } catch (Throwable t) { // validation, budget refusal, template: nothing started
            finish(null, t);
            return;
          }
          continue; // re-check stopping(): a cancel() that saw no source yet
        }
        StreamedToken token;
        try {
          boolean more = s.tokens().hasNext();
          if (stopping()) {
            break; // cancelled while the pass ran: the stream ends with CANCELLED, no terminal signal
          }
          if (!more) {
            R r = s.result().get();
            finish(r, null);
            return;
          }
          token = s.tokens().next();
        } catch (Throwable t) { // the call failed: it has settled and been recorded
          finish(null, t);
          return;
        }
        demand.decrementAndGet();
        try {
          subscriber.onNext(token);
        } catch (Throwable t) {
          LOG.warn("Flow subscriber threw from onNext (Reactive Streams rule 2.13); the call is cancelled", t);
          subscriberFailure = t;
          cancelled = true;
        }
      }
      stopNow();
    }

    /** Cancelled, refused demand or generator closed: end the call (it settles) and signal. */
    private void stopNow() {
      done = true;
      async.deregister(closeHook);
      Source<R> s = source;
      R r = null;
      Throwable failure = subscriberFailure;
      if (s != null) {
        try {
          s.close().run();
          r = s.result().get();
        } catch (Throwable t) {
          failure = failure == null ? t : failure;
        }
      }
      if (failure != null) {
        result.completeExceptionally(failure);
      } else if (r != null) {
        result.complete(r);
      } else {
        result.completeExceptionally(new CancellationException("cancelled before the call started"));
      }
      Throwable error = stopError;
      if (!cancelled && error != null) {
        signalError(error);
      }
    }

    /** The call ended by itself: complete, or fail with {@code error}. */
    private void finish(R r, Throwable error) {
      done = true;
      async.deregister(closeHook);
      Source<R> s = source;
      if (s != null && error != null) {
        try {
          s.close().run();
        } catch (RuntimeException e) {
          error.addSuppressed(e);
        }
      }
      if (error != null) {
        result.completeExceptionally(error);
        signalError(error);
        return;
      }
      result.complete(r);
      try {
        subscriber.onComplete();
      } catch (Throwable t) {
        LOG.warn("Flow subscriber threw from onComplete; ignored", t);
      }
    }

    private void signalError(Throwable error) {
      try {
        subscriber.onError(error);
      } catch (Throwable t) {
        LOG.warn("Flow subscriber threw from onError; ignored", t);
      }
    }
  }
}

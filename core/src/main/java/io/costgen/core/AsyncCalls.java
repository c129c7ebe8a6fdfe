package io.costgen.core;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The asynchronous side of one {@link TextGenerator}: its internal executor (created on first
 * use; one daemon platform thread per running call, idle threads end after 30 s), the abort hooks
 * of the async calls and publishers still running, and the generator's closed state.
 *
 * <p>{@link #close()} refuses new calls, aborts every call still running (each still settles its
 * budget reservation and is recorded, as a cancelled call), then waits for the internal executor's
 * threads to finish. Thread-safe.
 */
final class AsyncCalls implements AutoCloseable {
  private static final AtomicInteger GENERATORS = new AtomicInteger();

  private final int generatorIndex = GENERATORS.incrementAndGet();
  private final AtomicInteger threads = new AtomicInteger();
  private final Set<Runnable> aborts = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  /** Guarded by this. */
  private ExecutorService internal;

  /** Throws when the generator is closed. */
  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("TextGenerator is closed; build a new one");
    }
  }

  /** The internal executor, created on first use. */
  synchronized Executor internalExecutor() {
    checkOpen();
    if (internal == null) {
      ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
          new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "costgen-async-" + generatorIndex + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      internal = pool;
    }
    return internal;
  }

  /**
   * Runs {@code body} on {@code executor} with a fresh cancellation handle that the returned
   * future's completion by anyone else ({@code cancel}, {@code orTimeout}, {@code complete})
   * triggers. A task that starts after its future was completed does nothing.
   */
  <T> CompletableFuture<T> submit(Executor executor, Function<Cancellation, T> body) {
    checkOpen();
    Cancellation own = Cancellation.create();
    CompletableFuture<T> future = new CompletableFuture<>();
    Runnable abort = () -> future.cancel(false);
    future.whenComplete((r, t) -> own.cancel()); // after the call ended this changes nothing
    aborts.add(abort);
    Runnable task = () -> {
      try {
        if (!future.isDone()) { // cancelled before it started: nothing reserved, nothing to record
          future.complete(body.apply(own));
        }
      } catch (Throwable t) {
        future.completeExceptionally(t);
      } finally {
        aborts.remove(abort);
      }
    };
    try {
      executor.execute(task);
    } catch (RuntimeException e) { // RejectedExecutionException, or a broken executor
      aborts.remove(abort);
      future.completeExceptionally(e);
    }
    if (closed) { // closed while we registered: close() may have missed this call
      abort.run();
    }
    return future;
  }

  /** Registers a hook that {@link #close()} runs; returns false (not registered) when closed. */
  boolean register(Runnable abort) {
    aborts.add(abort);
    if (closed) {
      aborts.remove(abort);
      return false;
    }
    return true;
  }

  void deregister(Runnable abort) {
    aborts.remove(abort);
  }

  @Override
  public void close() {
    ExecutorService pool;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      pool = internal;
    }
    for (Runnable abort : aborts) {
      abort.run();
    }
    if (pool != null) {
      pool.shutdown();
      boolean interrupted = false;
      while (!pool.isTerminated()) {
        try {
          pool.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

package io.costgen.core.internal;

import io.costgen.core.BackendException;
import io.costgen.core.ModelInfo;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Keeps native forward passes off virtual threads' carriers. A virtual thread that runs a native
 * method (an ONNX Runtime {@code run}) pins its carrier for the whole pass, so a few calls from
 * virtual threads starve every other virtual thread of the JVM. When the calling thread is virtual,
 * {@link DecoderSession#prefill}, {@link DecoderSession#step} and {@link DecoderSession#appendRows}
 * run on a bounded pool of daemon platform threads ({@code costgen-native-N}) and the virtual
 * thread parks until the pass is done; a platform thread runs them itself, as before (no thread
 * hop, one flag check per pass).
 *
 * <p>Java 17 is the baseline: virtual threads are detected through a method handle to
 * {@code Thread.isVirtual()} (Java 21+). On a JVM without it, {@link #wrap} returns the backend
 * unchanged.
 *
 * <p>Switches (system properties, read on each pass of a virtual thread):
 * {@value #ENABLED_PROPERTY}{@code =false} turns the offload off (for comparison benchmarks);
 * {@value #THREADS_PROPERTY} sets the pool size (read once, when the pool is created; default:
 * the number of available processors). The pool's queue is unbounded: virtual callers beyond the
 * pool size park in line. While parked the caller does not react to interrupts (like a platform
 * thread inside the native call); {@link DecoderSession#cancel()} aborts the pass as before.
 *
 * <p>Internal: not part of the API. Thread-safe.
 */
public final class NativeOffload {
  /** {@code false} runs native passes on the calling virtual thread (pins its carrier). */
  public static final String ENABLED_PROPERTY = "costgen.virtualThreads.offload";
  /** Size of the platform-thread pool that runs virtual threads' native passes. */
  public static final String THREADS_PROPERTY = "costgen.virtualThreads.nativeThreads";

  private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
  private static final AtomicLong OFFLOADED = new AtomicLong();

  private NativeOffload() {}

  private static MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // Java 17-20: no virtual threads
    }
  }

  /** Whether this JVM has virtual threads (Java 21+). */
  public static boolean virtualThreadsSupported() {
    return IS_VIRTUAL != null;
  }

  /** Whether {@code thread} is a virtual thread (always false before Java 21). */
  public static boolean isVirtual(Thread thread) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(thread);
    } catch (Throwable t) {
      throw new IllegalStateException("Thread.isVirtual failed", t);
    }
  }

  /** Passes run on the platform pool for virtual threads since the JVM started. */
  public static long offloadedPasses() {
    return OFFLOADED.get();
  }

  /**
   * {@code backend} with its sessions' native passes offloaded for virtual callers; the backend
   * itself when this JVM has no virtual threads.
   */
  public static TransformerBackend wrap(TransformerBackend backend) {
    if (IS_VIRTUAL == null || backend instanceof OffloadingBackend) {
      return backend;
    }
    return new OffloadingBackend(backend);
  }

  /**
   * {@code backend} wrapped whatever the JVM (tests: the wrapper must be transparent for platform
   * threads on every Java version).
   */
  public static TransformerBackend wrapAlways(TransformerBackend backend) {
    return backend instanceof OffloadingBackend ? backend : new OffloadingBackend(backend);
  }

  private static boolean offloadHere() {
    return isVirtual(Thread.currentThread()) && !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY));
  }

  /** Runs {@code pass} on the pool and parks (uninterruptibly) until it is done. */
  static <T> T runOnPool(Supplier<T> pass) {
    Future<T> f = pool().submit(pass::get);
    OFFLOADED.incrementAndGet();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the session is in use until the pass ends: wait it out
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new BackendException("forward pass failed: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static volatile ThreadPoolExecutor pool;

  /** The bounded platform-thread pool, created on the first offloaded pass. */
  private static ThreadPoolExecutor pool() {
    ThreadPoolExecutor p = pool;
    if (p == null) {
      synchronized (NativeOffload.class) {
        p = pool;
        if (p == null) {
          p = createPool();
          pool = p;
        }
      }
    }
    return p;
  }

  private static ThreadPoolExecutor createPool() {
    int size = Runtime.getRuntime().availableProcessors();
    String configured = System.getProperty(THREADS_PROPERTY);
    if (configured != null) {
      try {
        size = Integer.parseInt(configured.trim());
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 1 || size > 4096) {
        throw new IllegalArgumentException(THREADS_PROPERTY + ": '" + configured + "' must be an integer in [1, 4096]");
      }
    }
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor created = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "costgen-native-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    created.allowCoreThreadTimeOut(true);
    return created;
  }

  private static final class OffloadingBackend implements TransformerBackend {
    private final TransformerBackend delegate;

    OffloadingBackend(TransformerBackend delegate) {
      this.delegate = delegate;
    }

    @Override
    public ModelInfo modelInfo() {
      return delegate.modelInfo();
    }

    @Override
    public DecoderSession openSession() {
      return new OffloadingSession(delegate.openSession());
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  private static final class OffloadingSession implements DecoderSession {
    private final DecoderSession delegate;

    OffloadingSession(DecoderSession delegate) {
      this.delegate = delegate;
    }

    @Override
    public Logits prefill(long[][] tokenIds, int[] leftPadding) {
      return offloadHere() ? runOnPool(() -> delegate.prefill(tokenIds, leftPadding))
          : delegate.prefill(tokenIds, leftPadding);
    }

    @Override
    public Logits step(long[] tokenIds) {
      return offloadHere() ? runOnPool(() -> delegate.step(tokenIds)) : delegate.step(tokenIds);
    }

    @Override
    public void appendRows(DecoderSession other) {
      DecoderSession o = other instanceof OffloadingSession s ? s.delegate : other;
      if (offloadHere()) {
        runOnPool(() -> {
          delegate.appendRows(o);
          return null;
        });
      } else {
        delegate.appendRows(o);
      }
    }

    @Override
    public void selectRows(int[] rows) {
      delegate.selectRows(rows);
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

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}

package io.costgen.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The CPU micro-benchmarks behind {@link CpuCalibration#measure()}: a parallel read of a buffer
 * far larger than cache (memory bandwidth) and a blocked fp32 matmul on every thread (FLOP/s),
 * each best of a few runs. Stateless; each call takes the pool to run on.
 */
final class CpuBenchmark {
  private static final long BANDWIDTH_BUFFER_BYTES = 256L << 20;
  private static final int MATMUL_N = 128;

  private CpuBenchmark() {}

  private static volatile double sink;

  /** Best parallel read bandwidth over a buffer far larger than cache, bytes/s. */
  static double readBandwidth(ExecutorService pool, int threads) {
    long heapShare = Runtime.getRuntime().maxMemory() / 4;
    long bytes = Math.max(16L << 20, Math.min(BANDWIDTH_BUFFER_BYTES, heapShare));
    long[] buf = new long[(int) (bytes / Long.BYTES)];
    int n = buf.length;
    // Touch every page in parallel (also warms the threads), then warm the read kernel's JIT.
    runParallel(pool, threads, (from, to) -> {
      for (int i = from; i < to; i++) {
        buf[i] = i;
      }
      return 0;
    }, n);
    long acc = 0;
    for (int rep = 0; rep < 300; rep++) {
      acc += sum(buf, 0, 1 << 14);
    }
    sink = acc;
    double best = 0;
    long deadline = System.nanoTime() + 1_200_000_000L;
    for (int pass = 0; pass < 5 && (pass < 2 || System.nanoTime() < deadline); pass++) {
      long start = System.nanoTime();
      double s = runParallel(pool, threads, (from, to) -> (double) sum(buf, from, to), n);
      long elapsed = System.nanoTime() - start;
      sink = s;
      best = Math.max(best, (double) n * Long.BYTES / (elapsed / 1e9));
    }
    return best;
  }

  private static long sum(long[] a, int from, int to) {
    long s0 = 0;
    long s1 = 0;
    int i = from;
    for (; i + 1 < to; i += 2) {
      s0 += a[i];
      s1 += a[i + 1];
    }
    for (; i < to; i++) {
      s0 += a[i];
    }
    return s0 + s1;
  }

  /** Best blocked fp32 matmul rate on {@code threads} threads, FLOP/s. */
  static double matmulFlops(ExecutorService pool, int threads) {
    int n = MATMUL_N;
    float[][] as = new float[threads][];
    float[][] bs = new float[threads][];
    float[][] cs = new float[threads][];
    for (int t = 0; t < threads; t++) {
      as[t] = new float[n * n];
      bs[t] = new float[n * n];
      cs[t] = new float[n * n];
      for (int i = 0; i < n * n; i++) {
        as[t][i] = (i % 7) * 0.25f;
        bs[t][i] = (i % 5) * 0.5f;
      }
    }
    double flopsPerMatmul = 2.0 * n * n * n;
    // Warm-up (about 0.25 s): lets C2 compile the kernel and gives a rough per-call time.
    int warm = 8;
    double perMatmulSeconds;
    long warmStart = System.nanoTime();
    while (true) {
      long w0 = System.nanoTime();
      int calls = warm;
      runParallel(pool, threads, (from, to) -> {
        for (int t = from; t < to; t++) {
          for (int r = 0; r < calls; r++) {
            matmul(as[t], bs[t], cs[t], n);
          }
        }
        return 0;
      }, threads);
      perMatmulSeconds = Math.max(1e-7, (System.nanoTime() - w0) / 1e9 / calls);
      if (System.nanoTime() - warmStart > 250_000_000L) {
        break;
      }
    }
    int reps = (int) Math.max(4, Math.min(2000, 0.15 / perMatmulSeconds));
    double best = 0;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      double s = runParallel(pool, threads, (from, to) -> {
        double check = 0;
        for (int t = from; t < to; t++) {
          for (int r = 0; r < reps; r++) {
            matmul(as[t], bs[t], cs[t], n);
          }
          check += cs[t][n + 1];
        }
        return check;
      }, threads);
      long elapsed = System.nanoTime() - start;
      sink = s;
      best = Math.max(best, flopsPerMatmul * reps * threads / (elapsed / 1e9));
    }
    return best;
  }

  /** c = a × b for n×n row-major matrices; i-k-j order so the inner loop vectorises. */
  private static void matmul(float[] a, float[] b, float[] c, int n) {
    java.util.Arrays.fill(c, 0f);
    for (int i = 0; i < n; i++) {
      int ci = i * n;
      for (int k = 0; k < n; k++) {
        float aik = a[ci + k];
        int bk = k * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += aik * b[bk + j];
        }
      }
    }
  }

  @FunctionalInterface
  private interface RangeTask {
    double run(int from, int to);
  }

  /** Splits [0, n) into {@code threads} slices, runs them on the pool and sums the results. */
  private static double runParallel(ExecutorService pool, int threads, RangeTask task, int n) {
    List<Future<Double>> futures = new ArrayList<>(threads);
    int slice = (n + threads - 1) / threads;
    for (int t = 0; t < threads; t++) {
      int from = Math.min(n, t * slice);
      int to = Math.min(n, from + slice);
      futures.add(pool.submit(() -> task.run(from, to)));
    }
    double total = 0;
    try {
      for (Future<Double> f : futures) {
        total += f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("cpu calibration interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cpu calibration failed", e.getCause());
    }
    return total;
  }
}

package io.costgen.core.internal;

/**
 * Float32 score arithmetic shared by the logits processors and the decode loop: softmax,
 * log-softmax, k-th largest, argmax and sort keys. Results are float32 like PyTorch's; sums are
 * accumulated in double (PyTorch's CPU accumulation type for float). Methods that need working
 * memory use per-thread scratch arrays ({@link #scratch()}), so they do not allocate once warm.
 *
 * <p>Internal: not part of the costgen API. Thread-safe (no shared mutable state).
 */
public final class ScoreMath {
  private ScoreMath() {}

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Per-thread working arrays, grown on demand and reused. */
  public static final class Scratch {
    private float[] floats = new float[0];
    private float[] floats2 = new float[0];
    private long[] longs = new long[0];
    private long[] bits = new long[0];
    private float[] heap = new float[0];

    public float[] floats(int n) {
      if (floats.length < n) {
        floats = new float[n];
      }
      return floats;
    }

    public float[] floats2(int n) {
      if (floats2.length < n) {
        floats2 = new float[n];
      }
      return floats2;
    }

    public long[] longs(int n) {
      if (longs.length < n) {
        longs = new long[n];
      }
      return longs;
    }

    /** A cleared-on-request bit set of at least {@code nBits} bits (caller must clear what it sets). */
    public long[] bits(int nBits) {
      int words = (nBits + 63) >>> 6;
      if (bits.length < words) {
        bits = new long[words];
      }
      return bits;
    }

    float[] heap(int n) {
      if (heap.length < n) {
        heap = new float[n];
      }
      return heap;
    }
  }

  /** This thread's scratch arrays. Callers must not hold them across calls that may use them. */
  public static Scratch scratch() {
    return SCRATCH.get();
  }

  /** Largest value among {@code s[0, n)} ({@code -inf} when all are {@code -inf}). */
  public static float max(float[] s, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if (s[i] > m) {
        m = s[i];
      }
    }
    return m;
  }

  /** Index of the first largest value (ties go to the lowest index, like {@code torch.argmax}). */
  public static int argmax(float[] s, int n) {
    int best = 0;
    float m = s[0];
    for (int i = 1; i < n; i++) {
      if (s[i] > m) {
        m = s[i];
        best = i;
      }
    }
    return best;
  }

  /**
   * Writes {@code softmax(s[0, n))} into {@code out[0, n)} as float32 and returns the sum of
   * {@code exp(s − max)} (double). {@code -inf} entries get probability 0. When every entry is
   * {@code -inf} the output is all zero and the result is 0.
   */
  public static double softmax(float[] s, int n, float[] out) {
    float m = max(s, n);
    if (m == Float.NEGATIVE_INFINITY) {
      java.util.Arrays.fill(out, 0, n, 0f);
      return 0;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      float v = s[i];
      if (v == Float.NEGATIVE_INFINITY) {
        out[i] = 0f;
      } else {
        double e = Math.exp((double) v - m);
        out[i] = (float) e;
        sum += e;
      }
    }
    double inv = 1.0 / sum;
    for (int i = 0; i < n; i++) {
      out[i] = (float) (out[i] * inv);
    }
    return sum;
  }

  /** {@code log(sum(exp(s[0, n))))} in double; {@code -inf} when all entries are {@code -inf}. */
  public static double logSumExp(float[] s, int n) {
    float m = max(s, n);
    if (m == Float.NEGATIVE_INFINITY || m == Float.POSITIVE_INFINITY) {
      return m;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      float v = s[i];
      if (v != Float.NEGATIVE_INFINITY) {
        sum += Math.exp((double) v - m);
      }
    }
    return m + Math.log(sum);
  }

  /** Replaces {@code s[0, n)} by {@code log_softmax(s)} (float32). */
  public static void logSoftmaxInPlace(float[] s, int n) {
    double lse = logSumExp(s, n);
    for (int i = 0; i < n; i++) {
      s[i] = (float) (s[i] - lse);
    }
  }

  /**
   * The k-th largest of {@code s[0, n)} (1-based {@code k}, clamped to {@code [1, n]}), as
   * {@code torch.topk(s, k)[0][-1]}. O(n log k).
   */
  public static float kthLargest(float[] s, int n, int k) {
    k = Math.max(1, Math.min(k, n));
    if (k == 1) {
      return max(s, n);
    }
    float[] heap = scratch().heap(k);
    int size = 0;
    for (int i = 0; i < n; i++) {
      float v = s[i];
      if (size < k) {
        // sift up in a min-heap
        int c = size++;
        heap[c] = v;
        while (c > 0) {
          int p = (c - 1) >>> 1;
          if (heap[p] <= heap[c]) {
            break;
          }
          float t = heap[p];
          heap[p] = heap[c];
          heap[c] = t;
          c = p;
        }
      } else if (v > heap[0]) {
        heap[0] = v;
        int p = 0;
        while (true) {
          int l = 2 * p + 1;
          if (l >= k) {
            break;
          }
          int r = l + 1;
          int m = (r < k && heap[r] < heap[l]) ? r : l;
          if (heap[p] <= heap[m]) {
            break;
          }
          float t = heap[p];
          heap[p] = heap[m];
          heap[m] = t;
          p = m;
        }
      }
    }
    return heap[0];
  }

  /**
   * A long whose signed order is ascending {@code value} order, ties broken by ascending
   * {@code tie} (0 ≤ tie &lt; 2^31). Decode the index with {@link #keyIndex} when
   * {@code tie} encodes it.
   */
  public static long ascendingKey(float value, int tie) {
    int bits = Float.floatToIntBits(value);
    bits ^= (bits >> 31) & 0x7fffffff;
    return ((long) bits << 32) | (tie & 0xffffffffL);
  }

  /** The low 32 bits of a key from {@link #ascendingKey}. */
  public static int keyIndex(long key) {
    return (int) key;
  }
}

package io.costgen.bench.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded prompts, identical for every loop, and a digest of generated tokens. */
public final class Workloads {
  private Workloads() {}

  /**
   * {@code batch} rows of {@code length} token ids drawn uniformly from {@code [3, min(vocab,
   * 1000) − 2)} (clear of the usual special ids at both ends, and valid for tiny-random-gpt2,
   * whose graph takes ids below 1000) with a seed derived from batch and length, so every loop
   * gets the same prompts.
   */
  public static long[][] prompts(int batch, int length, int vocab) {
    if (batch < 1 || length < 1) {
      throw new IllegalArgumentException("batch " + batch + " and length " + length + " must be >= 1");
    }
    int hi = Math.min(vocab, 1000) - 2;
    if (hi <= 3) {
      throw new IllegalArgumentException("vocab: " + vocab + " too small for prompts (need > 5)");
    }
    SplittableRandom rng = new SplittableRandom(0x5EEDL * 31 + batch * 1_000_003L + length);
    long[][] p = new long[batch][length];
    for (long[] row : p) {
      for (int i = 0; i < length; i++) {
        row[i] = rng.nextInt(3, hi);
      }
    }
    return p;
  }

  /**
   * The order of {@code n} loops in round {@code round}: the permutations of {@code 0..n-1} in
   * lexicographic order, cycled. Over {@code n!} rounds every loop runs equally often in every
   * position and right after every other loop, so neither position nor predecessor (a warm or
   * cold cache, another session's idle threads) favours one loop.
   */
  public static int[] order(int round, int n) {
    if (n < 1 || n > 8) {
      throw new IllegalArgumentException("n: " + n + " must be in [1, 8]");
    }
    long count = 1;
    for (int i = 2; i <= n; i++) {
      count *= i;
    }
    long k = Math.floorMod((long) round, count);
    List<Integer> left = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      left.add(i);
    }
    int[] out = new int[n];
    long block = count;
    for (int pos = 0; pos < n; pos++) {
      block /= (n - pos);
      int index = (int) (k / block);
      k %= block;
      out[pos] = left.remove(index);
    }
    return out;
  }

  /** A short hex digest of a token matrix (equal tokens ⇔ equal digest, with high probability). */
  public static String digest(long[][] tokens) {
    return Long.toHexString(Arrays.deepHashCode(tokens) * 0x9E3779B97F4A7C15L);
  }
}

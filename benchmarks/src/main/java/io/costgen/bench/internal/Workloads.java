package io.costgen.bench.internal;

import java.util.Arrays;
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

  /** A short hex digest of a token matrix (equal tokens ⇔ equal digest, with high probability). */
  public static String digest(long[][] tokens) {
    return Long.toHexString(Arrays.deepHashCode(tokens) * 0x9E3779B97F4A7C15L);
  }
}

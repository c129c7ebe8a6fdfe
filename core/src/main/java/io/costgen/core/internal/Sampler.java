package io.costgen.core.internal;

/**
 * Multinomial draws from {@code softmax(scores)} by inverse CDF: {@code u × Σ exp(s − max)}
 * walked in token-id order, with exponentials and sums in double. {@code -inf} scores have
 * probability 0 and are never drawn. Equivalent in distribution to {@code torch.multinomial}
 * (the draws themselves differ: PyTorch's generator is not reproduced).
 *
 * <p>Internal. Uses per-thread scratch; allocation-free once warm.
 */
public final class Sampler {
  private Sampler() {}

  /**
   * One token id drawn from {@code softmax(scores[0, n))}.
   *
   * @throws IllegalStateException when every score is {@code -inf} (every token was filtered out)
   */
  public static int sample(float[] scores, int n, SeededRandom rng) {
    float max = ScoreMath.max(scores, n);
    if (max == Float.NEGATIVE_INFINITY || Float.isNaN(max)) {
      throw new IllegalStateException("sampling: every token has probability 0 (all scores are -inf after the"
          + " logits processors; check badWordsIds, topK/topP/minP settings)");
    }
    double[] weights = DoubleScratch.get(n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      float s = scores[i];
      double w = s == Float.NEGATIVE_INFINITY ? 0 : Math.exp((double) s - max);
      weights[i] = w;
      sum += w;
    }
    double u = rng.nextDouble() * sum;
    double acc = 0;
    int last = -1;
    for (int i = 0; i < n; i++) {
      double w = weights[i];
      if (w > 0) {
        acc += w;
        last = i;
        if (u < acc) {
          return i;
        }
      }
    }
    return last; // rounding put u at the very end
  }

  /** Per-thread double scratch. */
  static final class DoubleScratch {
    private static final ThreadLocal<double[][]> TL = ThreadLocal.withInitial(() -> new double[][] {new double[0]});

    static double[] get(int n) {
      double[][] holder = TL.get();
      if (holder[0].length < n) {
        holder[0] = new double[n];
      }
      return holder[0];
    }
  }
}

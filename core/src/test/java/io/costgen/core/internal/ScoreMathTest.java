package io.costgen.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoreMathTest {

  @Test
  void kthLargest_matchesSorting() {
    Random random = new Random(1);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(300);
      float[] s = new float[n];
      for (int i = 0; i < n; i++) {
        s[i] = random.nextInt(20) - 10; // many ties
      }
      int k = 1 + random.nextInt(n);
      float[] sorted = s.clone();
      Arrays.sort(sorted);
      assertThat(ScoreMath.kthLargest(s, n, k)).isEqualTo(sorted[n - k]);
    }
  }

  @Test
  void logSoftmax_sumsToOneInProbability_andIgnoresMinusInfinity() {
    float[] s = {1f, 2f, 3f, Float.NEGATIVE_INFINITY};
    ScoreMath.logSoftmaxInPlace(s, 4);
    double total = 0;
    for (float v : s) {
      total += Math.exp(v);
    }
    assertThat(total).isCloseTo(1.0, within(1e-6));
    assertThat(s[3]).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void ascendingKey_ordersNegativeAndPositiveFloats() {
    float[] values = {3f, -1f, Float.NEGATIVE_INFINITY, 0f, -0.5f, 2.5f};
    long[] keys = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      keys[i] = ScoreMath.ascendingKey(values[i], i);
    }
    Arrays.sort(keys);
    float[] ordered = new float[values.length];
    for (int i = 0; i < keys.length; i++) {
      ordered[i] = values[ScoreMath.keyIndex(keys[i])];
    }
    assertThat(ordered).containsExactly(Float.NEGATIVE_INFINITY, -1f, -0.5f, 0f, 2.5f, 3f);
  }
}

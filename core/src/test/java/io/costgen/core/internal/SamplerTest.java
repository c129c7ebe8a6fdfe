package io.costgen.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SamplerTest {

  @Test
  void sample_frequenciesMatchSoftmax_overManyDrawsWithAFixedSeed() {
    double[] p = {0.5, 0.3, 0.15, 0.05};
    float[] scores = new float[5];
    for (int i = 0; i < p.length; i++) {
      scores[i] = (float) Math.log(p[i]) + 3f; // a shift must not matter
    }
    scores[4] = Float.NEGATIVE_INFINITY;
    SeededRandom rng = new SeededRandom(2024, 0);
    int n = 200_000;
    int[] counts = new int[5];
    for (int i = 0; i < n; i++) {
      counts[Sampler.sample(scores, 5, rng)]++;
    }
    for (int i = 0; i < p.length; i++) {
      // 5 standard deviations of a binomial proportion at n = 200k is below 0.0057
      assertThat(counts[i] / (double) n).as("token %d", i).isCloseTo(p[i], within(0.006));
    }
    assertThat(counts[4]).isZero();
  }

  @Test
  void sample_sameSeedAndStream_sameDraws_otherStreamsDiffer() {
    float[] flat = new float[50];
    int[] a = draws(new SeededRandom(7, 0), flat);
    int[] b = draws(new SeededRandom(7, 0), flat);
    int[] c = draws(new SeededRandom(7, 1), flat);
    int[] d = draws(new SeededRandom(8, 0), flat);
    assertThat(a).containsExactly(b).isNotEqualTo(c).isNotEqualTo(d);
  }

  @Test
  void seededRandom_isSplitMix64_fixedAcrossRuns() {
    SeededRandom r = new SeededRandom(0, 0);
    long first = r.nextLong();
    assertThat(new SeededRandom(0, 0).nextLong()).isEqualTo(first);
    double u = new SeededRandom(123, 4).nextDouble();
    assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1);
  }

  @Test
  void sample_rejectsAllFilteredScores() {
    float[] scores = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    assertThatThrownBy(() -> Sampler.sample(scores, 2, new SeededRandom(1, 0)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("-inf");
  }

  private static int[] draws(SeededRandom rng, float[] scores) {
    int[] out = new int[40];
    for (int i = 0; i < out.length; i++) {
      out[i] = Sampler.sample(scores, scores.length, rng);
    }
    return out;
  }
}

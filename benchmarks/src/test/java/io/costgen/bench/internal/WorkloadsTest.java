package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkloadsTest {

  @Test
  void prompts_areTheSameForEveryCaller_andDifferPerRow() {
    long[][] a = Workloads.prompts(8, 32, 50257);
    long[][] b = Workloads.prompts(8, 32, 50257);

    assertThat(a).isDeepEqualTo(b);
    assertThat(a[0]).isNotEqualTo(a[1]);
  }

  @Test
  void prompts_stayClearOfSpecialIds_andBelow1000() {
    for (long[] row : Workloads.prompts(4, 500, 50257)) {
      assertThat(java.util.Arrays.stream(row).min().getAsLong()).isGreaterThanOrEqualTo(3);
      assertThat(java.util.Arrays.stream(row).max().getAsLong()).isLessThan(998);
    }
    for (long[] row : Workloads.prompts(4, 500, 512)) {
      assertThat(java.util.Arrays.stream(row).min().getAsLong()).isGreaterThanOrEqualTo(3);
      assertThat(java.util.Arrays.stream(row).max().getAsLong()).isLessThan(510);
    }
  }

  @Test
  void digest_isEqualForEqualTokens_andDiffersForOthers() {
    long[][] x = {{1, 2, 3}, {4, 5, 6}};
    long[][] y = {{1, 2, 3}, {4, 5, 6}};
    long[][] z = {{1, 2, 3}, {4, 5, 7}};

    assertThat(Workloads.digest(x)).isEqualTo(Workloads.digest(y)).isNotEqualTo(Workloads.digest(z));
  }

  @Test
  void order_cyclesThroughEveryPermutation_soEachLoopFollowsEveryOtherEquallyOften() {
    int n = 3;
    java.util.Set<String> seen = new java.util.HashSet<>();
    int[][] follows = new int[n][n];
    int[] previous = null;
    for (int round = 0; round < 6; round++) {
      int[] o = Workloads.order(round, n);
      assertThat(o).containsExactlyInAnyOrder(0, 1, 2);
      seen.add(java.util.Arrays.toString(o));
      for (int k = 1; k < n; k++) {
        follows[o[k]][o[k - 1]]++;
      }
      previous = o;
    }
    assertThat(seen).hasSize(6);
    assertThat(Workloads.order(6, n)).containsExactly(Workloads.order(0, n));
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        if (a != b) {
          assertThat(follows[a][b]).as("%d right after %d", a, b).isEqualTo(2);
        }
      }
    }
    assertThat(previous).isNotNull();
  }
}

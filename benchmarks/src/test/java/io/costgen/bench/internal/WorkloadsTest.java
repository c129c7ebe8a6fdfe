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
}

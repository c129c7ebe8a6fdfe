package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void summarize_givesMedianQuartilesAndRange_withLinearInterpolation() {
    Stats.Summary s = Stats.summarize(new double[] {4, 1, 3, 2});

    assertThat(s.n()).isEqualTo(4);
    assertThat(s.median()).isEqualTo(2.5);
    assertThat(s.p25()).isEqualTo(1.75); // type 7: 1 + 0.75 × (2 − 1)
    assertThat(s.p75()).isEqualTo(3.25);
    assertThat(s.min()).isEqualTo(1);
    assertThat(s.max()).isEqualTo(4);
    assertThat(s.relativeIqr()).isCloseTo(1.5 / 2.5, within(1e-12));
  }

  @Test
  void summarize_ofOneValue_isThatValueEverywhere() {
    Stats.Summary s = Stats.summarize(List.of(7.0));

    assertThat(s.median()).isEqualTo(7);
    assertThat(s.p25()).isEqualTo(7);
    assertThat(s.p75()).isEqualTo(7);
  }

  @Test
  void summarize_doesNotReorderTheCallersArray() {
    double[] xs = {3, 1, 2};
    Stats.summarize(xs);
    assertThat(xs).containsExactly(3, 1, 2);
  }

  @Test
  void summarize_rejectsAnEmptySample() {
    assertThatThrownBy(() -> Stats.summarize(new double[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
  }

  @Test
  void quantile_rejectsQOutsideZeroToOne() {
    assertThatThrownBy(() -> Stats.quantile(new double[] {1}, 1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q: 1.5");
  }

  @Test
  void pairedRatios_dividesRoundByRound() {
    assertThat(Stats.pairedRatios(List.of(2.0, 9.0), List.of(4.0, 3.0))).containsExactly(0.5, 3.0);
  }

  @Test
  void pairedRatios_rejectsSamplesOfDifferentSizes() {
    assertThatThrownBy(() -> Stats.pairedRatios(List.of(1.0), List.of(1.0, 2.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 vs 2");
  }
}

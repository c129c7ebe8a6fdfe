package io.costgen.bench.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.costgen.bench.batching.StaggeredArrivals.Arrival;
import io.costgen.bench.batching.StaggeredArrivals.Summary;
import io.costgen.bench.batching.StaggeredArrivals.Timing;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaggeredArrivalsTest {

  @Test
  void poisson_isReproducible_andTheRateChangesOnlyTheArrivalTimes() {
    List<Arrival> a = StaggeredArrivals.poisson(7, 2.0, 50, 8, 64, 4, 48, 1000);
    List<Arrival> again = StaggeredArrivals.poisson(7, 2.0, 50, 8, 64, 4, 48, 1000);
    List<Arrival> faster = StaggeredArrivals.poisson(7, 4.0, 50, 8, 64, 4, 48, 1000);
    assertThat(a).hasSize(50);
    for (int i = 0; i < a.size(); i++) {
      assertThat(again.get(i).atNanos()).isEqualTo(a.get(i).atNanos());
      assertThat(again.get(i).prompt()).containsExactly(a.get(i).prompt());
      assertThat(faster.get(i).prompt()).containsExactly(a.get(i).prompt());
      assertThat(faster.get(i).newTokens()).isEqualTo(a.get(i).newTokens());
      assertThat((double) faster.get(i).atNanos()).isCloseTo(a.get(i).atNanos() / 2.0, within(1.0));
    }
  }

  @Test
  void poisson_startsAtZero_growsMonotonically_andKeepsLengthsAndIdsInRange() {
    List<Arrival> a = StaggeredArrivals.poisson(3, 5.0, 2000, 8, 64, 4, 48, 100);
    assertThat(a.get(0).atNanos()).isZero();
    long prev = 0;
    for (Arrival x : a) {
      assertThat(x.atNanos()).isGreaterThanOrEqualTo(prev);
      prev = x.atNanos();
      assertThat(x.prompt().length).isBetween(8, 64);
      assertThat(x.newTokens()).isBetween(4, 48);
      for (long id : x.prompt()) {
        assertThat(id).isBetween(3L, 99L);
      }
    }
    // mean gap 1/rate = 0.2 s: 1999 gaps of an exponential, so the mean is within a few percent
    double meanGapSeconds = prev / 1e9 / (a.size() - 1);
    assertThat(meanGapSeconds).isCloseTo(0.2, within(0.02));
    assertThat(a.stream().mapToInt(x -> x.prompt().length).distinct().count()).as("lengths vary").isGreaterThan(40);
  }

  @Test
  void poisson_rejectsBadSettings_namingTheField() {
    assertThatThrownBy(() -> StaggeredArrivals.poisson(1, 0, 5, 1, 2, 1, 2, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ratePerSecond: 0.0");
    assertThatThrownBy(() -> StaggeredArrivals.poisson(1, 1, 0, 1, 2, 1, 2, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("calls: 0");
    assertThatThrownBy(() -> StaggeredArrivals.poisson(1, 1, 5, 4, 2, 1, 2, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("prompt lengths: [4, 2]");
    assertThatThrownBy(() -> StaggeredArrivals.poisson(1, 1, 5, 1, 2, 0, 2, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("new tokens: [0, 2]");
  }

  @Test
  void summarize_computesThroughputTtftAndPerTokenLatencyFromArrival() {
    long ms = 1_000_000L;
    List<Timing> t = List.of(
        new Timing(0, 100 * ms, 1100 * ms, 11), // TTFT 100 ms, 100 ms per later token
        new Timing(500 * ms, 800 * ms, 2000 * ms, 5), // TTFT 300 ms, 300 ms per later token
        new Timing(1000 * ms, 1200 * ms, 1200 * ms, 1)); // TTFT 200 ms; one token: no per-token figure
    Summary s = StaggeredArrivals.summarize(t);
    assertThat(s.tokensPerSecond()).isCloseTo(17 / 2.0, within(1e-9)); // 17 tokens, first arrival 0 to last done 2 s
    assertThat(s.ttftP50Ms()).isCloseTo(200, within(1e-9));
    assertThat(s.ttftP95Ms()).isCloseTo(290, within(1e-9)); // linear between 200 and 300 at 0.95
    assertThat(s.tpotP50Ms()).isCloseTo(200, within(1e-9)); // median of 100 and 300
    assertThat(s.tpotP95Ms()).isCloseTo(290, within(1e-9));
    assertThatThrownBy(() -> StaggeredArrivals.summarize(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}

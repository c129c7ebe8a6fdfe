package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.LatencyEstimate.Bound;
import org.junit.jupiter.api.Test;

class LatencyEstimateTest {

  @Test
  void deviceSeconds_isTotalTimesDevices() {
    LatencyEstimate e = new LatencyEstimate(1, 3, 0.5, 4, 6, 8, Bound.COMPUTE, Bound.MEMORY);
    assertThat(e.deviceSeconds()).isEqualTo(32.0);
  }

  @Test
  void negativeOrNonFiniteTimes_areRejected_namingTheField() {
    assertThatThrownBy(() -> new LatencyEstimate(-1, 0, 0, 0, 0, 1, Bound.MEMORY, Bound.MEMORY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefillSeconds");
    assertThatThrownBy(() -> new LatencyEstimate(0, Double.NaN, 0, 0, 0, 1, Bound.MEMORY, Bound.MEMORY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decodeSeconds");
    assertThatThrownBy(() -> new LatencyEstimate(0, 0, 0, 0, -1, 1, Bound.MEMORY, Bound.MEMORY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decodeSteps");
    assertThatThrownBy(() -> new LatencyEstimate(0, 0, 0, 0, 0, 0, Bound.MEMORY, Bound.MEMORY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("devices");
    assertThatThrownBy(() -> new LatencyEstimate(0, 0, 0, 0, 0, 1, null, Bound.MEMORY))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("prefillBound");
  }
}

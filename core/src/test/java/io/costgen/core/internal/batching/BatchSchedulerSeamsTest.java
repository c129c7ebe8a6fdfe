package io.costgen.core.internal.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The scheduler's pure seams, and that only TextGenerator can create a scheduler. */
class BatchSchedulerSeamsTest {

  @Test
  void deviceTimeSharesAreByRowsAndSumExactly() {
    long[] shares = DeviceTimeSplit.shares(1_000, new int[] {1, 3}, 4);
    assertThat(shares).containsExactly(250, 750);

    long[] uneven = DeviceTimeSplit.shares(1_001, new int[] {1, 1, 1}, 3);
    assertThat(uneven).containsExactly(333, 333, 335);
    assertThat(Arrays.stream(uneven).sum()).isEqualTo(1_001);
  }

  @Test
  void deviceTimeSharesStayExactWhenTheProductOverflows() {
    long nanos = Long.MAX_VALUE / 2;
    long[] shares = DeviceTimeSplit.shares(nanos, new int[] {5, 7}, 12);
    assertThat(shares[0]).isPositive();
    assertThat(shares[0] + shares[1]).isEqualTo(nanos);
    assertThat((double) shares[0] / nanos).isCloseTo(5 / 12.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void onlyTextGeneratorCreatesAScheduler() {
    assertThatThrownBy(() -> BatchScheduler.create(null, null, null))
        .isInstanceOf(IllegalCallerException.class)
        .hasMessageContaining("TextGenerator.builder().batching(...)")
        .hasMessageContaining(BatchSchedulerSeamsTest.class.getName());
  }

  @Test
  void theSchedulerHasNoPublicConstructor() {
    assertThat(BatchScheduler.class.getConstructors()).isEmpty();
  }
}

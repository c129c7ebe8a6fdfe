package io.costgen.core.internal.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
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

  private static ScheduledCall prefilled(long[][] block, int... padding) {
    ScheduledCall c = new ScheduledCall(null, null, new BatchDemand(block.length, block[0].length, 4), 16);
    c.session.prefill(block, padding);
    return c;
  }

  @Test
  void prefillGroupStacksTheCallsAsLeftPaddedRows_andRecordsEachCallsRows() {
    ScheduledCall a = prefilled(new long[][] {{5, 6, 7}}, 0);
    ScheduledCall b = prefilled(new long[][] {{0, 8}, {9, 10}}, 1, 0);
    PrefillGroup g = PrefillGroup.of(List.of(a, b), null);
    assertThat(g.width).isEqualTo(3);
    assertThat(g.block).isDeepEqualTo(new long[][] {{5, 6, 7}, {0, 0, 8}, {0, 9, 10}});
    assertThat(g.padding).containsExactly(0, 2, 1);
    assertThat(g.maxPadding()).isEqualTo(2);
    assertThat(new int[] {a.offset, a.sharedRows, b.offset, b.sharedRows}).containsExactly(0, 1, 1, 2);
    // 3 rows x (2 padding + 1 real) columns: every row holds a real token in the first chunk
    assertThat(PrefillGroup.firstChunkTokens(List.of(a, b))).isEqualTo(9);
    assertThat(PrefillGroup.firstChunkTokens(List.of(a))).isEqualTo(1);
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

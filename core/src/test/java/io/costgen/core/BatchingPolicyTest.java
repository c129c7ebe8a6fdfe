package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.testing.ToyBackend;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchingPolicyTest {

  @Test
  void defaults_areSixteenRowsNoWaitNoKvLimitAnd256TokenChunks() {
    BatchingPolicy p = BatchingPolicy.defaults();
    assertThat(p.maxBatchRows()).isEqualTo(16);
    assertThat(p.maxWait()).isEqualTo(Duration.ZERO);
    assertThat(p.maxKvCacheBytes()).isEqualTo(Long.MAX_VALUE);
    assertThat(p.prefillChunkTokens()).isEqualTo(256);
    assertThat(p.groupedJoins()).isTrue();
  }

  @Test
  void builder_setsEveryField_andToBuilderRoundTrips() {
    BatchingPolicy p = BatchingPolicy.builder().maxBatchRows(8).maxWait(Duration.ofMillis(3))
        .maxKvCacheBytes(1L << 30).prefillChunkTokens(0).build();
    assertThat(p).isEqualTo(new BatchingPolicy(8, Duration.ofMillis(3), 1L << 30, 0));
    assertThat(p.toBuilder().build()).isEqualTo(p);
    BatchingPolicy ungrouped = p.toBuilder().groupedJoins(false).build();
    assertThat(ungrouped).isEqualTo(new BatchingPolicy(8, Duration.ofMillis(3), 1L << 30, 0, false));
    assertThat(ungrouped.toBuilder().build().groupedJoins()).isFalse();
  }

  @Test
  void build_rejectsOutOfRangeValues_namingFieldValueAndRange() {
    assertThatThrownBy(() -> BatchingPolicy.builder().maxBatchRows(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBatchRows: 0 not in [1, 65536]");
    assertThatThrownBy(() -> BatchingPolicy.builder().maxWait(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxWait: PT-0.001S not in [PT0S, PT1M]");
    assertThatThrownBy(() -> BatchingPolicy.builder().maxWait(Duration.ofMinutes(2)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxWait: PT2M");
    assertThatThrownBy(() -> BatchingPolicy.builder().maxKvCacheBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxKvCacheBytes: 0 bytes must be >= 1");
    assertThatThrownBy(() -> BatchingPolicy.builder().prefillChunkTokens(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefillChunkTokens: -1 not in [0, 1048576] (0 = whole prompts)");
    assertThatThrownBy(() -> BatchingPolicy.builder().maxWait(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void textGenerator_isUnbatchedByDefault_andReportsItsPolicy() {
    ToyBackend backend = ToyBackend.builder().build();
    assertThat(TextGenerator.builder(backend).build().batching()).isEmpty();
    BatchingPolicy p = BatchingPolicy.builder().maxBatchRows(4).build();
    assertThat(TextGenerator.builder(backend).batching(p).build().batching()).hasValue(p);
  }
}

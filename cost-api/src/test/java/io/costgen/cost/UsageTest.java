package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UsageTest {

  @Test
  void builder_defaultsToAnEmptyCallOnOneDevice() {
    Usage u = Usage.none();
    assertThat(u.totalTokens()).isZero();
    assertThat(u.devices()).isEqualTo(1);
    assertThat(u.model()).isEmpty();
    assertThat(u.timeToFirstToken()).isEmpty();
  }

  @Test
  void timeToFirstToken_isADuration_emptyWhenUnknown_neverNegative() {
    Usage known = Usage.builder().timeToFirstToken(java.time.Duration.ofMillis(25)).build();
    assertThat(known.timeToFirstToken()).contains(java.time.Duration.ofMillis(25));
    assertThat(known.toBuilder().build()).isEqualTo(known);
    // No -1 sentinel: a negative time is an error, unknown is empty.
    assertThatThrownBy(() -> Usage.builder().timeToFirstToken(java.time.Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("timeToFirstToken:");
  }

  @Test
  void model_setsTheModelName_andTotalsAddUp() {
    Usage u = Usage.builder().model(ModelShape.preset("gpt2")).promptTokens(3).completionTokens(4)
        .prefillFlops(1.5).decodeFlops(2.5).build();
    assertThat(u.modelName()).isEqualTo("gpt2");
    assertThat(u.totalTokens()).isEqualTo(7);
    assertThat(u.totalFlops()).isEqualTo(4.0);
    assertThat(u.toBuilder().build()).isEqualTo(u);
  }

  @Test
  void negativeOrNonFiniteCounts_areRejected_namingTheField() {
    assertThatThrownBy(() -> Usage.builder().promptTokens(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("promptTokens");
    assertThatThrownBy(() -> Usage.builder().deviceSeconds(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deviceSeconds");
    assertThatThrownBy(() -> Usage.builder().devices(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("devices");
  }
}

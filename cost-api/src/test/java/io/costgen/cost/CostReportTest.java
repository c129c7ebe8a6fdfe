package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CostReportTest {

  @Test
  void free_reportsZeroMoneyAndKeepsDeviceSeconds() {
    CostReport r = CostReport.free(Usage.builder().deviceSeconds(1.25).build());
    assertThat(r.money()).isEqualTo(Money.zero(Money.USD));
    assertThat(r.deviceSeconds()).isEqualTo(1.25);
    assertThat(r.energyJoules()).isZero();
    assertThat(r.pricing()).isEqualTo("none");
  }

  @Test
  void requiredComponents_mustBePresent() {
    assertThatThrownBy(() -> new CostReport(Usage.none(), 0, 0, 0, null, "p"))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("money");
  }
}

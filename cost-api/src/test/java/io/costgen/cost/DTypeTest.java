package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DTypeTest {

  @Test
  void bytesPerElement_matchStorageSizes() {
    assertThat(DType.FP32.bytesPerElement()).isEqualTo(4.0);
    assertThat(DType.FP16.bytesPerElement()).isEqualTo(2.0);
    assertThat(DType.BF16.bytesPerElement()).isEqualTo(2.0);
    assertThat(DType.INT8.bytesPerElement()).isEqualTo(1.0);
    assertThat(DType.INT4.bytesPerElement()).isEqualTo(0.5);
  }

  @Test
  void parse_acceptsCommonNames_andRejectsOthersListingAllowed() {
    assertThat(DType.parse(" Float16 ")).isEqualTo(DType.FP16);
    assertThat(DType.parse("bfloat16")).isEqualTo(DType.BF16);
    assertThat(DType.parse("float32")).isEqualTo(DType.FP32);
    assertThatThrownBy(() -> DType.parse("fp8"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dtype")
        .hasMessageContaining("allowed");
  }
}

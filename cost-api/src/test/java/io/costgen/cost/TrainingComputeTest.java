package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainingComputeTest {

  /** Brown et al. 2020 (GPT-3), Table D.1: params (M), tokens (B), FLOPs, PF-days. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "GPT-3 Small,   125,    300,  2.25E+20, 2.60E+00",
      "GPT-3 Medium,  356,    300,  6.41E+20, 7.42E+00",
      "GPT-3 Large,   760,    300,  1.37E+21, 1.58E+01",
      "GPT-3 XL,      1320,   300,  2.38E+21, 2.75E+01",
      "GPT-3 2.7B,    2650,   300,  4.77E+21, 5.52E+01",
      "GPT-3 6.7B,    6660,   300,  1.20E+22, 1.39E+02",
      "GPT-3 13B,     12850,  300,  2.31E+22, 2.68E+02",
      "GPT-3 175B,    174600, 300,  3.14E+23, 3.64E+03",
      "BERT-Large,    355,    250,  5.33E+20, 6.16E+00",
      "RoBERTa-Large, 355,    2000, 4.26E+21, 4.93E+01"})
  void flops_reproduceGpt3TableD1(String model, long paramsMillions, long tokensBillions,
      double flops, double pfDays) {
    double c = TrainingCompute.flops(paramsMillions * 1_000_000L, tokensBillions * 1e9);
    assertThat(c).as(model).isCloseTo(flops, withinPercentage(1));
    assertThat(TrainingCompute.petaflopSDays(c)).as(model).isCloseTo(pfDays, withinPercentage(1));
  }

  @Test
  void gpt3_175bPreset_trainedOn300BTokens_is3_14e23Flops() {
    double c = ModelShape.preset("gpt3-175b").trainingFlops(300e9);
    assertThat(c).isCloseTo(3.14e23, withinPercentage(1));
    assertThat(TrainingCompute.petaflopSDays(c)).isCloseTo(3.64e3, withinPercentage(1));
  }

  @Test
  void petaflopSDay_is8_64e19Flops() {
    assertThat(TrainingCompute.FLOPS_PER_PETAFLOP_S_DAY).isEqualTo(1e15 * 86_400);
    assertThat(TrainingCompute.petaflopSDays(8.64e19)).isEqualTo(1.0);
  }

  @Test
  void badInput_isRejected_namingTheField() {
    assertThatThrownBy(() -> TrainingCompute.flops(-1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameters");
    assertThatThrownBy(() -> TrainingCompute.flops(1, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens");
    assertThatThrownBy(() -> TrainingCompute.flops(1, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens");
    assertThatThrownBy(() -> TrainingCompute.petaflopSDays(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flops");
  }
}

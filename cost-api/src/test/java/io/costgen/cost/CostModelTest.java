package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Currency;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CostModelTest {

  private static final ModelShape LLAMA2_7B = ModelShape.preset("llama-2-7b");
  private static final ModelShape TINY = ModelShape.builder().name("tiny").layers(2)
      .hiddenSize(64).attentionHeads(4).vocabSize(1000).contextLength(512).build();

  private static Usage usage(long prompt, long completion) {
    return Usage.builder().modelName("m").promptTokens(prompt).completionTokens(completion)
        .sequences(1).build();
  }

  // ------------------------------------------------------------------ per token

  @Test
  void perMillionTokens_pricesPromptAndCompletionExactly() {
    CostModel m = CostModel.builder().perMillionTokens(Money.usd("0.50"), Money.usd("1.50")).build();
    CostReport r = m.price(usage(1000, 500));
    assertThat(r.money()).isEqualTo(Money.usd("0.00125"));
    assertThat(r.deviceSeconds()).isZero();
    assertThat(r.energyJoules()).isZero();
    assertThat(r.pricing()).isEqualTo("per-token(in=0.5/1M, out=1.5/1M USD)");
  }

  @Test
  void perMillionTokens_stillRecordsTheMeasuredDeviceSeconds() {
    CostModel m = CostModel.builder().perMillionTokens(Money.usd("0.50"), Money.usd("1.50")).build();
    CostReport r = m.price(Usage.builder().promptTokens(1000).completionTokens(500).deviceSeconds(0.048).build());
    assertThat(r.deviceSeconds()).isEqualTo(0.048);
    assertThat(r.money()).isEqualTo(Money.usd("0.00125"));
    assertThat(r.energyJoules()).isZero();
  }

  @Test
  void tinyCosts_neverRoundToZero() {
    CostModel tokens = CostModel.builder()
        .perMillionTokens(Money.usd("0.000001"), Money.usd("0.000001")).build();
    assertThat(tokens.price(usage(1, 0)).money()).isEqualTo(Money.usd("0.000000000001"));

    CostModel device = CostModel.builder().perDeviceHour(Money.usd("0.01"))
        .localHardware(HardwareProfile.T4).build();
    Money c = device.price(Usage.builder().deviceSeconds(1e-9).build()).money();
    assertThat(c.isZero()).isFalse();
    assertThat(c.amount()).isEqualByComparingTo(new BigDecimal("0.01")
        .multiply(new BigDecimal("1e-9")).divide(BigDecimal.valueOf(3600), MathContext.DECIMAL128));
  }

  @Test
  void pricesInAnotherCurrency_stayInThatCurrency() {
    Currency eur = Currency.getInstance("EUR");
    CostModel m = CostModel.builder().perMillionTokens(
        Money.of(new BigDecimal("2"), eur), Money.of(new BigDecimal("4"), eur)).build();
    assertThat(m.price(usage(500_000, 250_000)).money()).isEqualTo(Money.of(new BigDecimal("2"), eur));
  }

  // ------------------------------------------------------------------ device time

  @Test
  void perDeviceHour_chargesMeasuredDeviceSeconds() {
    CostModel m = CostModel.builder().perDeviceHour(Money.usd("2.79"))
        .localHardware(HardwareProfile.A100_80GB_SXM).build();
    CostReport r = m.price(Usage.builder().deviceSeconds(36).build());
    assertThat(r.money()).isEqualTo(Money.usd("0.0279"));
    assertThat(r.deviceSeconds()).isEqualTo(36.0);
    assertThat(r.pricing()).contains("2.79 USD/h").contains("measured device-seconds")
        .contains("A100-80GB-SXM roofline, bound x2.0");
  }

  @Test
  void utilization_dividesDeviceMoney() {
    CostModel m = CostModel.builder().perDeviceHour(Money.usd("1"))
        .localHardware(HardwareProfile.T4).utilization(0.5).build();
    assertThat(m.price(Usage.builder().deviceSeconds(3600).build()).money()).isEqualTo(Money.usd("2"));
  }

  @Test
  void perDeviceHourOnTarget_pricesTheRooflineTimeAtTheCatalogPrice() {
    CostModel m = CostModel.builder().targetHardware(HardwareProfile.H100_SXM).perDeviceHour().build();
    Usage u = Usage.builder().model(LLAMA2_7B).promptTokens(512).completionTokens(128)
        .sequences(1).decodeSteps(127).deviceSeconds(999).build();
    CostReport r = m.price(u);
    double predicted = RooflineModel.of(HardwareProfile.H100_SXM).predict(LLAMA2_7B, 512, 128, 1)
        .deviceSeconds();
    assertThat(r.deviceSeconds()).isEqualTo(predicted);
    assertThat(r.money().amount().doubleValue()).isCloseTo(predicted / 3600 * 3.99, withinPercentage(1e-9));
    assertThat(r.pricing()).contains("3.99 USD/h").contains("H100-SXM");
  }

  @Test
  void targetPricing_withoutModelShape_isRejected_namingTheField() {
    CostModel m = CostModel.builder().targetHardware(HardwareProfile.H100_SXM).perDeviceHour().build();
    assertThatThrownBy(() -> m.price(usage(10, 10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("usage.model")
        .hasMessageContaining("H100-SXM");
  }

  // ------------------------------------------------------------------ energy and carbon

  @Test
  void energy_isTdpTimesDeviceSecondsTimesPue_andCarbonUsesGridIntensity() {
    CostModel m = CostModel.builder().localHardware(HardwareProfile.A100_80GB_SXM).energy().build();
    CostReport r = m.price(Usage.builder().deviceSeconds(10).build());
    assertThat(r.energyJoules()).isCloseTo(400 * 10 * 1.2, withinPercentage(1e-9));
    assertThat(r.co2eGrams()).isCloseTo(4800 / 3.6e6 * 436, withinPercentage(1e-9));
    assertThat(r.money().isZero()).isTrue();
    assertThat(r.pricing()).contains("PUE 1.2").contains("436.0 gCO2e/kWh");
  }

  @Test
  void energySettings_areApplied() {
    CostModel m = CostModel.builder().localHardware(HardwareProfile.H100_SXM)
        .powerFactor(0.7).pue(1.1).gridCarbonIntensity(367)
        .electricityPrice(Money.usd("0.10")).build();
    CostReport r = m.price(Usage.builder().deviceSeconds(3600).build());
    double joules = 700 * 0.7 * 3600 * 1.1;
    assertThat(r.energyJoules()).isCloseTo(joules, withinPercentage(1e-9));
    assertThat(r.co2eGrams()).isCloseTo(joules / 3.6e6 * 367, withinPercentage(1e-9));
    assertThat(r.money().amount().doubleValue()).isCloseTo(0.10 * joules / 3.6e6, withinPercentage(1e-9));

    CostModel watts = CostModel.builder().localHardware(HardwareProfile.H100_SXM).powerWatts(1000).build();
    assertThat(watts.price(Usage.builder().deviceSeconds(1).build()).energyJoules())
        .isCloseTo(1000 * 1.2, withinPercentage(1e-9));
  }

  @Test
  void energyOnTarget_usesTheTargetsTdpAndPredictedTime() {
    CostModel m = CostModel.builder().targetHardware(HardwareProfile.B200).energy().build();
    Usage u = Usage.builder().model(LLAMA2_7B).promptTokens(100).completionTokens(10).sequences(1).build();
    CostReport r = m.price(u);
    assertThat(r.energyJoules()).isCloseTo(1000 * r.deviceSeconds() * 1.2, withinPercentage(1e-9));
    assertThat(r.deviceSeconds()).isPositive();
  }

  // ------------------------------------------------------------------ estimates

  @Test
  void estimate_describesTheWorstCaseCall() {
    CostModel m = CostModel.builder().targetHardware(HardwareProfile.L4).perDeviceHour().build();
    CostReport r = m.estimate(LLAMA2_7B, 300, 50, 3);
    Usage u = r.usage();
    assertThat(u.promptTokens()).isEqualTo(300);
    assertThat(u.completionTokens()).isEqualTo(150);
    assertThat(u.sequences()).isEqualTo(3);
    assertThat(u.decodeSteps()).isEqualTo(50);
    assertThat(u.model()).contains(LLAMA2_7B);
    assertThat(u.prefillFlops()).isEqualTo(LLAMA2_7B.prefillFlops(100, 3));
    assertThat(u.decodeFlops()).isEqualTo(LLAMA2_7B.decodeFlops(100, 50, 3));
    assertThat(r.deviceSeconds()).isEqualTo(
        RooflineModel.of(HardwareProfile.L4).predict(LLAMA2_7B, 100, 50, 3).deviceSeconds());
  }

  @Test
  void measuredTime_estimateIsTheLocalRoofline_boundAddsTheMarginAndTheColdStartAllowance() {
    RooflineModel local = RooflineModel.of(HardwareProfile.T4);
    CostModel m = CostModel.builder().perDeviceHour(Money.usd("0.526")).localHardware(local)
        .boundMargin(3).coldStartSeconds(0.5).build();
    double roofline = local.predict(LLAMA2_7B, 32, 32, 2).deviceSeconds();
    assertThat(m.estimate(LLAMA2_7B, 64, 32, 2).deviceSeconds())
        .isCloseTo(roofline, withinPercentage(1e-9));
    assertThat(m.bound(LLAMA2_7B, 64, 32, 2, false).deviceSeconds())
        .isCloseTo(3 * roofline, withinPercentage(1e-9));
    assertThat(m.bound(LLAMA2_7B, 64, 32, 2, true).deviceSeconds())
        .isCloseTo(3 * roofline + 0.5, withinPercentage(1e-9));
  }

  @Test
  void estimate_isNeverBelowPrice_forCallsWithinTheirLimits() {
    RooflineModel localRoofline = RooflineModel.builder(HardwareProfile.A10G)
        .passOverheadSeconds(CostModel.Builder.DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS).build();
    List<CostModel> predicted = List.of(
        CostModel.builder().perMillionTokens(Money.usd("0.15"), Money.usd("0.60")).build(),
        CostModel.builder().perMillionTokens(Money.usd("3"), Money.usd("15"))
            .targetHardware(HardwareProfile.H100_SXM).perDeviceHour()
            .electricityPrice(Money.usd("0.12")).build(),
        CostModel.builder().targetHardware(RooflineModel.builder(HardwareProfile.H200).devices(2)
            .weightDtype(DType.INT8).build()).perDeviceHour(Money.usd("6.3")).utilization(0.6)
            .energy().build());
    CostModel measured = CostModel.builder().perDeviceHour(Money.usd("1.006"))
        .localHardware(HardwareProfile.A10G).energy().build();
    List<ModelShape> models = List.of(TINY, ModelShape.preset("gpt2"), LLAMA2_7B,
        ModelShape.preset("llama-3-8b"));
    Random rnd = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      ModelShape model = models.get(rnd.nextInt(models.size()));
      int rows = 1 + rnd.nextInt(8);
      long prompt = rnd.nextInt(3000);
      long maxNew = rnd.nextInt(600);
      long completion = 0;
      long longestRow = 0;
      for (int row = 0; row < rows; row++) {
        long n = maxNew == 0 ? 0 : rnd.nextInt((int) maxNew + 1);
        completion += n;
        longestRow = Math.max(longestRow, n);
      }
      long steps = Math.max(0, longestRow - rnd.nextInt(2));
      long promptPerRow = (prompt + rows - 1) / rows;
      double rooflineSeconds = localRoofline.predict(model, promptPerRow, steps, rows).deviceSeconds();
      // A call that ran anywhere up to the safety factor's slowdown of the local roofline.
      double measuredSeconds = rooflineSeconds * rnd.nextDouble()
          * CostModel.Builder.DEFAULT_BOUND_MARGIN;
      Usage actual = Usage.builder().model(model).promptTokens(prompt).completionTokens(completion)
          .sequences(rows).decodeSteps(steps).deviceSeconds(measuredSeconds).build();
      String call = model.name() + " prompt=" + prompt + " rows=" + rows + " maxNew=" + maxNew
          + " completion=" + completion + " steps=" + steps;
      for (CostModel m : predicted) {
        assertEstimateCovers(m.estimate(model, prompt, maxNew, rows), m.price(actual), call);
      }
      assertEstimateCovers(measured.bound(model, prompt, maxNew, rows, false), measured.price(actual), call);
    }
  }

  private static void assertEstimateCovers(CostReport estimate, CostReport price, String call) {
    assertThat(estimate.money()).as(call + " " + estimate.pricing()).isGreaterThanOrEqualTo(price.money());
    if (!estimate.pricing().startsWith("per-token(")) {
      // a per-token estimate predicts no device time (nothing is priced by it), while its price
      // records the measured device time for the ledger
      assertThat(estimate.deviceSeconds()).as(call).isGreaterThanOrEqualTo(price.deviceSeconds());
    }
    assertThat(estimate.energyJoules()).as(call).isGreaterThanOrEqualTo(price.energyJoules());
    assertThat(estimate.co2eGrams()).as(call).isGreaterThanOrEqualTo(price.co2eGrams());
  }

  @Test
  void estimate_rejectsBadInput_namingTheField() {
    CostModel m = CostModel.builder().perMillionTokens(Money.usd("1"), Money.usd("1")).build();
    assertThatThrownBy(() -> m.estimate(TINY, -1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("promptTokens");
    assertThatThrownBy(() -> m.estimate(TINY, 1, -1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxNewTokens");
    assertThatThrownBy(() -> m.estimate(TINY, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequences");
    assertThatThrownBy(() -> m.estimate(TINY, 1, Long.MAX_VALUE, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflows");
  }

  // ------------------------------------------------------------------ builder validation

  @Test
  void build_withoutAnyStrategy_isRejected() {
    assertThatThrownBy(() -> CostModel.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no pricing strategy");
  }

  @Test
  void build_rejectsConflictingSettings() {
    assertThatThrownBy(() -> CostModel.builder().perDeviceHour(Money.usd("1"))
        .targetHardware(HardwareProfile.H100_SXM).localHardware(HardwareProfile.T4).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("localHardware and targetHardware");
    assertThatThrownBy(() -> CostModel.builder().perDeviceHour(Money.usd("1"))
        .targetHardware(HardwareProfile.H100_SXM).boundMargin(3).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("boundMargin");
    assertThatThrownBy(() -> CostModel.builder()
        .perMillionTokens(Money.usd("1"), Money.of(BigDecimal.ONE, Currency.getInstance("EUR"))).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("different currencies");
  }

  @Test
  void catalogPrice_mustExist() {
    assertThatThrownBy(() -> CostModel.builder().perDeviceHour().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("targetHardware or localHardware");
    HardwareProfile unpriced = HardwareProfile.T4.toBuilder().noPrice().build();
    assertThatThrownBy(() -> CostModel.builder().perDeviceHour().localHardware(unpriced).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no catalog price");
  }

  @Test
  void builderSetters_rejectBadValues_namingTheField() {
    CostModel.Builder b = CostModel.builder();
    assertThatThrownBy(() -> b.pue(0.9)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pue");
    assertThatThrownBy(() -> b.powerFactor(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("powerFactor");
    assertThatThrownBy(() -> b.powerWatts(-5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("powerWatts");
    assertThatThrownBy(() -> b.utilization(1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("utilization");
    assertThatThrownBy(() -> b.boundMargin(0.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boundMargin");
    assertThatThrownBy(() -> b.gridCarbonIntensity(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gridCarbonIntensity");
    assertThatThrownBy(() -> b.perDeviceHour(Money.usd("-1"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pricePerDeviceHour");
    assertThatThrownBy(() -> b.perMillionTokens(Money.usd("-1"), Money.usd("1"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputPerMillion");
  }

  @Test
  void defaults_areTheDocumentedValues() {
    assertThat(CostModel.Builder.DEFAULT_PUE).isEqualTo(1.2);
    assertThat(CostModel.Builder.DEFAULT_GRID_GRAMS_CO2E_PER_KWH).isEqualTo(436.0);
    assertThat(CostModel.Builder.DEFAULT_POWER_FACTOR).isEqualTo(1.0);
    assertThat(CostModel.Builder.DEFAULT_BOUND_MARGIN).isEqualTo(2.0);
    assertThat(CostModel.Builder.DEFAULT_COLD_START_SECONDS).isEqualTo(0.25);
  }

  @Test
  void free_pricesAtZero_butKeepsUsage() {
    CostReport r = CostModel.free().price(Usage.builder().completionTokens(5).deviceSeconds(2).build());
    assertThat(r.money().isZero()).isTrue();
    assertThat(r.deviceSeconds()).isEqualTo(2.0);
    assertThat(CostModel.free().estimate(TINY, 10, 4, 3).usage().completionTokens()).isEqualTo(12);
  }
}

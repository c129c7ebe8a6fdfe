package io.costgen.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.costgen.projection.report.ProjectionInputs;
import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.LatencyEstimate;
import io.costgen.cost.Money;
import io.costgen.cost.ModelShape;
import io.costgen.cost.RooflineModel;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

public class DailyCostProjectionTest {

  /** A fixed stand-in for HardwareProfile.cpu() (which measures the host). */
  static final HardwareProfile TEST_CPU = HardwareProfile.builder("test-cpu")
      .peakFlops(DType.FP32, 100e9).memoryBandwidth(20e9).memoryBytes(64_000_000_000L)
      .tdpWatts(48).build();

  public static DailyCostProjection.Builder llama7bOnH100() {
    return DailyCostProjection.builder()
        .requestsPerDay(1e6).promptTokens(500).outputTokens(300)
        .model("llama-2-7b").hardware(HardwareProfile.H100_SXM)
        .batch(16).pricePerDeviceHour(Money.usd("2.00"));
  }

  @Test
  void cost_isLinearInTraffic_whenCapacityFollowsDemand() {
    ProjectionResult one = llama7bOnH100().build().project();
    ProjectionResult two = llama7bOnH100().requestsPerDay(2e6).build().project();
    assertThat(two.costPerDay().amount().doubleValue())
        .isCloseTo(2 * one.costPerDay().amount().doubleValue(), withinPercentage(1e-9));
    assertThat(two.devices().average()).isCloseTo(2 * one.devices().average(), withinPercentage(1e-9));
    assertThat(two.energyKwhPerDay()).isCloseTo(2 * one.energyKwhPerDay(), withinPercentage(1e-9));
    assertThat(two.costPerRequest().amount().doubleValue())
        .isCloseTo(one.costPerRequest().amount().doubleValue(), withinPercentage(1e-9));
  }

  @Test
  void deviceSecondsPerRequest_isTheRooflineBatchTimeTimesDevicesOverBatch() {
    DailyCostProjection p = llama7bOnH100().devicesPerReplica(2).build();
    ProjectionResult r = p.project();
    LatencyEstimate e = RooflineModel.builder(HardwareProfile.H100_SXM).devices(2).build()
        .predict(ModelShape.preset("llama-2-7b"), 500, 300, 16);
    assertThat(r.deviceSecondsPerRequest()).isCloseTo(e.totalSeconds() * 2 / 16, withinPercentage(1e-9));
    assertThat(r.latencySeconds()).hasValueCloseTo(e.totalSeconds(), withinPercentage(1e-9));
    assertThat(r.prefillDeviceSecondsPerRequest() + r.decodeDeviceSecondsPerRequest())
        .isCloseTo(r.deviceSecondsPerRequest(), withinPercentage(1e-9));
    assertThat(r.batch()).hasValue(16);
    assertThat(r.method()).isEqualTo(DailyCostProjection.Method.ROOFLINE);
    assertThat(r.bound()).contains(LatencyEstimate.Bound.MEMORY);
    assertThat(r.outputTokensPerDeviceSecond()).isCloseTo(300 / r.deviceSecondsPerRequest(), withinPercentage(1e-9));
  }

  @Test
  void costPerDay_isPaidDeviceHoursTimesPrice_andPerRequestAndPerMillionFollow() {
    ProjectionResult r = llama7bOnH100().utilization(0.4).build().project();
    double paidHours = 1e6 * r.deviceSecondsPerRequest() / 0.4 / 3600;
    assertThat(r.deviceHoursPerDay()).isCloseTo(paidHours, withinPercentage(1e-9));
    assertThat(r.busyDeviceHoursPerDay()).isCloseTo(paidHours * 0.4, withinPercentage(1e-9));
    assertThat(r.costPerDay().amount().doubleValue()).isCloseTo(2.0 * paidHours, withinPercentage(1e-9));
    assertThat(r.costPerRequest().amount().doubleValue())
        .isCloseTo(r.costPerDay().amount().doubleValue() / 1e6, withinPercentage(1e-9));
    assertThat(r.costPerMillionOutputTokens().amount().doubleValue())
        .isCloseTo(r.costPerDay().amount().doubleValue() / 300, withinPercentage(1e-9));
    assertThat(r.costPerYear()).isEqualTo(r.costPerDay().times(BigDecimal.valueOf(365)));
    assertThat(r.costPerMonth().amount().doubleValue())
        .isCloseTo(r.costPerDay().amount().doubleValue() * 365 / 12, withinPercentage(1e-12));
    assertThat(r.tokensPerDay()).isEqualTo(800e6);
  }

  @Test
  void peaks_roundUpToWholeDevicesReplicasAndServers() {
    // 2.5 output tokens per device-second, 30 tokens: 12 device-s per request; 10,000 requests
    // = 120,000 device-s = 1.3889 average devices.
    DailyCostProjection.Builder b = DailyCostProjection.builder().requestsPerDay(10_000)
        .promptTokens(0).outputTokens(30).model("gpt3-175b").hardware(HardwareProfile.A100_80GB_SXM)
        .measuredThroughput(2.5).pricePerDeviceHour(Money.usd("3"));
    ProjectionResult single = b.devicesPerReplica(1).build().project();
    assertThat(single.devices().average()).isCloseTo(120_000 / 86_400.0, within(1e-12));
    assertThat(single.devices().peak()).isEqualTo(2);
    ProjectionResult replicas = b.devicesPerReplica(5).devicesPerServer(8)
        .peakToAverage(3).build().project();
    // 1.3889 × 3 = 4.17 devices → one replica of 5 → one server of 8
    assertThat(replicas.devices().peakReplicas()).isEqualTo(1);
    assertThat(replicas.devices().peak()).isEqualTo(5);
    assertThat(replicas.devices().servers()).hasValue(1);
    ProjectionResult more = b.requestsPerDay(100_000).build().project();
    // 13.889 × 3 = 41.67 devices → 9 replicas of 5 = 45 devices → 6 servers of 8
    assertThat(more.devices().peakReplicas()).isEqualTo(9);
    assertThat(more.devices().peak()).isEqualTo(45);
    assertThat(more.devices().servers()).hasValue(6);
    // the peak does not change what an elastic fleet pays
    assertThat(more.costPerDay()).isEqualTo(b.peakToAverage(1).build().project().costPerDay());
  }

  @Test
  void peaks_doNotRoundAnExactWholeNumberUp() {
    // 86,400 device-s per day exactly: one device on average, 2 at a 2x peak (not 3).
    ProjectionResult r = DailyCostProjection.builder().requestsPerDay(86_400 / 3.0)
        .promptTokens(0).outputTokens(3).model("gpt2").hardware(HardwareProfile.T4)
        .measuredThroughput(1).devicesPerReplica(1).peakToAverage(2).build().project();
    assertThat(r.devices().average()).isCloseTo(1.0, within(1e-12));
    assertThat(r.devices().peak()).isEqualTo(2);
  }

  @Test
  void peakProvisioning_paysTheWholePeakFleetAllDay() {
    DailyCostProjection.Builder b = llama7bOnH100().peakToAverage(2.5).devicesPerReplica(1);
    ProjectionResult elastic = b.build().project();
    ProjectionResult peak =
        b.provisioning(DailyCostProjection.Provisioning.PEAK).build().project();
    assertThat(peak.deviceHoursPerDay()).isEqualTo(peak.devices().peak() * 24.0);
    assertThat(peak.costPerDay()).isGreaterThan(elastic.costPerDay());
    assertThat(peak.share(CostShare.Part.IDLE).perDay().isZero()).isFalse();
  }

  @Test
  void modelThatDoesNotFitOneDevice_getsMoreDevicesPerReplica() {
    DailyCostProjection p = DailyCostProjection.builder().requestsPerDay(1e6).promptTokens(100)
        .outputTokens(100).model("gpt3-175b").weightDtype(DType.FP16)
        .hardware(HardwareProfile.A100_80GB_SXM).build();
    // 174.6e9 × 2 bytes = 349 GB > 4 × 80 GB
    assertThat(p.minimumDevicesPerReplica(1)).isEqualTo(5);
    ProjectionResult r = p.project();
    assertThat(r.devices().perReplica()).isGreaterThanOrEqualTo(5);
    assertThat(r.devices().minimumPerReplica()).isEqualTo(5);
    assertThat(r.devices().peak() % r.devices().perReplica()).isZero();
    // int8 halves the weights: 3 devices
    assertThat(p.toBuilder().weightDtype(DType.INT8).build().minimumDevicesPerReplica(1)).isEqualTo(3);
  }

  @Test
  void tooFewDevicesPerReplica_isRejected_namingTheDevicesNeeded() {
    DailyCostProjection p = DailyCostProjection.builder().requestsPerDay(1e6).promptTokens(100)
        .outputTokens(100).model("gpt3-175b").weightDtype(DType.FP16)
        .hardware(HardwareProfile.A100_80GB_SXM).devicesPerReplica(4).build();
    assertThatThrownBy(p::project).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("devicesPerReplica: 4 is too few")
        .hasMessageContaining("needs >= 5 x A100-80GB-SXM")
        .hasMessageContaining("349.2 GB");
  }

  @Test
  void tooFewDevices_withAMeasuredThroughput_isAWarning() {
    ProjectionResult r = DailyCostProjection.builder().requestsPerDay(1e6).promptTokens(100)
        .outputTokens(100).model("gpt3-175b").weightDtype(DType.FP16)
        .hardware(HardwareProfile.A100_80GB_SXM).devicesPerReplica(4).measuredThroughput(10)
        .build().project();
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("devicesPerReplica: 4")
        .contains(">= 5"));
    assertThat(r.bound()).isEmpty();
    assertThat(r.latencySeconds()).isEmpty();
    assertThat(r.deviceSecondsPerRequest()).isEqualTo(10.0);
  }

  @Test
  void badInputs_areRejected_namingTheField() {
    DailyCostProjection.Builder b = DailyCostProjection.builder();
    assertThatThrownBy(() -> b.requestsPerDay(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requestsPerDay: 0.0").hasMessageContaining("> 0");
    assertThatThrownBy(() -> b.requestsPerDay(-5)).hasMessageContaining("requestsPerDay");
    assertThatThrownBy(() -> b.requestsPerDay(Double.NaN)).hasMessageContaining("requestsPerDay");
    assertThatThrownBy(() -> b.dailyActiveUsers(0, 15)).hasMessageContaining("dailyActiveUsers");
    assertThatThrownBy(() -> b.dailyActiveUsers(1e6, -1)).hasMessageContaining("requestsPerUser");
    assertThatThrownBy(() -> b.utilization(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("utilization: 0.0 must be in (0, 1]");
    assertThatThrownBy(() -> b.utilization(1.01)).hasMessageContaining("utilization: 1.01");
    assertThatThrownBy(() -> b.hardware("tpu-v9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hardware: unknown name 'tpu-v9'").hasMessageContaining("H100-SXM");
    assertThatThrownBy(() -> b.model("gpt-9")).hasMessageContaining("preset: unknown model");
    assertThatThrownBy(() -> b.outputTokens(0)).hasMessageContaining("outputTokens");
    assertThatThrownBy(() -> b.promptTokens(-1)).hasMessageContaining("promptTokens");
    assertThatThrownBy(() -> b.peakToAverage(0.5)).hasMessageContaining("peakToAverage");
    assertThatThrownBy(() -> b.computeEfficiency(1.5)).hasMessageContaining("computeEfficiency");
    assertThatThrownBy(() -> b.pue(0.9)).hasMessageContaining("pue");
    assertThatThrownBy(() -> b.batch(0)).hasMessageContaining("batch");
    assertThatThrownBy(() -> b.pricePerDeviceHour(Money.usd("-1"))).hasMessageContaining("pricePerDeviceHour");
  }

  @Test
  void missingOrConflictingInputs_failTheBuild() {
    assertThatThrownBy(() -> DailyCostProjection.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("traffic");
    assertThatThrownBy(() -> llama7bOnH100().measuredThroughput(10)
        .calibratedFrom(new MeasuredWorkload(10, 100, 100, 5, TEST_CPU, ModelShape.preset("llama-2-7b")))
        .build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("measuredThroughput and calibratedFrom");
    assertThatThrownBy(() -> llama7bOnH100().electricityPerKwh(
        Money.of(new BigDecimal("0.1"), java.util.Currency.getInstance("EUR"))).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("currency");
    assertThatThrownBy(() -> llama7bOnH100().weightDtype(DType.INT4).computeDtype(DType.INT4).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("computeDtype");
  }

  @Test
  void breakdown_partsAddUpToTheDaysCostExactly() {
    ProjectionResult r = llama7bOnH100().utilization(0.6)
        .electricityPerKwh(Money.usd("0.12")).build().project();
    Money sum = Money.zero(Money.USD);
    double fractions = 0;
    for (CostShare s : r.breakdown()) {
      sum = sum.plus(s.perDay());
      fractions += s.fraction();
    }
    assertThat(sum).isEqualTo(r.costPerDay());
    assertThat(fractions).isCloseTo(1, within(1e-9));
    assertThat(r.share(CostShare.Part.IDLE).fraction()).isGreaterThan(0.3);
    assertThat(r.share(CostShare.Part.PREFILL).perDay().isZero()).isFalse();
    assertThat(r.share(CostShare.Part.DECODE).perDay()).isGreaterThan(r.share(CostShare.Part.PREFILL).perDay());
    assertThat(r.share(CostShare.Part.ELECTRICITY).perDay())
        .isEqualTo(Money.usd("0.12").times(r.energyKwhPerDay()));
  }

  @Test
  void energy_isBusyDeviceTimeTimesPowerTimesPue_plusIdlePowerWhenAsked() {
    DailyCostProjection.Builder b = llama7bOnH100().utilization(0.5).pue(1.5)
        .powerWattsPerDevice(1000).powerFactor(0.8).gridCarbonIntensity(400);
    ProjectionResult r = b.build().project();
    double busy = 1e6 * r.deviceSecondsPerRequest();
    assertThat(r.energyKwhPerDay()).isCloseTo(busy * 800 * 1.5 / 3.6e6, withinPercentage(1e-9));
    assertThat(r.energyWhPerRequest()).isCloseTo(r.energyKwhPerDay() * 1000 / 1e6, withinPercentage(1e-9));
    assertThat(r.co2eKgPerDay()).isCloseTo(r.energyKwhPerDay() * 0.4, withinPercentage(1e-9));
    ProjectionResult idle = b.idlePowerFraction(0.25).build().project();
    // as much idle time as busy time at 50 % utilisation, at a quarter of the power
    assertThat(idle.energyKwhPerDay()).isCloseTo(r.energyKwhPerDay() * 1.25, withinPercentage(1e-9));
  }

  @Test
  void targetLatency_picksTheCheapestBatchThatMeetsIt() {
    DailyCostProjection.Builder b = llama7bOnH100().devicesPerReplica(1);
    LatencyEstimate one = b.build().toBuilder().batch(1).build().project().latency().orElseThrow();
    double target = one.totalSeconds() * 1.5;
    ProjectionResult r = b.targetLatencySeconds(target).build().project();
    assertThat(r.latencySeconds().getAsDouble()).isLessThanOrEqualTo(target);
    assertThat(r.batch().getAsInt()).isGreaterThan(1);
    ProjectionResult next = b.batch(r.batch().getAsInt() + 1).build().project();
    assertThat(next.latencySeconds().getAsDouble() > target
        || next.deviceSecondsPerRequest() >= r.deviceSecondsPerRequest()).isTrue();
    assertThatThrownBy(() -> b.targetLatencySeconds(one.totalSeconds() / 10).build().project())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("targetLatencySeconds").hasMessageContaining("unreachable");
  }

  @Test
  void calibrated_onTheMeasuringMachineItself_reproducesTheMeasurement() {
    ModelShape gpt2 = ModelShape.preset("gpt2");
    // 200 requests of 50 + 40 tokens that took 2.5× the roofline time on the test CPU
    double roofline = RooflineModel.of(TEST_CPU).predict(gpt2, 50, 40, 1).totalSeconds();
    MeasuredWorkload w = new MeasuredWorkload(200, 200 * 50, 200 * 40, 200 * roofline * 2.5,
        TEST_CPU, gpt2);
    ProjectionResult same = DailyCostProjection.builder().requestsPerDay(1e5)
        .calibratedFrom(w).hardware(TEST_CPU).weightDtype(DType.FP32).devicesPerReplica(1)
        .pricePerDeviceHour(Money.usd("0.10")).build().project();
    assertThat(same.method()).isEqualTo(DailyCostProjection.Method.CALIBRATED);
    assertThat(same.calibrationFactor()).hasValueCloseTo(2.5, withinPercentage(1e-9));
    assertThat(same.deviceSecondsPerRequest()).isCloseTo(w.deviceSecondsPerRequest(), withinPercentage(1e-9));
  }

  @Test
  void calibrated_onTargetHardware_scalesTheTargetRooflineByTheMeasuredFactor() {
    ModelShape gpt2 = ModelShape.preset("gpt2");
    double roofline = RooflineModel.of(TEST_CPU).predict(gpt2, 50, 40, 1).totalSeconds();
    MeasuredWorkload w = new MeasuredWorkload(100, 5000, 4000, 100 * roofline * 3, TEST_CPU, gpt2);
    DailyCostProjection.Builder target = DailyCostProjection.builder().requestsPerDay(1e7)
        .calibratedFrom(w).hardware(HardwareProfile.A10G).batch(8);
    ProjectionResult calibrated = target.build().project();
    ProjectionResult pure = DailyCostProjection.builder().requestsPerDay(1e7)
        .model(gpt2).promptTokens(50).outputTokens(40).hardware(HardwareProfile.A10G).batch(8)
        .build().project();
    assertThat(calibrated.deviceSecondsPerRequest())
        .isCloseTo(3 * pure.deviceSecondsPerRequest(), withinPercentage(1e-9));
    assertThat(calibrated.costPerDay().amount().doubleValue())
        .isCloseTo(3 * pure.costPerDay().amount().doubleValue(), withinPercentage(1e-9));
    // 10× the traffic: 10× the cost
    ProjectionResult tenfold = target.requestsPerDay(1e8).build().project();
    assertThat(tenfold.costPerDay().amount().doubleValue())
        .isCloseTo(10 * calibrated.costPerDay().amount().doubleValue(), withinPercentage(1e-9));
  }

  @Test
  void calibrated_ordersOfMagnitudeFromTheRoofline_warns() {
    ModelShape gpt2 = ModelShape.preset("gpt2");
    double roofline = RooflineModel.of(TEST_CPU).predict(gpt2, 50, 40, 1).totalSeconds();
    DailyCostProjection.Builder b = DailyCostProjection.builder().requestsPerDay(1e6)
        .hardware(HardwareProfile.T4);
    // twice as fast as the roofline: plausible (a measured cpu() peak is a lower bound)
    MeasuredWorkload faster = new MeasuredWorkload(10, 500, 400, 10 * roofline / 2, TEST_CPU, gpt2);
    assertThat(b.calibratedFrom(faster).build().project().warnings()).isEmpty();
    // a thousand times faster: milliseconds passed as seconds?
    MeasuredWorkload units = new MeasuredWorkload(10, 500, 400, 10 * roofline / 1000, TEST_CPU, gpt2);
    assertThat(b.calibratedFrom(units).build().project().warnings())
        .anySatisfy(s -> assertThat(s).contains("calibration").contains("units"));
  }

  @Test
  void measuredWorkload_rejectsBadValues() {
    ModelShape gpt2 = ModelShape.preset("gpt2");
    assertThatThrownBy(() -> new MeasuredWorkload(0, 1, 1, 1, TEST_CPU, gpt2))
        .hasMessageContaining("requests");
    assertThatThrownBy(() -> new MeasuredWorkload(1, 1, 0, 1, TEST_CPU, gpt2))
        .hasMessageContaining("completionTokens");
    assertThatThrownBy(() -> new MeasuredWorkload(1, 1, 1, 0, TEST_CPU, gpt2))
        .hasMessageContaining("deviceSeconds");
  }

  @Test
  void measuredThroughput_replacesTheRoofline() {
    ProjectionResult r = llama7bOnH100().measuredThroughput(1000).utilization(0.5)
        .build().project();
    assertThat(r.method()).isEqualTo(DailyCostProjection.Method.MEASURED_THROUGHPUT);
    assertThat(r.deviceSecondsPerRequest()).isEqualTo(0.3);
    assertThat(r.batch()).isEmpty();
    assertThat(r.share(CostShare.Part.BUSY).fraction()).isCloseTo(0.5, within(1e-12));
    assertThat(r.share(CostShare.Part.IDLE).fraction()).isCloseTo(0.5, within(1e-12));
    assertThat(r.share(CostShare.Part.PREFILL).perDay().isZero()).isTrue();
  }

  @Test
  void batchForThroughput_findsTheSmallestBatchThatReachesIt() {
    DailyCostProjection p = llama7bOnH100().build();
    double atOne = p.toBuilder().batch(1).build().project().outputTokensPerDeviceSecond();
    DailyCostProjection.BatchRequirement need = p.batchForThroughput(atOne * 10).orElseThrow();
    assertThat(need.batch()).isGreaterThan(1);
    assertThat(need.outputTokensPerDeviceSecond()).isGreaterThanOrEqualTo(atOne * 10);
    ProjectionResult below = p.toBuilder().batch(need.batch() - 1)
        .devicesPerReplica(p.minimumDevicesPerReplica(need.batch() - 1)).build().project();
    assertThat(below.outputTokensPerDeviceSecond()).isLessThan(atOne * 10);
    assertThat(p.batchForThroughput(1e9)).isEmpty();
  }

  @Test
  void training_isSixNDAtTheMfuOfTheBf16Peak() {
    DailyCostProjection p = DailyCostProjection.builder().requestsPerDay(1).promptTokens(1)
        .outputTokens(1).model("gpt3-175b").hardware(HardwareProfile.A100_80GB_SXM)
        .pricePerDeviceHour(Money.usd("1")).pue(1.1).build();
    TrainingEstimate t = p.training(300e9, 0.5);
    assertThat(t.flops()).isCloseTo(3.14e23, withinPercentage(0.5)); // GPT-3 Table D.1
    assertThat(t.petaflopSDays()).isCloseTo(3640, withinPercentage(0.5));
    assertThat(t.computeDtype()).isEqualTo(DType.BF16);
    double hours = t.flops() / (312e12 * 0.5) / 3600;
    assertThat(t.deviceHours()).isCloseTo(hours, withinPercentage(1e-9));
    assertThat(t.cost().amount().doubleValue()).isCloseTo(hours, withinPercentage(1e-9));
    assertThat(t.energyKwh()).isCloseTo(hours * 400 * 1.1 / 1000, withinPercentage(1e-9));
    assertThat(t.daysOn(1024)).isCloseTo(hours / 1024 / 24, withinPercentage(1e-9));
    assertThatThrownBy(() -> p.training(1e9, 0)).hasMessageContaining("computeEfficiency");
  }

  @Test
  void contextLongerThanTheModels_isAWarning() {
    ProjectionResult r = llama7bOnH100().promptTokens(4000).build().project();
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("context length 4096"));
  }

  @Test
  void toBuilder_roundTripsEveryInput() {
    DailyCostProjection p = llama7bOnH100().dailyActiveUsers(1e5, 7).peakToAverage(2)
        .utilization(0.7).devicesPerServer(8).pue(1.3).electricityPerKwh(Money.usd("0.1"))
        .build();
    DailyCostProjection q = p.toBuilder().build();
    assertThat(ProjectionInputs.describe(q)).isEqualTo(ProjectionInputs.describe(p));
    assertThat(q.project().costPerDay()).isEqualTo(p.project().costPerDay());
    assertThat(ProjectionInputs.describe(p)).extracting(ProjectionInputs.Input::name)
        .contains("dailyActiveUsers", "requestsPerDay", "hardware", "utilization", "pue");
  }

  @Test
  void catalogPrice_isUsedWhenNoneIsGiven() {
    DailyCostProjection p = llama7bOnH100().catalogPrice().build();
    assertThat(p.pricePerDeviceHour()).isEqualTo(Money.usd("3.99"));
    assertThat(p.hasExplicitPrice()).isFalse();
  }
}

package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** {@link DeviceCalibration#predict}: per-row-count rates, streamed bytes, the model's pass overhead. */
class CalibratedTimeTest {

  /** 1 row at 10 GFLOP/s (= 20 GB/s of fp32 weights), 8 rows at 40, 64 rows at 160 GFLOP/s. */
  static final DeviceCalibration DEVICE = new DeviceCalibration("cpu", "test", 1, "1.28.0", 2e11,
      OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), 2e10, 1e-5, 1e-3,
      1L << 34, 10, Instant.parse("2026-12-02T00:00:00Z"),
      List.of(new DeviceCalibration.RowRate(64, 160e9), new DeviceCalibration.RowRate(1, 10e9),
          new DeviceCalibration.RowRate(8, 40e9)));

  static final ModelShape GPT2 = ModelShape.preset("gpt2");

  @Test
  void rowRates_interpolateInLogRows_andClampOutside() {
    assertThat(DEVICE.fp32RowRates()).extracting(DeviceCalibration.RowRate::rows).containsExactly(1, 8, 64);
    assertThat(DEVICE.fp32FlopsPerSecond(1)).isEqualTo(10e9);
    assertThat(DEVICE.fp32FlopsPerSecond(8)).isEqualTo(40e9);
    // Halfway between 1 and 8 in log rows: sqrt(8) rows.
    assertThat(DEVICE.fp32FlopsPerSecond(Math.sqrt(8))).isCloseTo(25e9, within(1e3));
    assertThat(DEVICE.fp32FlopsPerSecond(1000)).isEqualTo(160e9);
    assertThat(DEVICE.fp32FlopsPerSecond(0.5)).isEqualTo(10e9);
    assertThatThrownBy(() -> new DeviceCalibration.RowRate(0, 1e9)).hasMessageContaining("rows");
  }

  @Test
  void batchOneDecode_streamsTheLayersAndTheHead_notTheInputTables() {
    ModelShape untied = GPT2.toBuilder().tiedEmbeddings(false).build();
    // One step at context p + 1 = 1 (p = 0): weights at the 1-row rate, one position of KV cache.
    double streamed = GPT2.nonEmbeddingParameters() + 50257.0 * 768;
    double expected = 2.0 * streamed / 10e9 + GPT2.kvCacheBytesPerToken(DType.FP32) / 2e10 + 1e-5;
    LatencyEstimate e = DEVICE.predict(GPT2, DType.FP32, 0, 1, 1, null);
    assertThat(e.decodeSeconds()).isCloseTo(expected, within(1e-9));
    // An untied input embedding is only gathered: same time as the tied model.
    assertThat(DEVICE.predict(untied, DType.FP32, 0, 1, 1, null).decodeSeconds())
        .isCloseTo(expected, within(1e-9));
    // Below the plain roofline of all weight bytes (which counts positions and the input table).
    assertThat(e.decodeSeconds()).isLessThan(GPT2.weightBytes(DType.FP32) / 2e10);
  }

  @Test
  void batchEightDecode_runsAtTheEightRowRate() {
    LatencyEstimate one = DEVICE.predict(GPT2, DType.FP32, 16, 4, 1, null);
    LatencyEstimate eight = DEVICE.predict(GPT2, DType.FP32, 16, 4, 8, null);
    double streamed = GPT2.nonEmbeddingParameters() + 50257.0 * 768;
    double kv = GPT2.kvCacheBytesPerToken(DType.FP32);
    double expected = 0;
    for (int i = 1; i <= 4; i++) { // step i at context p + i
      expected += 2.0 * 8 * streamed / 40e9 + 8 * kv * (16 + i) / 2e10 + 1e-5;
    }
    assertThat(eight.decodeSeconds()).isCloseTo(expected, within(1e-9));
    // 8 rows at 4× the rate: twice the time of one row, not eight times.
    assertThat(eight.decodeSeconds() / one.decodeSeconds()).isBetween(1.9, 2.1);
    assertThat(eight.decodeBound()).isEqualTo(LatencyEstimate.Bound.COMPUTE);
  }

  @Test
  void prefill_runsTheLayersAtTheChunkRate_andTheHeadOnTheLastPositionOnly() {
    LatencyEstimate e = DEVICE.predict(GPT2, DType.FP32, 64, 0, 1, null);
    double layers = 2.0 * 64 * GPT2.nonEmbeddingParameters() / 160e9;
    double head = 2.0 * 50257.0 * 768 / 10e9;
    double attention = 2.0 * GPT2.attentionFlopsPerContextToken() * 64 * 65 / 2.0 / 160e9;
    assertThat(e.prefillSeconds()).isCloseTo(layers + head + attention + 1e-5, within(1e-9));
    assertThat(e.decodeSeconds()).isZero();
  }

  @Test
  void passOverhead_ofTheModel_replacesTheDevicesAndScalesBeyondItsLastPoint() {
    PassOverhead o = new PassOverhead(GPT2.name(),
        List.of(new PassOverhead.Point(1, 0.001, 0.02), new PassOverhead.Point(16, 0.004, 0.05)),
        List.of(new PassOverhead.Point(1, 0.002, 0.03), new PassOverhead.Point(8, 0.009, 0.06)));
    assertThat(o.prefillSeconds(1, 0.5)).isEqualTo(0.001);
    assertThat(o.prefillSeconds(8.5, 0.5)).isCloseTo(0.0025, within(1e-12));
    // Beyond the last point: in proportion to the predicted work (0.1 s against 0.05 s there).
    assertThat(o.prefillSeconds(64, 0.1)).isCloseTo(0.008, within(1e-12));
    assertThat(o.decodeSeconds(16, 0.03)).isEqualTo(0.009);
    LatencyEstimate without = DEVICE.predict(GPT2, DType.FP32, 0, 3, 1, null);
    LatencyEstimate with = DEVICE.predict(GPT2, DType.FP32, 0, 3, 1, o);
    assertThat(with.decodeSeconds() - without.decodeSeconds()).isCloseTo(3 * (0.002 - 1e-5), within(1e-9));
    // Another model keeps the device's overhead.
    ModelShape other = GPT2.toBuilder().name("other").build();
    assertThat(DEVICE.predict(other, DType.FP32, 0, 3, 1, o).decodeSeconds())
        .isEqualTo(DEVICE.predict(other, DType.FP32, 0, 3, 1, null).decodeSeconds());
    assertThatThrownBy(() -> new PassOverhead("m", List.of(), o.decode())).hasMessageContaining("prefill");
  }

  @Test
  void withoutRowRates_theCalibratedRooflineIsUsed() {
    DeviceCalibration old = new DeviceCalibration("cpu", "test", 1, "1.28.0", 2e11,
        OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), 2e10, 1e-5, 1e-3,
        1L << 34, 10, Instant.parse("2026-12-02T00:00:00Z"));
    assertThat(old.fp32RowRates()).isEmpty();
    assertThat(old.predict(GPT2, DType.FP32, 32, 8, 2, null))
        .isEqualTo(old.roofline(DType.FP32).predict(GPT2, 32, 8, 2));
  }

  @Test
  void costModel_estimatesWithTheCalibratedTime_andTheModelsOverhead() {
    PassOverhead o = new PassOverhead(GPT2.name(), List.of(new PassOverhead.Point(1, 0.001, 0)),
        List.of(new PassOverhead.Point(1, 0.003, 0)));
    CostModel m = CostModel.builder().energy().calibration(DEVICE).passOverhead(o).build();
    double expected = DEVICE.predict(GPT2, DType.FP32, 10, 5, 1, o).totalSeconds();
    assertThat(m.estimate(GPT2, 10, 5, 1).deviceSeconds()).isCloseTo(expected, within(1e-12));
    // The bound keeps the cold-start margin (default 2) before corrections are learned.
    assertThat(m.bound(GPT2, 10, 5, 1, false).deviceSeconds()).isCloseTo(2 * expected, within(1e-12));
  }
}

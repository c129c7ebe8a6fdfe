package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.cost.DType;
import io.costgen.cost.DeviceCalibration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration through ONNX Runtime, with a tiny time budget (shapes shrink under one second). */
class OnnxCalibrationTest {

  private static final Duration TINY = Duration.ofMillis(60);

  @TempDir Path dir;

  @Test
  void measure_runsEveryFormatThroughOnnxRuntime_atTheRequestedThreads() {
    DeviceCalibration c = OnnxCalibration.measure(1, TINY);

    assertThat(c.device()).isEqualTo("cpu");
    assertThat(c.threads()).isEqualTo(1);
    assertThat(c.runtimeVersion()).isEqualTo(OrtEnvironment.getEnvironment().getVersion());
    assertThat(c.fp32FlopsPerSecond()).isBetween(1e6, 1e14);
    assertThat(c.bandwidthBytesPerSecond()).isBetween(1e6, 1e13);
    assertThat(c.passOverheadSeconds()).isBetween(1e-7, 1.0);
    // int8 (MatMulInteger) and int4 (MatMulNBits) run on every ONNX Runtime CPU build.
    assertThat(c.int8OpsPerSecond()).isPresent();
    assertThat(c.int4FlopsPerSecond()).isPresent();
    assertThat(c.toProfile().supports(DType.INT4)).isTrue();
    assertThat(c.roofline(DType.INT4).computeDtype()).isEqualTo(DType.INT4);
    // fp32 rates per row count, from the matmul stack: one per measured row count.
    assertThat(c.fp32RowRates()).extracting(DeviceCalibration.RowRate::rows)
        .containsExactly(1, 2, 4, 8);
    assertThat(c.fp32RowRates()).allSatisfy(r -> assertThat(r.flopsPerSecond()).isBetween(1e6, 1e14));
  }

  @Test
  void cache_keepsTheRowRates_andAnEntryWithoutThemIsMeasuredAgain() throws Exception {
    Path cache = dir.resolve("calibration.json");
    DeviceCalibration measured = OnnxCalibration.loadOrMeasure(cache, 1, TINY);
    assertThat(OnnxCalibration.load(cache, 1)).hasValueSatisfying(c ->
        assertThat(c.fp32RowRates()).isEqualTo(measured.fp32RowRates()).isNotEmpty());
    // A first-format entry (no row rates) for this very key is served by load, but
    // loadOrMeasure measures afresh and replaces it.
    DeviceCalibration old = new DeviceCalibration("cpu", io.costgen.cost.CpuCalibration.cpuModel(), 1,
        OrtEnvironment.getEnvironment().getVersion(), 1e9, OptionalDouble.empty(),
        OptionalDouble.empty(), OptionalDouble.empty(), 1e9, 1e-4, 1e-3, 1L << 30, 3,
        Instant.parse("2026-01-01T00:00:00Z"));
    OnnxCalibration.store(cache, old);
    assertThat(OnnxCalibration.load(cache, 1)).contains(old);
    DeviceCalibration fresh = OnnxCalibration.loadOrMeasure(cache, 1, TINY);
    assertThat(fresh.fp32RowRates()).isNotEmpty();
    assertThat(fresh.measuredAt()).isAfter(old.measuredAt());
    assertThat(OnnxCalibration.load(cache, 1)).contains(fresh);
  }

  @Test
  void measurePassOverhead_ofStories260k_isTheTimeBeyondItsMatmuls_perPhaseAndRows() {
    DeviceCalibration device = OnnxCalibration.measure(1, TINY);
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(Stories260k.dir()).intraOpThreads(1)
        .build()) {
      io.costgen.cost.PassOverhead o = OnnxCalibration.measurePassOverhead(backend, device);
      assertThat(o.model()).isEqualTo(backend.modelInfo().shape().name());
      assertThat(o.appliesTo(backend.modelInfo().shape())).isTrue();
      // A 260k-parameter model passes in well under 100 ms: every grid point is measured.
      assertThat(o.prefill()).extracting(io.costgen.cost.PassOverhead.Point::rows)
          .containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256, 512);
      assertThat(o.decode()).extracting(io.costgen.cost.PassOverhead.Point::rows)
          .containsExactly(1, 2, 4, 8, 16);
      // Its passes are almost all overhead: far above the device's empty-graph pass, and made
      // non-decreasing in rows.
      assertThat(o.decode().get(0).seconds()).isGreaterThan(device.passOverheadSeconds());
      for (List<io.costgen.cost.PassOverhead.Point> points : List.of(o.prefill(), o.decode())) {
        for (int i = 1; i < points.size(); i++) {
          assertThat(points.get(i).seconds()).isGreaterThanOrEqualTo(points.get(i - 1).seconds());
        }
      }
    }
  }

  @Test
  void loadOrMeasure_cachesPerCpuRuntimeVersionAndThreads() throws Exception {
    Path cache = dir.resolve("sub/calibration.json");
    assertThat(OnnxCalibration.load(cache, 1)).isEmpty();

    DeviceCalibration first = OnnxCalibration.loadOrMeasure(cache, 1, TINY);

    assertThat(OnnxCalibration.load(cache, 1)).contains(first);
    assertThat(OnnxCalibration.loadOrMeasure(cache, 1, TINY)).isEqualTo(first); // served from the file
    // Another thread count (or runtime version) is another key: not served from this entry.
    assertThat(OnnxCalibration.load(cache, 2)).isEmpty();
    JsonNode root = new ObjectMapper().readTree(cache.toFile());
    assertThat(root.path("calibrations").has(OnnxCalibration.key(1))).isTrue();
    assertThat(OnnxCalibration.key(1)).contains(OrtEnvironment.getEnvironment().getVersion())
        .contains("| 1 threads");
  }

  @Test
  void load_ignoresAnEntryOfAnotherRuntimeVersion() throws Exception {
    Path cache = dir.resolve("calibration.json");
    DeviceCalibration stale = new DeviceCalibration("cpu", io.costgen.cost.CpuCalibration.cpuModel(), 1,
        "0.0.1", 1e9, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), 1e9,
        1e-4, 1e-3, 1L << 30, 3, Instant.parse("2026-01-01T00:00:00Z"));
    OnnxCalibration.store(cache, stale);
    assertThat(Files.readString(cache)).contains("0.0.1");
    assertThat(OnnxCalibration.load(cache, 1)).isEmpty();
  }

  @Test
  void toJson_printsExactlyTheDocumentedKeys() {
    DeviceCalibration c = new DeviceCalibration("cpu", "m", 4, "1.28.0", 1e11,
        OptionalDouble.empty(), OptionalDouble.of(2e11), OptionalDouble.of(3e11), 2e10, 1e-4, 2e-3,
        1L << 33, 12, Instant.parse("2026-12-02T15:00:00Z"));
    JsonNode j = OnnxCalibration.toJson(c);
    List<String> keys = new ArrayList<>();
    j.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("device", "threads", "onnxRuntime", "fp32FlopsPerSecond",
        "fp16FlopsPerSecond", "int8OpsPerSecond", "int4FlopsPerSecond", "bandwidthBytesPerSecond",
        "passOverheadSeconds", "measuredAt");
    assertThat(j.get("fp16FlopsPerSecond").isNull()).isTrue();
    assertThat(j.get("int8OpsPerSecond").asDouble()).isEqualTo(2e11);
    assertThat(j.get("measuredAt").asText()).isEqualTo("2026-12-02T15:00:00Z");
  }

  @Test
  void measure_rejectsBadArguments() {
    assertThatThrownBy(() -> OnnxCalibration.measure(-1, TINY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    assertThatThrownBy(() -> OnnxCalibration.measure(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
  }
}

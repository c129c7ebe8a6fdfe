package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuCalibrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void loadOrMeasure_returnsTheCachedEntry_withoutMeasuring() throws IOException {
    Path cache = dir.resolve("cpu-profile.json");
    Files.writeString(cache, "{\"version\":1,\"profiles\":{" + entry(CpuCalibration.machineKey(),
        1.5e9, 2.5e9) + "}}");
    CpuCalibration.Result r = CpuCalibration.loadOrMeasure(cache);
    assertThat(r.memoryBandwidthBytesPerSecond()).isEqualTo(1.5e9);
    assertThat(r.fp32FlopsPerSecond()).isEqualTo(2.5e9);
    assertThat(r.measuredAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
  }

  @Test
  void loadOrMeasure_measuresAndCaches_whenOnlyOtherMachinesAreCached() throws IOException {
    Path cache = dir.resolve("sub/dir/cpu-profile.json");
    Files.createDirectories(cache.getParent());
    Files.writeString(cache, "{\"version\":1,\"profiles\":{" + entry("other | 64 | x", 1, 2) + "}}");

    CpuCalibration.Result measured = CpuCalibration.loadOrMeasure(cache);

    assertThat(measured.key()).isEqualTo(CpuCalibration.machineKey());
    assertThat(measured.logicalCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(measured.memoryBandwidthBytesPerSecond()).isBetween(1e8, 1e13);
    assertThat(measured.fp32FlopsPerSecond()).isBetween(1e7, 1e14);
    JsonNode profiles = JSON.readTree(cache.toFile()).get("profiles");
    assertThat(profiles.has("other | 64 | x")).isTrue();
    assertThat(profiles.has(CpuCalibration.machineKey())).isTrue();
    // The second call is served from the file: the very same measurement, timestamp included.
    assertThat(CpuCalibration.loadOrMeasure(cache)).isEqualTo(measured);
  }

  @Test
  void loadOrMeasure_replacesACorruptCacheFile() throws IOException {
    Path cache = dir.resolve("cpu-profile.json");
    Files.writeString(cache, "{ this is not json");
    CpuCalibration.Result r = CpuCalibration.loadOrMeasure(cache);
    assertThat(r.fp32FlopsPerSecond()).isPositive();
    assertThat(JSON.readTree(cache.toFile()).path("profiles").has(r.key())).isTrue();
  }

  @Test
  void toProfile_mapsTheMeasurementToAnFp32CpuProfile() {
    CpuCalibration.Result r = new CpuCalibration.Result("Test CPU", "amd64", 8, 20e9, 100e9,
        64_000_000_000L, Instant.EPOCH);
    HardwareProfile p = r.toProfile();
    assertThat(p.name()).isEqualTo("cpu");
    assertThat(p.peakFlopsPerSecond()).containsOnlyKeys(DType.FP32);
    assertThat(p.peakFlopsPerSecond(DType.FP32)).isEqualTo(100e9);
    assertThat(p.memoryBandwidthBytesPerSecond()).isEqualTo(20e9);
    assertThat(p.memoryBytes()).isEqualTo(64_000_000_000L);
    assertThat(p.tdpWatts()).isEqualTo(8 * CpuCalibration.WATTS_PER_LOGICAL_CPU);
    assertThat(p.price()).isEmpty();
    assertThat(p.source()).contains("Test CPU");
  }

  @Test
  void result_rejectsImpossibleMeasurements() {
    assertThatThrownBy(() -> new CpuCalibration.Result("c", "a", 0, 1, 1, 1, Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logicalCpus");
    assertThatThrownBy(() -> new CpuCalibration.Result("c", "a", 1, 0, 1, 1, Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memoryBandwidthBytesPerSecond");
  }

  @Test
  void defaultCacheFile_honoursTheSystemProperty() {
    String old = System.getProperty(CpuCalibration.CACHE_FILE_PROPERTY);
    try {
      System.setProperty(CpuCalibration.CACHE_FILE_PROPERTY, dir.resolve("x.json").toString());
      assertThat(CpuCalibration.defaultCacheFile()).isEqualTo(dir.resolve("x.json"));
      System.clearProperty(CpuCalibration.CACHE_FILE_PROPERTY);
      assertThat(CpuCalibration.defaultCacheFile().toString())
          .endsWith(Path.of(".cache", "costgen", "cpu-profile.json").toString());
    } finally {
      if (old != null) {
        System.setProperty(CpuCalibration.CACHE_FILE_PROPERTY, old);
      }
    }
  }

  @Test
  void hardwareProfileCpu_runsNoBenchmarkAndTouchesNoFile() throws IOException {
    // Issue 16 item 2: a getter does no hidden work. Point the cache at a file that does not
    // exist: cpu() must neither measure into it nor create it, and must not use a cached entry.
    Path cache = dir.resolve("never-written/cpu-profile.json");
    String old = System.getProperty(CpuCalibration.CACHE_FILE_PROPERTY);
    System.setProperty(CpuCalibration.CACHE_FILE_PROPERTY, cache.toString());
    try {
      HardwareProfile cpu = HardwareProfile.cpu();
      assertThat(cpu.name()).isEqualTo("cpu");
      assertThat(cpu.peakFlopsPerSecond(DType.FP32)).isEqualTo(
          HardwareProfile.UNCALIBRATED_CPU_FLOPS_PER_LOGICAL_CPU
              * Runtime.getRuntime().availableProcessors());
      assertThat(cpu.memoryBandwidthBytesPerSecond())
          .isEqualTo(HardwareProfile.UNCALIBRATED_CPU_BANDWIDTH);
      assertThat(cpu.source()).contains("uncalibrated").contains("costgen calibrate");
      assertThat(HardwareProfile.cpu()).isSameAs(cpu);
      assertThat(HardwareProfile.named("CPU")).isSameAs(cpu);
      assertThat(cache.getParent()).doesNotExist();
    } finally {
      if (old == null) {
        System.clearProperty(CpuCalibration.CACHE_FILE_PROPERTY);
      } else {
        System.setProperty(CpuCalibration.CACHE_FILE_PROPERTY, old);
      }
    }
  }

  private static String entry(String key, double bandwidth, double flops) {
    return "\"" + key + "\":{\"cpuModel\":\"m\",\"arch\":\"a\",\"logicalCpus\":2,"
        + "\"memoryBandwidthBytesPerSecond\":" + bandwidth + ",\"fp32FlopsPerSecond\":" + flops
        + ",\"memoryBytes\":1000000,\"measuredAt\":\"2026-01-02T03:04:05Z\"}";
  }
}

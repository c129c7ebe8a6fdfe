package io.costgen.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the host CPU for {@link HardwareProfile#cpu()}: memory bandwidth (a stream-like
 * parallel read of a buffer far larger than cache, 256 MB or a quarter of the heap, best of a few
 * passes) and fp32 FLOP/s (a blocked {@code float} matmul on every logical CPU, best of a few
 * rounds). One measurement takes about 1–3 s.
 *
 * <p><b>What the numbers mean.</b> The FLOP/s figure is what plain Java reaches (C2
 * auto-vectorised multiply-add), a lower bound on the peak that ONNX Runtime's hand-written MLAS
 * kernels reach, so roofline times on {@code cpu} err long — the safe side for budget
 * reservations. The board power is not measurable from Java: {@link #WATTS_PER_LOGICAL_CPU}
 * watts per logical CPU is assumed (see {@code docs/cost-model.md}).
 *
 * <p><b>Cache.</b> Results are stored in a JSON file ({@link #defaultCacheFile()}), one entry per
 * {@link #machineKey()} (CPU model, logical CPUs, architecture), and reused by later processes.
 * Delete the file to re-measure.
 *
 * <p>Thread-safe; {@link #loadOrMeasure(Path)} serialises measurements within a process.
 */
public final class CpuCalibration {

  private static final Logger LOG = LoggerFactory.getLogger(CpuCalibration.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** System property that overrides the cache file path. */
  public static final String CACHE_FILE_PROPERTY = "costgen.cpuProfileCache";

  /**
   * Assumed power per logical CPU, watts, for the {@code cpu} profile's TDP. Server CPUs run at
   * roughly 2–3 W per hardware thread at TDP (e.g. Intel Xeon Platinum 8480+: 350 W, 112
   * threads; AMD EPYC 9654: 360 W, 192 threads — vendor specification pages); 3 W is the upper
   * end of that range. Override with {@code HardwareProfile.cpu().toBuilder().tdpWatts(..)}.
   */
  public static final double WATTS_PER_LOGICAL_CPU = 3.0;

  private static final int FORMAT_VERSION = 1;

  private CpuCalibration() {}

  /**
   * One measurement of the host CPU.
   *
   * @param cpuModel CPU model name (from {@code /proc/cpuinfo} where available)
   * @param arch {@code os.arch}
   * @param logicalCpus logical CPUs used for the measurement
   * @param memoryBandwidthBytesPerSecond best measured read bandwidth, bytes/s
   * @param fp32FlopsPerSecond best measured fp32 matmul rate on all logical CPUs, FLOP/s
   * @param memoryBytes physical memory, bytes
   * @param measuredAt when it was measured
   */
  public record Result(
      String cpuModel,
      String arch,
      int logicalCpus,
      double memoryBandwidthBytesPerSecond,
      double fp32FlopsPerSecond,
      long memoryBytes,
      Instant measuredAt) {

    /** Validates the measurement (positive, finite rates; at least one CPU). */
    public Result {
      Objects.requireNonNull(cpuModel, "cpuModel");
      Objects.requireNonNull(arch, "arch");
      Objects.requireNonNull(measuredAt, "measuredAt");
      if (logicalCpus < 1) {
        throw new IllegalArgumentException("logicalCpus: " + logicalCpus + " must be >= 1");
      }
      requirePositive("memoryBandwidthBytesPerSecond", memoryBandwidthBytesPerSecond);
      requirePositive("fp32FlopsPerSecond", fp32FlopsPerSecond);
      if (memoryBytes <= 0) {
        throw new IllegalArgumentException("memoryBytes: " + memoryBytes + " must be > 0");
      }
    }

    /** The cache key of this machine: model, logical CPUs and architecture. */
    public String key() {
      return CpuCalibration.key(cpuModel, logicalCpus, arch);
    }

    /**
     * A {@link HardwareProfile} named {@code cpu}: {@link DType#FP32} peak = the measured rate,
     * the measured bandwidth, physical memory, TDP = {@link #WATTS_PER_LOGICAL_CPU} × logical
     * CPUs, no price.
     */
    public HardwareProfile toProfile() {
      return HardwareProfile.builder("cpu")
          .peakFlops(DType.FP32, fp32FlopsPerSecond)
          .memoryBandwidth(memoryBandwidthBytesPerSecond)
          .memoryBytes(memoryBytes)
          .tdpWatts(WATTS_PER_LOGICAL_CPU * logicalCpus)
          .source("measured by CpuCalibration at " + measuredAt + " on " + key()
              + ": parallel read bandwidth and blocked fp32 Java matmul (a lower bound on "
              + "ONNX Runtime's kernels); TDP assumed " + WATTS_PER_LOGICAL_CPU
              + " W per logical CPU")
          .build();
    }
  }

  /**
   * The cache file: the {@value #CACHE_FILE_PROPERTY} system property when set, else
   * {@code ~/.cache/costgen/cpu-profile.json}.
   */
  public static Path defaultCacheFile() {
    String override = System.getProperty(CACHE_FILE_PROPERTY);
    if (override != null && !override.isBlank()) {
      return Paths.get(override);
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "costgen", "cpu-profile.json");
  }

  /** This machine's cache key: CPU model, logical CPUs and {@code os.arch}. */
  public static String machineKey() {
    return key(cpuModel(), Runtime.getRuntime().availableProcessors(), arch());
  }

  /**
   * Returns the cached result for this machine from {@code cacheFile}, or measures, stores the
   * result in {@code cacheFile} (other machines' entries are kept) and returns it. A missing or
   * unreadable file is not an error (it is logged and replaced); a file that cannot be written is
   * logged at WARN and the measurement is still returned.
   */
  public static synchronized Result loadOrMeasure(Path cacheFile) {
    Objects.requireNonNull(cacheFile, "cacheFile");
    String key = machineKey();
    ObjectNode root = readCache(cacheFile);
    JsonNode entry = root.path("profiles").path(key);
    if (entry.isObject()) {
      try {
        return fromJson(entry);
      } catch (RuntimeException e) {
        LOG.warn("cpu profile cache {}: entry for '{}' is invalid ({}); re-measuring",
            cacheFile, key, e.getMessage());
      }
    }
    Result r = measure();
    JsonNode profiles = root.get("profiles");
    ObjectNode p = profiles instanceof ObjectNode o ? o : root.putObject("profiles");
    p.set(key, toJson(r));
    root.put("version", FORMAT_VERSION);
    writeCache(cacheFile, root);
    return r;
  }

  /**
   * Measures this machine now (about 1–3 s; uses every logical CPU). Does not touch the cache.
   */
  public static Result measure() {
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "costgen-cpu-calibration");
      t.setDaemon(true);
      return t;
    });
    try {
      long t0 = System.nanoTime();
      double bandwidth = CpuBenchmark.readBandwidth(pool, threads);
      double flops = CpuBenchmark.matmulFlops(pool, threads);
      LOG.info("measured cpu: {} GB/s read, {} GFLOP/s fp32 on {} threads in {} ms",
          String.format("%.1f", bandwidth / 1e9), String.format("%.1f", flops / 1e9), threads,
          (System.nanoTime() - t0) / 1_000_000);
      return new Result(cpuModel(), arch(), threads, bandwidth, flops, physicalMemoryBytes(),
          Instant.now());
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- machine facts

  private static String key(String model, int cpus, String arch) {
    return model + " | " + cpus + " logical CPUs | " + arch;
  }

  private static String arch() {
    return HostProbe.arch();
  }

  /** The CPU model name ({@code /proc/cpuinfo} where available, else OS and architecture). */
  public static String cpuModel() {
    return HostProbe.cpuModel();
  }

  /** Physical memory of the host, bytes (the JVM's maximum heap where it cannot be read). */
  public static long physicalMemoryBytes() {
    return HostProbe.physicalMemoryBytes();
  }

  // ---------------------------------------------------------------- cache file

  private static ObjectNode readCache(Path file) {
    return JsonCacheFile.read(file, "cpu profile cache");
  }

  private static void writeCache(Path file, ObjectNode root) {
    try {
      JsonCacheFile.write(file, root);
    } catch (RuntimeException e) {
      LOG.warn("cannot write cpu profile cache {} ({}); the measurement is not cached",
          file, e.toString());
    }
  }

  private static ObjectNode toJson(Result r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("cpuModel", r.cpuModel());
    o.put("arch", r.arch());
    o.put("logicalCpus", r.logicalCpus());
    o.put("memoryBandwidthBytesPerSecond", r.memoryBandwidthBytesPerSecond());
    o.put("fp32FlopsPerSecond", r.fp32FlopsPerSecond());
    o.put("memoryBytes", r.memoryBytes());
    o.put("measuredAt", r.measuredAt().toString());
    return o;
  }

  private static Result fromJson(JsonNode o) {
    return new Result(
        required(o, "cpuModel").asText(),
        required(o, "arch").asText(),
        required(o, "logicalCpus").asInt(),
        required(o, "memoryBandwidthBytesPerSecond").asDouble(),
        required(o, "fp32FlopsPerSecond").asDouble(),
        required(o, "memoryBytes").asLong(),
        Instant.parse(required(o, "measuredAt").asText()));
  }

  private static JsonNode required(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return n;
  }

  private static void requirePositive(String field, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value > 0");
    }
  }
}

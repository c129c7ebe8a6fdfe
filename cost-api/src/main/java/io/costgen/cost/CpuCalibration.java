package io.costgen.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
  private static final long BANDWIDTH_BUFFER_BYTES = 256L << 20;
  private static final int MATMUL_N = 128;

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
      double bandwidth = measureBandwidth(pool, threads);
      double flops = measureMatmul(pool, threads);
      LOG.info("measured cpu: {} GB/s read, {} GFLOP/s fp32 on {} threads in {} ms",
          String.format("%.1f", bandwidth / 1e9), String.format("%.1f", flops / 1e9), threads,
          (System.nanoTime() - t0) / 1_000_000);
      return new Result(cpuModel(), arch(), threads, bandwidth, flops, physicalMemoryBytes(),
          Instant.now());
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- measurement

  private static volatile double sink;

  private static double measureBandwidth(ExecutorService pool, int threads) {
    long heapShare = Runtime.getRuntime().maxMemory() / 4;
    long bytes = Math.max(16L << 20, Math.min(BANDWIDTH_BUFFER_BYTES, heapShare));
    long[] buf = new long[(int) (bytes / Long.BYTES)];
    int n = buf.length;
    // Touch every page in parallel (also warms the threads), then warm the read kernel's JIT.
    runParallel(pool, threads, (from, to) -> {
      for (int i = from; i < to; i++) {
        buf[i] = i;
      }
      return 0;
    }, n);
    long acc = 0;
    for (int rep = 0; rep < 300; rep++) {
      acc += sum(buf, 0, 1 << 14);
    }
    sink = acc;
    double best = 0;
    long deadline = System.nanoTime() + 1_200_000_000L;
    for (int pass = 0; pass < 5 && (pass < 2 || System.nanoTime() < deadline); pass++) {
      long start = System.nanoTime();
      double s = runParallel(pool, threads, (from, to) -> (double) sum(buf, from, to), n);
      long elapsed = System.nanoTime() - start;
      sink = s;
      best = Math.max(best, (double) n * Long.BYTES / (elapsed / 1e9));
    }
    return best;
  }

  private static long sum(long[] a, int from, int to) {
    long s0 = 0;
    long s1 = 0;
    int i = from;
    for (; i + 1 < to; i += 2) {
      s0 += a[i];
      s1 += a[i + 1];
    }
    for (; i < to; i++) {
      s0 += a[i];
    }
    return s0 + s1;
  }

  private static double measureMatmul(ExecutorService pool, int threads) {
    int n = MATMUL_N;
    float[][] as = new float[threads][];
    float[][] bs = new float[threads][];
    float[][] cs = new float[threads][];
    for (int t = 0; t < threads; t++) {
      as[t] = new float[n * n];
      bs[t] = new float[n * n];
      cs[t] = new float[n * n];
      for (int i = 0; i < n * n; i++) {
        as[t][i] = (i % 7) * 0.25f;
        bs[t][i] = (i % 5) * 0.5f;
      }
    }
    double flopsPerMatmul = 2.0 * n * n * n;
    // Warm-up (about 0.25 s): lets C2 compile the kernel and gives a rough per-call time.
    int warm = 8;
    double perMatmulSeconds;
    long warmStart = System.nanoTime();
    while (true) {
      long w0 = System.nanoTime();
      int calls = warm;
      runParallel(pool, threads, (from, to) -> {
        for (int t = from; t < to; t++) {
          for (int r = 0; r < calls; r++) {
            matmul(as[t], bs[t], cs[t], n);
          }
        }
        return 0;
      }, threads);
      perMatmulSeconds = Math.max(1e-7, (System.nanoTime() - w0) / 1e9 / calls);
      if (System.nanoTime() - warmStart > 250_000_000L) {
        break;
      }
    }
    int reps = (int) Math.max(4, Math.min(2000, 0.15 / perMatmulSeconds));
    double best = 0;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      double s = runParallel(pool, threads, (from, to) -> {
        double check = 0;
        for (int t = from; t < to; t++) {
          for (int r = 0; r < reps; r++) {
            matmul(as[t], bs[t], cs[t], n);
          }
          check += cs[t][n + 1];
        }
        return check;
      }, threads);
      long elapsed = System.nanoTime() - start;
      sink = s;
      best = Math.max(best, flopsPerMatmul * reps * threads / (elapsed / 1e9));
    }
    return best;
  }

  /** c = a × b for n×n row-major matrices; i-k-j order so the inner loop vectorises. */
  private static void matmul(float[] a, float[] b, float[] c, int n) {
    java.util.Arrays.fill(c, 0f);
    for (int i = 0; i < n; i++) {
      int ci = i * n;
      for (int k = 0; k < n; k++) {
        float aik = a[ci + k];
        int bk = k * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += aik * b[bk + j];
        }
      }
    }
  }

  @FunctionalInterface
  private interface RangeTask {
    double run(int from, int to);
  }

  /** Splits [0, n) into {@code threads} slices, runs them on the pool and sums the results. */
  private static double runParallel(ExecutorService pool, int threads, RangeTask task, int n) {
    List<Future<Double>> futures = new ArrayList<>(threads);
    int slice = (n + threads - 1) / threads;
    for (int t = 0; t < threads; t++) {
      int from = Math.min(n, t * slice);
      int to = Math.min(n, from + slice);
      futures.add(pool.submit(() -> task.run(from, to)));
    }
    double total = 0;
    try {
      for (Future<Double> f : futures) {
        total += f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("cpu calibration interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cpu calibration failed", e.getCause());
    }
    return total;
  }

  // ---------------------------------------------------------------- machine facts

  private static String key(String model, int cpus, String arch) {
    return model + " | " + cpus + " logical CPUs | " + arch;
  }

  private static String arch() {
    return System.getProperty("os.arch", "unknown");
  }

  /** The CPU model name ({@code /proc/cpuinfo} where available, else OS and architecture). */
  public static String cpuModel() {
    Path cpuinfo = Paths.get("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            String k = line.substring(0, colon).trim();
            if (k.equals("model name") || k.equals("Model") || k.equals("Hardware")) {
              String v = line.substring(colon + 1).trim();
              if (!v.isEmpty()) {
                return v;
              }
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read /proc/cpuinfo: {}", e.toString());
      }
    }
    return System.getProperty("os.name", "unknown") + " " + arch();
  }

  /** Physical memory of the host, bytes (the JVM's maximum heap where it cannot be read). */
  public static long physicalMemoryBytes() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      long total = sun.getTotalMemorySize();
      if (total > 0) {
        return total;
      }
    }
    return Runtime.getRuntime().maxMemory();
  }

  // ---------------------------------------------------------------- cache file

  private static ObjectNode readCache(Path file) {
    if (Files.isRegularFile(file)) {
      try {
        JsonNode n = JSON.readTree(file.toFile());
        if (n instanceof ObjectNode o) {
          return o;
        }
        LOG.warn("cpu profile cache {} does not hold a JSON object; replacing it", file);
      } catch (IOException e) {
        LOG.warn("cpu profile cache {} is unreadable ({}); replacing it", file, e.getMessage());
      }
    }
    return JSON.createObjectNode();
  }

  private static void writeCache(Path file, ObjectNode root) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Path tmp = Files.createTempFile(dir, "cpu-profile", ".tmp");
      try {
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | RuntimeException e) {
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

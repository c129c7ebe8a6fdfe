package io.costgen.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.cost.CpuCalibration;
import io.costgen.cost.JsonCacheFile;
import io.costgen.cost.DeviceCalibration;
import io.costgen.onnx.graph.OnnxGraph;
import io.costgen.onnx.graph.OnnxModelFile;
import io.costgen.onnx.graph.TensorSpec;
import io.costgen.onnx.graph.TensorSpec.ElementType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the local CPU through ONNX Runtime itself, the runtime that does the work: graphs
 * written with the project's ONNX writer ({@code io.costgen.onnx.graph}) are run at the thread
 * count the backend uses, and the result is a {@link DeviceCalibration}:
 *
 * <ul>
 *   <li><b>bandwidth</b>: a matrix-vector product (one row, as a decode step) over an fp32 weight
 *       far larger than cache; weight bytes ÷ best time;
 *   <li><b>fp32 FLOP/s</b>: a matrix product of a prefill chunk (128 rows) by a square weight;
 *   <li><b>fp16</b>: the same in float16 where the CPU provider runs it (else absent);
 *   <li><b>int8</b>: {@code MatMulInteger} (uint8 × int8, as QDQ int8 exports run);
 *   <li><b>int4</b>: {@code com.microsoft.MatMulNBits} (4 bits, block 32) with fp32 activations;
 *   <li><b>pass overhead</b>: an almost empty graph, best warm run; the cold allowance is the first
 *       run of a fresh session minus a warm one.
 * </ul>
 *
 * <p>Each case is repeated until its share of the time budget is spent (at least 3 timed runs)
 * and the best run counts (load only slows runs down). A full run takes a few seconds; budgets
 * under a second shrink the shapes (for tests). Results are cached in {@link #defaultCacheFile()}
 * per (device, CPU model, ONNX Runtime version, threads) and reused until one of them changes.
 * Thread-safe; {@link #loadOrMeasure} serialises measurements within a process.
 */
public final class OnnxCalibration {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxCalibration.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT_VERSION = 1;

  /** Default time budget of a measurement. */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(4);

  /** System property that overrides the cache file. */
  public static final String CACHE_FILE_PROPERTY = "costgen.calibrationCache";

  private OnnxCalibration() {}

  /**
   * The cache file: the {@value #CACHE_FILE_PROPERTY} system property when set, else
   * {@code ~/.cache/costgen/calibration.json}.
   */
  public static Path defaultCacheFile() {
    String override = System.getProperty(CACHE_FILE_PROPERTY);
    if (override != null && !override.isBlank()) {
      return Paths.get(override);
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "costgen", "calibration.json");
  }

  /** {@code threads}, or the logical CPU count for 0 (what the calibration runs with). */
  public static int resolveThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("threads: " + threads + " must be >= 0 (0 = all logical CPUs)");
    }
    return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
  }

  /** This machine's cache key for {@code threads} (0 = all logical CPUs). */
  public static String key(int threads) {
    return DeviceCalibration.key("cpu", CpuCalibration.cpuModel(), OrtEnvironment.getEnvironment().getVersion(),
        resolveThreads(threads));
  }

  /**
   * The cached calibration for this machine, ONNX Runtime version and {@code threads}; empty when
   * none is cached (or the file is unreadable). Reads only; never measures.
   */
  public static Optional<DeviceCalibration> load(Path cacheFile, int threads) {
    Objects.requireNonNull(cacheFile, "cacheFile");
    JsonNode entry = readCache(cacheFile).path("calibrations").path(key(threads));
    if (!entry.isObject()) {
      return Optional.empty();
    }
    try {
      return Optional.of(fromJson(entry));
    } catch (RuntimeException e) {
      LOG.warn("calibration cache {}: entry for '{}' is invalid ({}); ignoring it", cacheFile,
          key(threads), e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The cached calibration, or a new measurement (stored in {@code cacheFile}, other entries
   * kept).
   *
   * @throws UncheckedIOException when the cache cannot be written
   */
  public static synchronized DeviceCalibration loadOrMeasure(Path cacheFile, int threads,
      Duration budget) {
    Optional<DeviceCalibration> cached = load(cacheFile, threads);
    if (cached.isPresent()) {
      return cached.get();
    }
    DeviceCalibration c = measure(threads, budget);
    store(cacheFile, c);
    return c;
  }

  /**
   * Stores {@code calibration} in {@code cacheFile} under its key (other entries kept).
   *
   * @throws UncheckedIOException when the file cannot be written
   */
  public static synchronized void store(Path cacheFile, DeviceCalibration calibration) {
    ObjectNode root = readCache(cacheFile);
    JsonNode existing = root.get("calibrations");
    ObjectNode all = existing instanceof ObjectNode o ? o : root.putObject("calibrations");
    all.set(calibration.key(), toJson(calibration, true));
    root.put("version", FORMAT_VERSION);
    JsonCacheFile.write(cacheFile, root);
  }

  /**
   * Measures now with {@code threads} intra-op threads (0 = all logical CPUs) within about
   * {@code budget}. Does not touch the cache.
   *
   * @throws IllegalStateException when ONNX Runtime cannot run the fp32 graphs
   */
  public static DeviceCalibration measure(int threads, Duration budget) {
    int n = resolveThreads(threads);
    Objects.requireNonNull(budget, "budget");
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("budget: " + budget + " must be > 0");
    }
    boolean tiny = budget.compareTo(Duration.ofSeconds(1)) < 0;
    long share = budget.toNanos() / 6;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Path dir;
    try {
      dir = Files.createTempDirectory("costgen-calibration");
    } catch (IOException e) {
      throw new UncheckedIOException("calibration: cannot create a temporary folder", e);
    }
    try {
      // Overhead first: the very first run of a fresh session is the cold start.
      double[] overhead = time(env, n, dir, "overhead", overheadGraph(), share, 1, 8);
      double pass = overhead[1];
      double cold = Math.max(0, overhead[0] - pass);
      int k = tiny ? 256 : 4096;
      int gemvN = tiny ? 256 : 4096;
      double gemv = time(env, n, dir, "gemv", matmul("gemv", ElementType.FLOAT, 1, k, gemvN),
          share, 1, k)[1];
      double bandwidth = (double) k * gemvN * Float.BYTES / gemv;
      int m = tiny ? 16 : 128;
      int d = tiny ? 128 : 1024;
      double flops = 2.0 * m * d * d;
      double fp32 = flops / time(env, n, dir, "gemm32", matmul("gemm32", ElementType.FLOAT, m, d, d),
          share, m, d)[1];
      OptionalDouble fp16 = optional("fp16", () -> flops / time(env, n, dir, "gemm16",
          matmul("gemm16", ElementType.FLOAT16, m, d, d), share, m, d)[1]);
      OptionalDouble int8 = optional("int8", () -> flops / time(env, n, dir, "gemm8",
          matmulInteger(m, d, d), share, m, d)[1]);
      OptionalDouble int4 = optional("int4", () -> flops / time(env, n, dir, "gemm4",
          matmulNBits(m, d, d), share, m, d)[1]);
      DeviceCalibration c = new DeviceCalibration("cpu", CpuCalibration.cpuModel(), n, env.getVersion(), fp32,
          fp16, int8, int4, bandwidth, pass, cold, CpuCalibration.physicalMemoryBytes(),
          CpuCalibration.WATTS_PER_LOGICAL_CPU * Runtime.getRuntime().availableProcessors(),
          Instant.now());
      LOG.info("{}", c.describe());
      return c;
    } finally {
      deleteTree(dir);
    }
  }

  /** The JSON view: exactly the documented keys (see {@code docs/cost-model.md}). */
  public static ObjectNode toJson(DeviceCalibration c) {
    return toJson(c, false);
  }

  // ---------------------------------------------------------------- graphs

  private interface Graph {
    OnnxGraph build();
  }

  private static Graph overheadGraph() {
    return () -> {
      OnnxGraph g = new OnnxGraph("overhead");
      g.input("x", ElementType.FLOAT, 1L, 8L);
      String y = g.op("Add", List.of("x", g.floatScalar(1f)));
      g.output("y", y, ElementType.FLOAT, 1L, 8L);
      return g;
    };
  }

  /** x[m,k] (fp32 input, cast to {@code type}) × W[k,n] of {@code type}. */
  private static Graph matmul(String name, ElementType type, int m, int k, int n) {
    return () -> {
      OnnxGraph g = new OnnxGraph(name);
      g.input("x", ElementType.FLOAT, (long) m, (long) k);
      String w = g.initializer(TensorSpec.raw("w", type, true, pattern(k * n * type.bytes()), k, n));
      String x = type == ElementType.FLOAT ? "x"
          : g.op("Cast", List.of("x"), OnnxGraph.Attr.i("to", 10));
      String y = g.op("MatMul", List.of(x, w));
      g.output("y", y, type, (long) m, (long) n);
      return g;
    };
  }

  /** uint8 activations (quantized in the graph) × int8 weights → int32, as QDQ int8 runs. */
  private static Graph matmulInteger(int m, int k, int n) {
    return () -> {
      OnnxGraph g = new OnnxGraph("gemm8");
      g.input("x", ElementType.FLOAT, (long) m, (long) k);
      String[] q = g.ops("DynamicQuantizeLinear", 3, List.of("x"));
      String w = g.initializer(TensorSpec.raw("w", ElementType.INT8, true, pattern(k * n), k, n));
      String wz = g.initializer(TensorSpec.raw("w_zero", ElementType.INT8, false, new byte[1]));
      String y = g.op("MatMulInteger", List.of(q[0], w, q[2], wz));
      g.output("y", y, ElementType.INT32, (long) m, (long) n);
      return g;
    };
  }

  /** fp32 activations × 4-bit weights packed as MatMulNBits expects (block 32, fp32 scales). */
  private static Graph matmulNBits(int m, int k, int n) {
    int block = 32;
    int blocks = k / block;
    return () -> {
      OnnxGraph g = new OnnxGraph("gemm4");
      g.input("x", ElementType.FLOAT, (long) m, (long) k);
      String w = g.initializer(TensorSpec.raw("w", ElementType.UINT8, true,
          pattern(n * blocks * block / 2), n, blocks, block / 2));
      ByteBuffer scales = ByteBuffer.allocate(n * blocks * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n * blocks; i++) {
        scales.putFloat(0.01f);
      }
      String s = g.initializer(TensorSpec.raw("scales", ElementType.FLOAT, true, scales.array(),
          (long) n * blocks));
      String y = g.opIn("com.microsoft", "MatMulNBits", List.of("x", w, s),
          OnnxGraph.Attr.i("K", k), OnnxGraph.Attr.i("N", n), OnnxGraph.Attr.i("bits", 4),
          OnnxGraph.Attr.i("block_size", block));
      g.output("y", y, ElementType.FLOAT, (long) m, (long) n);
      return g;
    };
  }

  /** Deterministic, non-constant bytes (small magnitudes in every format used here). */
  private static byte[] pattern(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) ((i * 37 + 11) & 0x3b);
    }
    return b;
  }

  // ---------------------------------------------------------------- timing

  /**
   * Writes and opens the graph, runs it: returns {first run seconds, best warm run seconds}.
   * Input x has shape [rows, cols].
   */
  private static double[] time(OrtEnvironment env, int threads, Path dir, String name, Graph graph,
      long budgetNanos, int rows, int cols) {
    Path file = dir.resolve(name + ".onnx");
    try {
      OnnxModelFile.write(file, graph.build(), 0L, false, "costgen calibration: " + name);
    } catch (IOException e) {
      throw new UncheckedIOException("calibration: cannot write " + file, e);
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session = env.createSession(file.toString(), options);
          OnnxTensor x = OnnxTensor.createTensor(env,
              java.nio.FloatBuffer.wrap(input(rows * cols)), new long[] {rows, cols})) {
        Map<String, OnnxTensor> in = Map.of("x", x);
        long t0 = System.nanoTime();
        session.run(in).close();
        double first = (System.nanoTime() - t0) / 1e9;
        session.run(in).close(); // warm-up
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + budgetNanos;
        for (int run = 0; run < 3 || (System.nanoTime() < deadline && run < 10_000); run++) {
          long s = System.nanoTime();
          session.run(in).close();
          best = Math.min(best, (System.nanoTime() - s) / 1e9);
        }
        return new double[] {first, Math.max(best, 1e-9)};
      }
    } catch (OrtException e) {
      throw new IllegalStateException("calibration graph '" + name + "' failed in ONNX Runtime: "
          + e.getMessage(), e);
    }
  }

  private static float[] input(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = ((i * 13) % 17) / 17f - 0.5f;
    }
    return a;
  }

  /** A format the CPU provider may not run: absent (logged) instead of failing the calibration. */
  private static OptionalDouble optional(String what, java.util.function.DoubleSupplier measure) {
    try {
      return OptionalDouble.of(measure.getAsDouble());
    } catch (RuntimeException e) {
      LOG.info("calibration: {} is not run by this ONNX Runtime CPU provider ({}); left out", what,
          e.getMessage());
      return OptionalDouble.empty();
    }
  }

  // ---------------------------------------------------------------- JSON and machine facts

  private static ObjectNode toJson(DeviceCalibration c, boolean cache) {
    ObjectNode o = JSON.createObjectNode();
    o.put("device", c.device());
    o.put("threads", c.threads());
    o.put("onnxRuntime", c.runtimeVersion());
    o.put("fp32FlopsPerSecond", c.fp32FlopsPerSecond());
    putOptional(o, "fp16FlopsPerSecond", c.fp16FlopsPerSecond());
    putOptional(o, "int8OpsPerSecond", c.int8OpsPerSecond());
    putOptional(o, "int4FlopsPerSecond", c.int4FlopsPerSecond());
    o.put("bandwidthBytesPerSecond", c.bandwidthBytesPerSecond());
    o.put("passOverheadSeconds", c.passOverheadSeconds());
    o.put("measuredAt", c.measuredAt().toString());
    if (cache) {
      o.put("deviceModel", c.deviceModel());
      o.put("coldPassOverheadSeconds", c.coldPassOverheadSeconds());
      o.put("memoryBytes", c.memoryBytes());
      o.put("tdpWatts", c.tdpWatts());
    }
    return o;
  }

  private static void putOptional(ObjectNode o, String key, OptionalDouble v) {
    if (v.isPresent()) {
      o.put(key, v.getAsDouble());
    } else {
      o.putNull(key);
    }
  }

  private static DeviceCalibration fromJson(JsonNode o) {
    return new DeviceCalibration(req(o, "device").asText(), req(o, "deviceModel").asText(),
        req(o, "threads").asInt(), req(o, "onnxRuntime").asText(),
        req(o, "fp32FlopsPerSecond").asDouble(), opt(o, "fp16FlopsPerSecond"),
        opt(o, "int8OpsPerSecond"), opt(o, "int4FlopsPerSecond"),
        req(o, "bandwidthBytesPerSecond").asDouble(), req(o, "passOverheadSeconds").asDouble(),
        req(o, "coldPassOverheadSeconds").asDouble(), req(o, "memoryBytes").asLong(),
        req(o, "tdpWatts").asDouble(), Instant.parse(req(o, "measuredAt").asText()));
  }

  private static JsonNode req(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return n;
  }

  private static OptionalDouble opt(JsonNode o, String field) {
    JsonNode n = o.get(field);
    return n == null || n.isNull() ? OptionalDouble.empty() : OptionalDouble.of(n.asDouble());
  }

  private static ObjectNode readCache(Path file) {
    return JsonCacheFile.read(file, "calibration cache");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.debug("cannot delete {}: {}", p, e.toString());
        }
      });
    } catch (IOException e) {
      LOG.debug("cannot clean {}: {}", dir, e.toString());
    }
  }
}

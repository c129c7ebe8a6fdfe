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
  /** 2: adds the per-row-count fp32 rates; entries without them are measured again. */
  private static final int FORMAT_VERSION = 2;
  /** Rows (tokens per pass) the fp32 row rates are measured at. */
  static final int[] ROWS = {1, 2, 4, 8, 16, 32, 64, 128, 256};
  static final int[] TINY_ROWS = {1, 2, 4, 8};

  /** Default time budget of a measurement. */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(4);

  /** System property that overrides the cache file. */
  public static final String CACHE_FILE_PROPERTY = "costgen.calibrationCache";

  private OnnxCalibration() {}

  /**
   * The clock measurements run on: with one intra-op thread all of ONNX Runtime's work runs on
   * the calling thread, so its CPU time measures the work and is barely disturbed by other
   * processes competing for the cores; with a thread pool, wall time.
   */
  static java.util.function.LongSupplier clock(int threads) {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    if (threads == 1 && mx.isCurrentThreadCpuTimeSupported()) {
      return mx::getCurrentThreadCpuTime;
    }
    return System::nanoTime;
  }

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
    if (cached.isPresent() && !cached.get().fp32RowRates().isEmpty()) {
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
    return measure(ExecutionProvider.CPU, 0, threads, budget);
  }

  /**
   * Measures now on {@code provider}: the CPU as {@link #measure(int, Duration)}, or the CUDA GPU
   * {@code deviceId} through ONNX Runtime's CUDA provider (same graphs, wall time; the result's
   * device is {@code "cuda"}, memory and power the host's unless a catalogue profile is applied).
   * Does not touch the cache.
   *
   * @throws IllegalStateException when CUDA is requested but this ONNX Runtime has no CUDA
   *     provider (the {@code onnxruntime_gpu} artifact and an NVIDIA GPU are needed), or a graph
   *     fails
   */
  public static DeviceCalibration measure(ExecutionProvider provider, int deviceId, int threads,
      Duration budget) {
    Objects.requireNonNull(provider, "provider");
    if (provider == ExecutionProvider.CUDA) {
      java.util.EnumSet<ai.onnxruntime.OrtProvider> available =
          io.costgen.onnx.internal.OrtRuntime.availableProviders();
      if (!available.contains(ai.onnxruntime.OrtProvider.CUDA)) {
        throw new IllegalStateException("CUDA calibration requested but this ONNX Runtime has no"
            + " CUDA provider: use the onnxruntime_gpu artifact on a machine with an NVIDIA GPU;"
            + " available: " + available);
      }
      if (deviceId < 0) {
        throw new IllegalArgumentException("deviceId: " + deviceId + " must be >= 0");
      }
    }
    int n = resolveThreads(threads);
    Target target = new Target(n, provider, deviceId);
    Objects.requireNonNull(budget, "budget");
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("budget: " + budget + " must be > 0");
    }
    boolean tiny = budget.compareTo(Duration.ofSeconds(1)) < 0;
    long share = budget.toNanos() / 9;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Path dir;
    try {
      dir = Files.createTempDirectory("costgen-calibration");
    } catch (IOException e) {
      throw new UncheckedIOException("calibration: cannot create a temporary folder", e);
    }
    try {
      // Overhead first: the very first run of a fresh session is the cold start.
      double[] overhead = time(env, target, dir, "overhead", overheadGraph(), share, 1, 8);
      double pass = overhead[1];
      double cold = Math.max(0, overhead[0] - pass);
      int k = tiny ? 256 : 4096;
      int gemvN = tiny ? 256 : 4096;
      double gemv = time(env, target, dir, "gemv", matmul("gemv", ElementType.FLOAT, 1, k, gemvN),
          share, 1, k)[1];
      double bandwidth = (double) k * gemvN * Float.BYTES / gemv;
      int m = tiny ? 16 : 128;
      int d = tiny ? 128 : 1024;
      double flops = 2.0 * m * d * d;
      double fp32 = flops / time(env, target, dir, "gemm32", matmul("gemm32", ElementType.FLOAT, m, d, d),
          share, m, d)[1];
      OptionalDouble fp16 = optional("fp16", () -> flops / time(env, target, dir, "gemm16",
          matmul("gemm16", ElementType.FLOAT16, m, d, d), share, m, d)[1]);
      OptionalDouble int8 = optional("int8", () -> flops / time(env, target, dir, "gemm8",
          matmulInteger(m, d, d), share, m, d)[1]);
      OptionalDouble int4 = optional("int4", () -> flops / time(env, target, dir, "gemm4",
          matmulNBits(m, d, d), share, m, d)[1]);
      List<DeviceCalibration.RowRate> rates = rowRates(env, target, dir, tiny, share * 3);
      boolean cuda = provider == ExecutionProvider.CUDA;
      DeviceCalibration c = new DeviceCalibration(cuda ? "cuda" : "cpu",
          cuda ? "cuda:" + deviceId : CpuCalibration.cpuModel(), n, env.getVersion(), fp32,
          fp16, int8, int4, bandwidth, pass, cold, CpuCalibration.physicalMemoryBytes(),
          CpuCalibration.WATTS_PER_LOGICAL_CPU * Runtime.getRuntime().availableProcessors(),
          Instant.now(), rates);
      LOG.info("{}", c.describe());
      return c;
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * fp32 rates by rows: a stack of decoder-MLP-shaped matmuls (d × 4d then 4d × d per layer,
   * GPT-2-small's 768 / 3072, weights far larger than the caches, as a decoder pass streams
   * them) run with {@code rows} input rows, for each of {@link #ROWS}. One session, the rows
   * dimension symbolic.
   */
  private static List<DeviceCalibration.RowRate> rowRates(OrtEnvironment env, Target target, Path dir,
      boolean tiny, long budgetNanos) {
    int d = tiny ? 64 : 768;
    int layers = tiny ? 2 : 4;
    int[] rows = tiny ? TINY_ROWS : ROWS;
    Path file = dir.resolve("stack.onnx");
    try {
      OnnxModelFile.write(file, stackGraph(d, 4 * d, layers), 0L, false,
          "costgen calibration: matmul stack");
    } catch (IOException e) {
      throw new UncheckedIOException("calibration: cannot write " + file, e);
    }
    double flopsPerRow = 2.0 * layers * 2.0 * d * 4.0 * d;
    List<DeviceCalibration.RowRate> rates = new java.util.ArrayList<>();
    try (OrtSession.SessionOptions options = sessionOptions(target);
        OrtSession session = env.createSession(file.toString(), options)) {
      for (int m : rows) {
        double typical = medianRun(env, session, m, d, budgetNanos / rows.length, target.clock());
        rates.add(new DeviceCalibration.RowRate(m, flopsPerRow * m / typical));
      }
    } catch (OrtException e) {
      throw new IllegalStateException("calibration graph 'stack' failed in ONNX Runtime: "
          + e.getMessage(), e);
    }
    return rates;
  }

  private static OnnxGraph stackGraph(int d, int ff, int layers) {
    OnnxGraph g = new OnnxGraph("stack");
    g.input("x", ElementType.FLOAT, "rows", (long) d);
    String h = "x";
    for (int l = 0; l < layers; l++) {
      String up = g.initializer(TensorSpec.raw("up" + l, ElementType.FLOAT, true,
          smallFloats(d * ff, 2 * l), d, ff));
      String down = g.initializer(TensorSpec.raw("down" + l, ElementType.FLOAT, true,
          smallFloats(ff * d, 2 * l + 1), ff, d));
      h = g.op("MatMul", List.of(g.op("MatMul", List.of(h, up)), down));
    }
    g.output("y", h, ElementType.FLOAT, "rows", (long) d);
    return g;
  }

  /** Normal (never subnormal) floats in ±0.02, deterministic per seed. */
  private static byte[] smallFloats(int count, int seed) {
    ByteBuffer b = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long x = 0x9E3779B97F4A7C15L * (seed + 1);
    for (int i = 0; i < count; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      float v = ((x >>> 40) % 2001 - 1000) / 50_000f;
      b.putFloat(v == 0 ? 1e-3f : v);
    }
    return b.array();
  }

  /**
   * Median run of {@code session} on {@code rows} × {@code cols} input, after one warm-up: these
   * rates size the estimate, which is the expected time (not the best case).
   */
  private static double medianRun(OrtEnvironment env, OrtSession session, int rows, int cols,
      long budgetNanos, java.util.function.LongSupplier clock) throws OrtException {
    try (OnnxTensor x = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(input(rows * cols)),
        new long[] {rows, cols})) {
      Map<String, OnnxTensor> in = Map.of("x", x);
      session.run(in).close(); // warm-up
      List<Double> runs = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + budgetNanos;
      for (int run = 0; run < 3 || (System.nanoTime() < deadline && run < 10_000); run++) {
        long s = clock.getAsLong();
        session.run(in).close();
        runs.add((clock.getAsLong() - s) / 1e9);
      }
      return Math.max(median(runs), 1e-9);
    }
  }

  /** Where a measurement runs: threads, provider and (CUDA) device. */
  private record Target(int threads, ExecutionProvider provider, int deviceId) {
    /** CPU time of the calling thread for one CPU thread, else wall time (a GPU works apart). */
    java.util.function.LongSupplier clock() {
      return provider == ExecutionProvider.CPU ? OnnxCalibration.clock(threads) : System::nanoTime;
    }
  }

  private static OrtSession.SessionOptions sessionOptions(Target target) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(target.threads());
    options.setInterOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (target.provider() == ExecutionProvider.CUDA) {
      options.addCUDA(target.deviceId());
    }
    return options;
  }

  /** A pass slower than this ends a grid of {@link #measurePassOverhead}. */
  static final double OVERHEAD_GRID_LIMIT_SECONDS = 0.05;
  /** Timed rounds over each grid (after a warm-up round); the median of them counts. */
  static final int OVERHEAD_ROUNDS = 3;

  /**
   * Measures one model's per-pass overhead on this device through the path calls take
   * ({@code TextGenerator.generate}, greedy, no pricing): prompt passes of 1, 2, 4, … 64 tokens in
   * one row, then 2, 4 and 8 rows of 64 (one new token: the time to the first token) and decode steps at batch 1, 2, 4, 8,
   * 16 (three steps after an 8-token prompt), minus what {@code device} predicts for their
   * matmuls and KV reads. Each grid stops after the first pass slower than 50 ms (beyond it
   * {@link io.costgen.cost.PassOverhead} scales the last point with the predicted work). The
   * grids are run {@value #OVERHEAD_ROUNDS} times after a warm-up round, interleaved, and the
   * median run of each point counts (the estimate is the expected time, and a burst of load hits
   * one run of a point, not all); the overheads are then made non-decreasing in rows (a point is
   * at most the next one's). With one
   * thread ({@code device.threads() == 1}) passes are timed in the calling thread's CPU time,
   * else in wall time. Tiny models take about a second, a 124M model a few seconds. Explicit
   * work (nothing measures on its own); the backend's sessions are warm afterwards.
   *
   * @throws IllegalStateException when the backend fails a pass
   */
  public static io.costgen.cost.PassOverhead measurePassOverhead(
      io.costgen.core.spi.TransformerBackend backend, DeviceCalibration device) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(device, "device");
    io.costgen.cost.ModelShape shape = backend.modelInfo().shape();
    io.costgen.cost.DType weights = backend.modelInfo().weightDtype();
    int vocab = backend.modelInfo().vocabSize();
    int context = backend.modelInfo().contextLength();
    java.util.function.LongSupplier clock = clock(device.threads());
    io.costgen.core.TextGenerator generator = io.costgen.core.TextGenerator.builder(backend)
        .ticker(clock::getAsLong).build();
    // No overhead: what the device alone predicts for a pass's matmuls and KV reads.
    io.costgen.cost.PassOverhead none = new io.costgen.cost.PassOverhead(shape.name(),
        List.of(new io.costgen.cost.PassOverhead.Point(1, 0, 0)),
        List.of(new io.costgen.cost.PassOverhead.Point(1, 0, 0)));
    double devicePass = device.passOverheadSeconds();
    int prompt = Math.max(1, Math.min(8, context - 8));
    int steps = Math.max(1, Math.min(3, context - prompt - 1));
    List<Integer> prefillRows = new java.util.ArrayList<>();
    List<Integer> decodeRows = new java.util.ArrayList<>();
    java.util.Map<String, List<Double>> runs = new java.util.HashMap<>();
    generate(generator, 1, Math.min(4, context - 2), 2, vocab, 99); // the session's cold start
    for (int round = 0; round <= OVERHEAD_ROUNDS; round++) {
      boolean warmUp = round == 0;
      List<Integer> grid = warmUp ? List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512) : prefillRows;
      for (int m : grid) {
        // Up to 64 tokens one row; beyond, rows of 64 tokens (a batch of prompts).
        int rows = Math.max(1, m / 64);
        int tokens = m / rows;
        if (tokens + 1 > context) {
          break;
        }
        io.costgen.core.GenerationResult r = generate(generator, rows, tokens, 1, vocab, round);
        double ttft = r.timings().timeToFirstToken().toNanos() / 1e9;
        if (warmUp) {
          prefillRows.add(m);
          if (ttft > OVERHEAD_GRID_LIMIT_SECONDS) {
            break;
          }
        } else {
          runs.computeIfAbsent("p" + m, k -> new java.util.ArrayList<>()).add(ttft);
        }
      }
      grid = warmUp ? List.of(1, 2, 4, 8, 16) : decodeRows;
      for (int b : grid) {
        io.costgen.core.GenerationResult r = generate(generator, b, prompt, steps + 1, vocab, round);
        double step = (r.timings().total().toNanos() - r.timings().timeToFirstToken().toNanos())
            / 1e9 / steps;
        if (warmUp) {
          decodeRows.add(b);
          if (step > OVERHEAD_GRID_LIMIT_SECONDS) {
            break;
          }
        } else {
          runs.computeIfAbsent("d" + b, k -> new java.util.ArrayList<>()).add(step);
        }
      }
    }
    List<io.costgen.cost.PassOverhead.Point> prefill = new java.util.ArrayList<>();
    for (int m : prefillRows) {
      int rows = Math.max(1, m / 64);
      double predicted = device.predict(shape, weights, m / rows, 0, rows, none).prefillSeconds()
          - devicePass;
      prefill.add(point(m, median(runs.get("p" + m)), predicted));
    }
    List<io.costgen.cost.PassOverhead.Point> decode = new java.util.ArrayList<>();
    for (int b : decodeRows) {
      double predicted = device.predict(shape, weights, prompt, steps + 1, b, none)
          .decodeSecondsPerToken() - devicePass;
      decode.add(point(b, median(runs.get("d" + b)), predicted));
    }
    io.costgen.cost.PassOverhead o = new io.costgen.cost.PassOverhead(shape.name(),
        nonDecreasing(prefill), nonDecreasing(decode));
    LOG.info("pass overhead of {}: prompt passes {}; decode steps {}", shape.name(),
        describe(o.prefill()), describe(o.decode()));
    return o;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static io.costgen.cost.PassOverhead.Point point(int rows, double measured,
      double predicted) {
    return new io.costgen.cost.PassOverhead.Point(rows, Math.max(0, measured - predicted),
        Math.max(0, predicted));
  }

  /** Each point's overhead at most the next one's (noise only adds time). */
  private static List<io.costgen.cost.PassOverhead.Point> nonDecreasing(
      List<io.costgen.cost.PassOverhead.Point> points) {
    List<io.costgen.cost.PassOverhead.Point> out = new java.util.ArrayList<>(points);
    for (int i = out.size() - 2; i >= 0; i--) {
      io.costgen.cost.PassOverhead.Point p = out.get(i);
      double next = out.get(i + 1).seconds();
      if (p.seconds() > next) {
        out.set(i, new io.costgen.cost.PassOverhead.Point(p.rows(), next, p.predictedSeconds()));
      }
    }
    return out;
  }

  private static io.costgen.core.GenerationResult generate(io.costgen.core.TextGenerator generator,
      int rows, int promptTokens, int newTokens, int vocab, int seed) {
    long[][] ids = new long[rows][];
    for (int r = 0; r < rows; r++) {
      ids[r] = ids(promptTokens, vocab, 31 * seed + r);
    }
    io.costgen.core.GenerationConfig config = io.costgen.core.GenerationConfig.builder()
        .maxNewTokens(newTokens).doSample(false).numBeams(1).eosTokenIds(List.of()).build();
    return generator.generate(io.costgen.core.GenerationRequest.builder().tokenIds(ids)
        .config(config).build());
  }

  private static String describe(List<io.costgen.cost.PassOverhead.Point> points) {
    StringBuilder b = new StringBuilder();
    for (io.costgen.cost.PassOverhead.Point p : points) {
      b.append(b.length() == 0 ? "" : ", ").append(p.rows()).append(" rows ")
          .append(String.format(java.util.Locale.ROOT, "%.3f ms", p.seconds() * 1e3));
    }
    return b.toString();
  }

  private static long[] ids(int n, int vocab, int seed) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = Math.floorMod(7L * i + 13L * seed + 3, vocab);
    }
    return ids;
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
  private static double[] time(OrtEnvironment env, Target target, Path dir, String name, Graph graph,
      long budgetNanos, int rows, int cols) {
    Path file = dir.resolve(name + ".onnx");
    try {
      OnnxModelFile.write(file, graph.build(), 0L, false, "costgen calibration: " + name);
    } catch (IOException e) {
      throw new UncheckedIOException("calibration: cannot write " + file, e);
    }
    try (OrtSession.SessionOptions options = sessionOptions(target)) {
      try (OrtSession session = env.createSession(file.toString(), options);
          OnnxTensor x = OnnxTensor.createTensor(env,
              java.nio.FloatBuffer.wrap(input(rows * cols)), new long[] {rows, cols})) {
        Map<String, OnnxTensor> in = Map.of("x", x);
        java.util.function.LongSupplier clock = target.clock();
        long t0 = clock.getAsLong();
        session.run(in).close();
        double first = (clock.getAsLong() - t0) / 1e9;
        session.run(in).close(); // warm-up
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + budgetNanos;
        for (int run = 0; run < 3 || (System.nanoTime() < deadline && run < 10_000); run++) {
          long s = clock.getAsLong();
          session.run(in).close();
          best = Math.min(best, (clock.getAsLong() - s) / 1e9);
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
      com.fasterxml.jackson.databind.node.ArrayNode rates = o.putArray("fp32RowRates");
      for (DeviceCalibration.RowRate r : c.fp32RowRates()) {
        rates.addObject().put("rows", r.rows()).put("flopsPerSecond", r.flopsPerSecond());
      }
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
        req(o, "tdpWatts").asDouble(), Instant.parse(req(o, "measuredAt").asText()),
        rowRates(o.get("fp32RowRates")));
  }

  private static List<DeviceCalibration.RowRate> rowRates(JsonNode a) {
    List<DeviceCalibration.RowRate> rates = new java.util.ArrayList<>();
    if (a != null && a.isArray()) {
      for (JsonNode r : a) {
        rates.add(new DeviceCalibration.RowRate(req(r, "rows").asInt(),
            req(r, "flopsPerSecond").asDouble()));
      }
    }
    return rates;
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

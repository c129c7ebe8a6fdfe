package io.costgen.bench.fidelity;

import io.costgen.bench.internal.BenchModels;
import io.costgen.bench.internal.MarkdownTable;
import io.costgen.bench.internal.ModelRef;
import io.costgen.bench.internal.Stats;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.Ticker;
import io.costgen.cost.CostModel;
import io.costgen.cost.DeviceCalibration;
import io.costgen.cost.ModelShape;
import io.costgen.cost.OnlineCorrection;
import io.costgen.cost.PassOverhead;
import io.costgen.onnx.OnnxBackend;
import io.costgen.onnx.OnnxCalibration;
import io.costgen.testkit.Layout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Cost fidelity: how close the cost model's <i>estimate</i> of measured local device time comes
 * to the measured time, from the ONNX Runtime calibration alone and after online correction, and
 * how the <i>bound</i> a hard budget reserves compares with the actual time of every call.
 *
 * <p>One JVM. The device is calibrated first ({@link OnnxCalibration#measure}, the thread count
 * the models then run with). Then per (model, batch) a fresh backend (so the first call is a
 * real cold start) and a fresh {@link OnlineCorrection} run {@code --calls} greedy calls of
 * {@code --prompt} + {@code --new} tokens per row (random token ids, no EOS). Before each call the
 * calibration-only model and the corrected model (what {@code TextGenerator} feeds) predict its
 * prefill (time to first token) and decode (the rest: {@code new − 1} passes), and the corrected
 * model gives the call's bound ({@link CostModel#bound}, cold-start aware on call 1). Times are
 * the calling thread's CPU time when one intra-op thread runs (then all of ONNX Runtime's work is
 * on that thread and other processes on the machine disturb it little), wall time otherwise; the
 * generator's own ticker is the same clock, so the online correction learns from what is
 * measured here.
 *
 * <p>Columns per (model, batch, phase): "calibration only" = predicted ÷ measured of the
 * calibration-only model over the warm calls (2…N; median [min–max]); "after 5 calls" = the
 * corrected model's prediction ÷ measured on calls 6…N; "bound ÷ actual" median and min over all
 * calls (call 1 cold). The "call" row is the whole call (prefill + decode).
 *
 * <pre>
 * java -cp benchmarks/target/costgen-bench.jar io.costgen.bench.fidelity.FidelityBenchmark \
 *     [--calls 8] [--prompt 64] [--new 32] [--threads 1] [--batches 1,8] \
 *     [--models gpt2-small,llama-small,stories260k] [--calibration-seconds 4] [--wall]
 * </pre>
 */
public final class FidelityBenchmark {

  private FidelityBenchmark() {}

  /** Predicted and measured seconds of one phase of one call. */
  record Sample(double calibrationOnly, double corrected, double bound, double measured) {}

  /** Every call's samples for one (model, batch). */
  static final class Series {
    final String model;
    final int batch;
    final Map<String, List<Sample>> phases = new LinkedHashMap<>();

    Series(String model, int batch) {
      this.model = model;
      this.batch = batch;
      for (String p : List.of("prefill", "decode", "call")) {
        phases.put(p, new ArrayList<>());
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    boolean wall = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--wall")) {
        wall = true;
      } else if (i + 1 < args.length) {
        opts.put(args[i], args[++i]);
      }
    }
    int calls = Integer.parseInt(opts.getOrDefault("--calls", "8"));
    int prompt = Integer.parseInt(opts.getOrDefault("--prompt", "64"));
    int newTokens = Integer.parseInt(opts.getOrDefault("--new", "32"));
    int threads = Integer.parseInt(opts.getOrDefault("--threads", "1"));
    double calSeconds = Double.parseDouble(opts.getOrDefault("--calibration-seconds", "4"));
    List<Integer> batches = new ArrayList<>();
    for (String b : opts.getOrDefault("--batches", "1,8").split(",")) {
      batches.add(Integer.parseInt(b.trim()));
    }
    List<String> models = List.of(opts.getOrDefault("--models", "gpt2-small,llama-small,stories260k")
        .split(","));
    if (calls < 6) {
      throw new IllegalArgumentException("--calls: " + calls + " must be >= 6 (5 to learn, 1 to judge)");
    }
    boolean cpuClock = !wall && threads == 1;

    String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
    long t0 = System.nanoTime();
    DeviceCalibration calibration = OnnxCalibration.measure(threads,
        Duration.ofMillis((long) (calSeconds * 1000)));
    System.out.println("calibration: " + OnnxCalibration.toJson(calibration) + " ("
        + String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9) + ")");
    System.out.println(calibration.describe());
    StringBuilder rates = new StringBuilder("fp32 GFLOP/s by rows:");
    for (DeviceCalibration.RowRate r : calibration.fp32RowRates()) {
      rates.append(String.format(Locale.ROOT, " %d: %.1f", r.rows(), r.flopsPerSecond() / 1e9));
    }
    System.out.println(rates);

    List<Series> results = new ArrayList<>();
    for (String name : models) {
      ModelRef ref = model(name.trim());
      for (int batch : batches) {
        results.add(run(name.trim(), ref, batch, calls, prompt, newTokens, threads, calibration,
            cpuClock));
      }
    }
    String loadAfter = Files.readString(Path.of("/proc/loadavg")).strip();
    System.out.println();
    System.out.println(render(results, calls, prompt, newTokens, threads, cpuClock, loadBefore,
        loadAfter));
  }

  static ModelRef model(String name) throws Exception {
    return switch (name) {
      case "gpt2-small" -> BenchModels.synthetic(BenchModels.defaultCacheDir(),
          BenchModels.gpt2Small(), Layout.WITH_PAST);
      case "llama-small" -> BenchModels.synthetic(BenchModels.defaultCacheDir(),
          BenchModels.llamaSmall(), Layout.WITH_PAST);
      case "tiny-gpt2" -> BenchModels.synthetic(BenchModels.defaultCacheDir(),
          BenchModels.tinyGpt2(), Layout.WITH_PAST);
      default -> {
        Optional<ModelRef> shared = BenchModels.shared(BenchModels.sharedDir(null), name, "model.onnx");
        yield shared.orElseThrow(() -> new IllegalArgumentException("--models: '" + name
            + "' is neither gpt2-small, llama-small, tiny-gpt2 nor a folder of shared/models"));
      }
    };
  }

  static Series run(String name, ModelRef ref, int batch, int calls, int prompt, int newTokens,
      int threads, DeviceCalibration calibration, boolean cpuClock) {
    Series s = new Series(name, batch);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Ticker ticker = cpuClock ? mx::getCurrentThreadCpuTime : Ticker.system();
    OnlineCorrection corrections = new OnlineCorrection();
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(Path.of(ref.dir()))
        .modelFile(Path.of(ref.file())).intraOpThreads(threads).build()) {
      ModelShape shape = backend.modelInfo().shape();
      long m0 = System.nanoTime();
      PassOverhead overhead = OnnxCalibration.measurePassOverhead(backend, calibration);
      System.out.printf(Locale.ROOT, "%s: pass overhead measured in %.0f ms%n", name,
          (System.nanoTime() - m0) / 1e6);
      CostModel calOnly = CostModel.builder().energy()
          .calibration(calibration, backend.modelInfo().weightDtype()).passOverhead(overhead)
          .build();
      CostModel corrected = CostModel.builder().energy()
          .calibration(calibration, backend.modelInfo().weightDtype()).passOverhead(overhead)
          .corrections(corrections).build();
      TextGenerator generator = TextGenerator.builder(backend).costModel(corrected).ticker(ticker)
          .build();
      GenerationConfig config = GenerationConfig.builder().maxNewTokens(newTokens).doSample(false)
          .numBeams(1).eosTokenIds(List.of()).build();
      Random rnd = new Random(17L * batch + name.hashCode());
      int vocab = backend.modelInfo().vocabSize();
      long promptTokens = (long) prompt * batch;
      for (int call = 1; call <= calls; call++) {
        long[][] ids = new long[batch][prompt];
        for (long[] row : ids) {
          for (int i = 0; i < row.length; i++) {
            row[i] = rnd.nextInt(vocab);
          }
        }
        boolean cold = call == 1;
        double[] c0 = phases(calOnly, shape, promptTokens, newTokens, batch);
        double[] c1 = phases(corrected, shape, promptTokens, newTokens, batch);
        double boundPrefill = corrected.bound(shape, promptTokens, 0, batch, cold).deviceSeconds();
        double boundCall = corrected.bound(shape, promptTokens, newTokens, batch, cold)
            .deviceSeconds();
        GenerationResult r = generator.generate(GenerationRequest.builder().tokenIds(ids)
            .config(config).build());
        double ttft = r.timings().timeToFirstToken().toNanos() / 1e9;
        double total = r.timings().total().toNanos() / 1e9;
        s.phases.get("prefill").add(new Sample(c0[0], c1[0], boundPrefill, ttft));
        s.phases.get("decode").add(new Sample(c0[1], c1[1], boundCall - boundPrefill, total - ttft));
        s.phases.get("call").add(new Sample(c0[0] + c0[1], c1[0] + c1[1], boundCall, total));
        System.out.printf(Locale.ROOT,
            "%s batch %d call %d%s: prefill %.2f ms (cal %.2f, corr %.2f, bound %.2f), decode %.2f ms"
                + " (cal %.2f, corr %.2f, bound %.2f)%n",
            name, batch, call, cold ? " (cold)" : "", ttft * 1e3, c0[0] * 1e3, c1[0] * 1e3,
            boundPrefill * 1e3, (total - ttft) * 1e3, c0[1] * 1e3, c1[1] * 1e3,
            (boundCall - boundPrefill) * 1e3);
      }
    }
    return s;
  }

  /**
   * The estimate's {prefill, decode} seconds of a call as it runs: the prompt pass, then
   * {@code newTokens − 1} decode passes (the first new token comes from the prompt pass).
   */
  static double[] phases(CostModel m, ModelShape shape, long promptTokens, int newTokens,
      int batch) {
    double prefill = m.estimate(shape, promptTokens, 0, batch).deviceSeconds();
    double all = m.estimate(shape, promptTokens, Math.max(0, newTokens - 1), batch).deviceSeconds();
    return new double[] {prefill, all - prefill};
  }

  static String render(List<Series> results, int calls, int prompt, int newTokens, int threads,
      boolean cpuClock, String loadBefore, String loadAfter) {
    MarkdownTable t = new MarkdownTable("model", "batch", "phase", "measured (warm median)",
        "predicted ÷ measured, calibration only", "after 5 calls of online correction",
        "bound ÷ actual, median", "bound ÷ actual, min", "calls");
    for (Series s : results) {
      for (Map.Entry<String, List<Sample>> e : s.phases.entrySet()) {
        List<Sample> all = e.getValue();
        List<Double> measured = new ArrayList<>();
        List<Double> cal = new ArrayList<>();
        List<Double> corr = new ArrayList<>();
        List<Double> bound = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          Sample x = all.get(i);
          bound.add(x.bound() / x.measured());
          if (i >= 1) {
            measured.add(x.measured());
            cal.add(x.calibrationOnly() / x.measured());
          }
          if (i >= 5) {
            corr.add(x.corrected() / x.measured());
          }
        }
        Stats.Summary b = Stats.summarize(bound);
        t.row(s.model, s.batch, e.getKey(), seconds(Stats.summarize(measured).median()),
            range(Stats.summarize(cal)), range(Stats.summarize(corr)), fmt(b.median()),
            fmt(b.min()), all.size());
      }
    }
    return String.format(Locale.ROOT,
        "%d calls of %d + %d tokens per row per (model, batch), %d intra-op thread(s), %s;"
            + " load before: %s, after: %s%n%n%s",
        calls, prompt, newTokens, threads, cpuClock ? "calling thread's CPU time" : "wall time",
        loadBefore, loadAfter, t.render());
  }

  private static String range(Stats.Summary s) {
    return fmt(s.median()) + " [" + fmt(s.min()) + "–" + fmt(s.max()) + "]";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
  }

  private static String seconds(double s) {
    return s >= 1 ? String.format(Locale.ROOT, "%.2f s", s)
        : String.format(Locale.ROOT, "%.2f ms", s * 1e3);
  }
}

package io.costgen.bench.overhead;

import io.costgen.bench.internal.BenchModels;
import io.costgen.bench.internal.CostFeatures;
import io.costgen.bench.internal.MarkdownTable;
import io.costgen.bench.internal.Stats;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.cost.CpuCalibration;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.InMemoryMeter;
import io.costgen.core.ModelInfo;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import io.costgen.onnx.OnnxBackend;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The cost path part by part: stories260k, batch 1, 16 prompt + 64 new tokens, one intra-op
 * thread, over one shared backend; configurations from cost off to the full configuration (2)
 * (pricing + per-tenant money budget + in-memory meter + listener), one call of each per round
 * in an order rotating per round. For each configuration the per-round difference to cost off
 * is reported as a share of the call and per generated token, in wall and in the calling
 * thread's CPU time (with one intra-op thread all of ONNX Runtime's work runs on that thread).
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/costgen-bench.jar io.costgen.bench.overhead.CostPathBenchmark \
 *     [--rounds 300] [--warmup 20] [--jit-warmup 0] [--null-backend yes] [--shared DIR]
 * </pre>
 *
 * <p>{@code --warmup} rounds run before the measured ones; {@code --jit-warmup N} first runs N
 * calls of every configuration over the instant backend (on generators of their own), so the
 * per-call cost path — reserve, settle, record, run once per call — is JIT-compiled before a
 * few hundred model calls measure it (it is otherwise measured largely interpreted).
 * {@code --null-backend yes} measures over the instant backend: costgen's own time only.
 */
public final class CostPathBenchmark {

  private static final int PROMPT = 16;
  private static final int NEW = 64;

  private CostPathBenchmark() {}

  enum Config {
    OFF("cost off"),
    PRICING("pricing (full cost model)"),
    PRICING_LISTENER("+ listener"),
    PRICING_LISTENER_METER("+ in-memory meter"),
    FULL("+ per-tenant money budget = (2)");

    final String label;

    Config(String label) {
      this.label = label;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    int rounds = Integer.parseInt(opts.getOrDefault("--rounds", "300"));
    int warmupRounds = Integer.parseInt(opts.getOrDefault("--warmup", "20"));
    int jitWarmup = Integer.parseInt(opts.getOrDefault("--jit-warmup", "0"));
    if (warmupRounds < 0 || jitWarmup < 0) {
      throw new IllegalArgumentException("--warmup/--jit-warmup: " + warmupRounds + "/" + jitWarmup
          + " must be >= 0");
    }
    Optional<Path> shared = BenchModels.sharedDir(
        opts.containsKey("--shared") ? Path.of(opts.get("--shared")) : null);
    Path dir = shared.orElseThrow(() -> new IllegalStateException(
        "no shared/models folder found; pass --shared DIR")).resolve("models/stories260k");
    // a fixed CPU profile (the benchmark VM's measured figures), so no calibration runs here
    HardwareProfile cpu = new CpuCalibration.Result("bench-cpu", System.getProperty("os.arch"), 2,
        22.5e9, 4.1e9, 24L << 30, Instant.EPOCH).toProfile();
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    boolean nullBackend = opts.containsKey("--null-backend");
    try (OnnxBackend onnx = OnnxBackend.builder().modelDir(dir).intraOpThreads(1)
        .allowSpinning(false).build()) {
      TransformerBackend backend = nullBackend ? new InstantBackend(onnx.modelInfo()) : onnx;
      List<CostFeatures.CountingListener> listeners = new ArrayList<>();
      Map<Config, TextGenerator> gens = generators(backend, cpu, listeners);
      int vocab = backend.modelInfo().vocabSize();
      GenerationConfig config = GenerationConfig.builder().maxNewTokens(NEW).doSample(false)
          .numBeams(1).eosTokenIds(List.of()).build();
      if (jitWarmup > 0) {
        // Compile costgen's own cost path (run once per call: reserve, settle, record) before
        // measuring, on generators of their own over the instant backend, so the model's time
        // is not spent on it; without this a few hundred calls measure it interpreted.
        Map<Config, TextGenerator> warm = generators(new InstantBackend(onnx.modelInfo()), cpu,
            new ArrayList<>());
        Random wr = new Random(11);
        for (int i = 0; i < jitWarmup; i++) {
          for (Map.Entry<Config, TextGenerator> e : warm.entrySet()) {
            e.getValue().generate(request(e.getKey(), randomPrompt(wr, vocab), config));
          }
        }
      }
      Map<Config, List<Double>> wall = new LinkedHashMap<>();
      Map<Config, List<Double>> cpuTime = new LinkedHashMap<>();
      for (Config c : Config.values()) {
        wall.put(c, new ArrayList<>());
        cpuTime.put(c, new ArrayList<>());
      }
      Random rnd = new Random(7);
      Config[] order = Config.values();
      for (int r = -warmupRounds; r < rounds; r++) {
        long[][] prompt = randomPrompt(rnd, vocab);
        for (int k = 0; k < order.length; k++) {
          Config c = order[Math.floorMod(k + r, order.length)];
          GenerationRequest request = request(c, prompt, config);
          long c0 = mx.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          GenerationResult res = gens.get(c).generate(request);
          long t = System.nanoTime() - t0;
          long ct = mx.getCurrentThreadCpuTime() - c0;
          if (res.first().generatedTokenIds().length != NEW) {
            throw new IllegalStateException(c + " generated "
                + res.first().generatedTokenIds().length);
          }
          if (r >= 0) {
            wall.get(c).add(t / 1e3);
            cpuTime.get(c).add(ct / 1e3);
          }
        }
      }
      MarkdownTable t = new MarkdownTable("configuration", "median call (wall)",
          "Δ vs off, wall [IQR]", "Δ vs off, CPU [IQR]", "per token, CPU",
          "this part: CPU per call [IQR]", "this part: per token", "rounds");
      Config previous = null;
      for (Config c : Config.values()) {
        double median = Stats.summarize(wall.get(c)).median();
        if (c == Config.OFF) {
          t.row(c.label, String.format("%.3f ms", median / 1e3), "–", "–", "–", "–", "–", rounds);
          previous = c;
          continue;
        }
        // the part this row adds: per round, its CPU time minus the previous row's
        Stats.Summary part = absolute(cpuTime.get(c), cpuTime.get(previous));
        previous = c;
        Stats.Summary w = relative(wall.get(c), wall.get(Config.OFF));
        Stats.Summary cp = relative(cpuTime.get(c), cpuTime.get(Config.OFF));
        Stats.Summary abs = absolute(cpuTime.get(c), cpuTime.get(Config.OFF));
        t.row(c.label, String.format("%.3f ms", median / 1e3),
            String.format("%+.2f %% [%+.2f … %+.2f]", 100 * w.median(), 100 * w.p25(), 100 * w.p75()),
            String.format("%+.2f %% [%+.2f … %+.2f]", 100 * cp.median(), 100 * cp.p25(),
                100 * cp.p75()),
            String.format("%+.1f µs", abs.median() / NEW),
            String.format("%+.1f µs [%+.1f … %+.1f]", part.median(), part.p25(), part.p75()),
            String.format("%+.2f µs", part.median() / NEW), rounds);
      }
      long events = listeners.stream().mapToLong(CostFeatures.CountingListener::events).sum();
      System.out.print((nullBackend ? "backend: instant (no model work; costgen's own time"
          + " only)\n" : "backend: stories260k on ONNX Runtime\n") + "warm-up: " + warmupRounds
          + " rounds" + (jitWarmup > 0 ? " after " + jitWarmup + " instant-backend calls per configuration"
          : "") + "\nload before: " + loadBefore + ", after: "
          + Files.readString(Path.of("/proc/loadavg")).strip() + " (listener events " + events
          + ")\n\n" + t.render());
    }
  }

  /** One generator per configuration over {@code backend} (listeners appended to {@code listeners}). */
  private static Map<Config, TextGenerator> generators(TransformerBackend backend,
      HardwareProfile cpu, List<CostFeatures.CountingListener> listeners) {
    Map<Config, TextGenerator> gens = new LinkedHashMap<>();
    for (Config c : Config.values()) {
      TextGenerator.Builder b = TextGenerator.builder(backend);
      CostFeatures.CountingListener l = new CostFeatures.CountingListener();
      listeners.add(l);
      switch (c) {
        case OFF:
          break;
        case PRICING:
          b.costModel(CostFeatures.fullCostModel(cpu));
          break;
        case PRICING_LISTENER:
          b.costModel(CostFeatures.fullCostModel(cpu)).addListener(l);
          break;
        case PRICING_LISTENER_METER:
          b.costModel(CostFeatures.fullCostModel(cpu)).addListener(l)
              .meter(InMemoryMeter.create());
          break;
        default:
          CostFeatures.configure(b, cpu, l);
      }
      gens.put(c, b.build());
    }
    return gens;
  }

  private static long[][] randomPrompt(Random rnd, int vocab) {
    long[][] prompt = new long[1][PROMPT];
    for (int i = 0; i < PROMPT; i++) {
      prompt[0][i] = 1 + rnd.nextInt(vocab - 1);
    }
    return prompt;
  }

  private static GenerationRequest request(Config c, long[][] prompt, GenerationConfig config) {
    GenerationRequest.Builder rb = GenerationRequest.builder().tokenIds(prompt).config(config);
    if (c != Config.OFF) {
      rb.context(CostFeatures.context());
    }
    return rb.build();
  }

  /** Per round (a − b) ÷ b. */
  private static Stats.Summary relative(List<Double> a, List<Double> b) {
    double[] d = new double[a.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (a.get(i) - b.get(i)) / b.get(i);
    }
    return Stats.summarize(d);
  }

  /** Per round a − b (µs). */
  private static Stats.Summary absolute(List<Double> a, List<Double> b) {
    double[] d = new double[a.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = a.get(i) - b.get(i);
    }
    return Stats.summarize(d);
  }

  /**
   * A backend whose forward passes cost nothing: fixed logits (a successor rule, so the token
   * sequence varies), the real model's {@link ModelInfo} (so pricing sees the real shape). With
   * it a call's time is costgen's own work, and the per-token cost of each cost part is
   * resolved to well under a microsecond.
   */
  static final class InstantBackend implements TransformerBackend {
    private final ModelInfo info;

    InstantBackend(ModelInfo info) {
      this.info = info;
    }

    @Override
    public ModelInfo modelInfo() {
      return info;
    }

    @Override
    public DecoderSession openSession() {
      int vocab = info.vocabSize();
      return new DecoderSession() {
        int rows;
        int positions;
        long[] last = new long[0];
        final Logits logits = new Logits() {
          @Override
          public int rows() {
            return rows;
          }

          @Override
          public int vocabSize() {
            return vocab;
          }

          @Override
          public void copyRow(int row, float[] dest) {
            java.util.Arrays.fill(dest, 0, vocab, 0f);
            dest[(int) ((last[row] + 1) % (vocab - 1)) + 1] = 1f;
          }
        };

        @Override
        public Logits prefill(long[][] tokenIds, int[] leftPadding) {
          rows = tokenIds.length;
          positions += tokenIds[0].length;
          last = new long[rows];
          for (int r = 0; r < rows; r++) {
            last[r] = tokenIds[r][tokenIds[r].length - 1];
          }
          return logits;
        }

        @Override
        public Logits step(long[] tokenIds) {
          positions++;
          System.arraycopy(tokenIds, 0, last, 0, rows);
          return logits;
        }

        @Override
        public void selectRows(int[] sel) {
          long[] l = new long[sel.length];
          for (int i = 0; i < sel.length; i++) {
            l[i] = last[sel[i]];
          }
          last = l;
          rows = sel.length;
        }

        @Override
        public int rows() {
          return rows;
        }

        @Override
        public int cachedPositions() {
          return positions;
        }

        @Override
        public void cancel() {}

        @Override
        public void close() {}
      };
    }

    @Override
    public void close() {}
  }
}

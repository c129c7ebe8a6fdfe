package io.costgen.bench.batching;

import io.costgen.bench.batching.StaggeredArrivals.Arrival;
import io.costgen.bench.batching.StaggeredArrivals.Summary;
import io.costgen.bench.batching.StaggeredArrivals.Timing;
import io.costgen.bench.internal.BenchModels;
import io.costgen.core.BatchingPolicy;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.onnx.OnnxBackend;
import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModel;
import io.costgen.testkit.SyntheticModels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Continuous batching under staggered arrivals: calls arrive as a Poisson process at a few rates
 * with random prompt and output lengths (one fixed seed, {@link StaggeredArrivals}), and three
 * modes serve the same calls in one run:
 *
 * <ul>
 *   <li>{@code grouped}: one batched generator, {@link BatchingPolicy#groupedJoins} on (calls
 *       admitted in one iteration are prefilled in one pass);
 *   <li>{@code ungrouped}: the same with {@code groupedJoins(false)} (one prefill pass per call);
 *   <li>{@code unbatched}: no batching; each call is its own {@code generate} on a fixed pool of
 *       {@code --pool} threads (a call waits for a free thread; its TTFT counts the wait).
 * </ul>
 *
 * <p>Reported per rate and mode: throughput (all generated tokens / (last call done - first
 * arrival)), TTFT from the call's arrival (p50, p95) and per-token latency after the first token
 * ({@code (done - first token) / (tokens - 1)}, p50, p95). Arrivals are open-loop: a call's clock
 * starts at its scheduled arrival whether or not it could start. Each mode is warmed up with two
 * untimed calls of at most 4 tokens first. The full run uses the GPT-2 small shaped synthetic
 * model ({@code SyntheticModels.gpt2Small()}, 124M, ~500 MB, cached): 20 calls per rate at 1, 2
 * and 4 calls/s, expected to take about 3 minutes on 2 quiet cores (the arrivals alone span 35 s
 * per mode). {@code --quick} (a smoke run of seconds) uses the tiny synthetic GPT-2 (141k
 * parameters) and 8 shorter calls per rate at 4, 8 and 16 calls/s.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/costgen-bench.jar io.costgen.bench.batching.StaggeredArrivalsBenchmark [--quick]
 * java -jar benchmarks/target/costgen-bench.jar --suites staggered [--quick]
 * </pre>
 *
 * <p>Options: {@code --quick}, {@code --cache DIR}, {@code --rates LIST} (calls per second),
 * {@code --calls N} (per rate), {@code --seed N}, {@code --prompt MIN-MAX}, {@code --new MIN-MAX},
 * {@code --pool N}, {@code --threads N} (ONNX Runtime intra-op threads), {@code --max-rows N},
 * {@code --modes grouped,ungrouped,unbatched}, {@code --out FILE} (the markdown section).
 */
public final class StaggeredArrivalsBenchmark {

  private StaggeredArrivalsBenchmark() {}

  /** Settings of one run (see the class description for the option of each). */
  public record Settings(boolean quick, double[] rates, int calls, long seed, int promptMin, int promptMax,
      int newMin, int newMax, int pool, int threads, int maxRows, List<String> modes) {

    /** The defaults of a full run, or of a {@code --quick} smoke run. */
    public static Settings defaults(boolean quick) {
      return quick
          ? new Settings(true, new double[] {4, 8, 16}, 8, 17, 4, 24, 4, 12, 4, 2, 16, MODES)
          : new Settings(false, new double[] {1, 2, 4}, 20, 17, 8, 64, 8, 48, 4, 2, 16, MODES);
    }

  }

  static final List<String> MODES = List.of("grouped", "ungrouped", "unbatched");

  public static void main(String[] args) throws Exception {
    boolean quick = Arrays.asList(args).contains("--quick");
    Settings d = Settings.defaults(quick);
    Path cache = BenchModels.defaultCacheDir();
    double[] rates = d.rates();
    int calls = d.calls();
    long seed = d.seed();
    int[] prompt = {d.promptMin(), d.promptMax()};
    int[] gen = {d.newMin(), d.newMax()};
    int pool = d.pool();
    int threads = d.threads();
    int maxRows = d.maxRows();
    List<String> modes = d.modes();
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> { }
        case "--cache" -> cache = Path.of(args[++i]);
        case "--rates" -> rates = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
        case "--calls" -> calls = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--prompt" -> prompt = range("--prompt", args[++i]);
        case "--new" -> gen = range("--new", args[++i]);
        case "--pool" -> pool = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--max-rows" -> maxRows = Integer.parseInt(args[++i]);
        case "--modes" -> modes = List.of(args[++i].split(","));
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    for (String m : modes) {
      if (!MODES.contains(m)) {
        throw new IllegalArgumentException("--modes: '" + m + "' is not one of " + MODES);
      }
    }
    Settings s = new Settings(quick, rates, calls, seed, prompt[0], prompt[1], gen[0], gen[1], pool, threads, maxRows,
        modes);
    String command = "java -cp benchmarks/target/costgen-bench.jar " + StaggeredArrivalsBenchmark.class.getName()
        + (args.length == 0 ? "" : " " + String.join(" ", args));
    String section = section(cache, s, command, System.out);
    System.out.println();
    System.out.print(section);
    if (out != null) {
      Files.writeString(out, section);
    }
  }

  private static int[] range(String option, String value) {
    String[] p = value.split("-");
    if (p.length != 2) {
      throw new IllegalArgumentException(option + ": '" + value + "' must be MIN-MAX, e.g. 8-64");
    }
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
  }

  /**
   * Runs every rate and mode of {@code s} and returns the markdown section (settings,
   * {@code command}, load average before and after, one table). Progress goes to {@code log}.
   */
  public static String section(Path cacheDir, Settings s, String command, PrintStream log)
      throws IOException, InterruptedException {
    SyntheticModel model = s.quick() ? BenchModels.tinyGpt2() : BenchModels.gpt2Small();
    log.println("staggered: preparing " + model.name() + " (cached in " + cacheDir + ")...");
    Path dir = SyntheticModels.cached(cacheDir, model, Layout.WITH_PAST);
    String loadBefore = loadAverage();
    long t0 = System.nanoTime();
    List<String[]> rows = new ArrayList<>();
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(dir).intraOpThreads(s.threads()).allowSpinning(false)
        .build()) {
      int vocab = backend.modelInfo().vocabSize();
      for (double rate : s.rates()) {
        List<Arrival> arrivals = StaggeredArrivals.poisson(s.seed(), rate, s.calls(), s.promptMin(), s.promptMax(),
            s.newMin(), s.newMax(), vocab);
        for (String mode : s.modes()) {
          TextGenerator.Builder b = TextGenerator.builder(backend);
          if (!mode.equals("unbatched")) {
            b.batching(BatchingPolicy.builder().maxBatchRows(s.maxRows()).groupedJoins(mode.equals("grouped")).build());
          }
          TextGenerator g = b.build();
          warmUp(g, arrivals);
          ExecutorService callers = mode.equals("unbatched")
              ? Executors.newFixedThreadPool(s.pool())
              : Executors.newCachedThreadPool();
          Summary sum;
          try {
            sum = StaggeredArrivals.summarize(run(g, arrivals, callers));
          } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("staggered: a call failed in mode " + mode + " at rate " + rate, e);
          } finally {
            callers.shutdownNow();
            callers.awaitTermination(1, TimeUnit.MINUTES);
          }
          String[] row = {fmt(rate), mode, fmt(sum.tokensPerSecond()), fmt(sum.ttftP50Ms()), fmt(sum.ttftP95Ms()),
              fmt(sum.tpotP50Ms()), fmt(sum.tpotP95Ms())};
          log.println("staggered: " + String.join("  ", row));
          rows.add(row);
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Model %s (%d parameters), ONNX Runtime %d intra-op threads, %d cores;"
            + " %d calls per rate, Poisson arrivals, prompts %d-%d tokens, %d-%d new tokens (exact, greedy),"
            + " seed %d; batched: maxBatchRows %d, default prefill chunks; unbatched: a pool of %d threads."
            + " Ran in %.0f s, load average %s before, %s after.%n%n",
        model.name(), model.parameterCount(), s.threads(), Runtime.getRuntime().availableProcessors(), s.calls(),
        s.promptMin(), s.promptMax(), s.newMin(), s.newMax(), s.seed(), s.maxRows(), s.pool(), seconds, loadBefore,
        loadAverage()));
    sb.append("Command: `").append(command).append("`\n\n");
    sb.append("| rate (calls/s) | mode | tokens/s | TTFT p50 ms | TTFT p95 ms | per-token p50 ms | per-token p95 ms |\n");
    sb.append("|---|---|---|---|---|---|---|\n");
    for (String[] r : rows) {
      sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return sb.toString();
  }

  /** Two short untimed calls (JIT, the scheduler thread, ONNX Runtime's first runs of a shape). */
  private static void warmUp(TextGenerator g, List<Arrival> arrivals) {
    for (Arrival a : arrivals.subList(0, Math.min(2, arrivals.size()))) {
      g.generate(request(new Arrival(0, a.prompt(), Math.min(4, a.newTokens())), null));
    }
  }

  private static GenerationRequest request(Arrival a, long[] firstToken) {
    GenerationRequest.Builder b = GenerationRequest.builder().tokenIds(a.prompt())
        .config(GenerationConfig.builder().maxNewTokens(a.newTokens()).minNewTokens(a.newTokens()).build());
    if (firstToken != null) {
      b.onToken(t -> {
        if (firstToken[0] == 0) {
          firstToken[0] = System.nanoTime();
        }
      });
    }
    return b.build();
  }

  /** Submits each call at its arrival time (open loop) and waits for all of them. */
  static List<Timing> run(TextGenerator g, List<Arrival> arrivals, ExecutorService callers)
      throws InterruptedException, java.util.concurrent.ExecutionException {
    long start = System.nanoTime() + 10_000_000L;
    List<Future<Timing>> futures = new ArrayList<>(arrivals.size());
    for (Arrival a : arrivals) {
      long at = start + a.atNanos();
      for (long left = at - System.nanoTime(); left > 0; left = at - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      futures.add(callers.submit(() -> {
        long[] first = new long[1];
        GenerationResult r = g.generate(request(a, first));
        long done = System.nanoTime();
        return new Timing(at, first[0] == 0 ? done : first[0], done, (int) r.usage().completionTokens());
      }));
    }
    List<Timing> out = new ArrayList<>(futures.size());
    for (Future<Timing> f : futures) {
      out.add(f.get());
    }
    return out;
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}

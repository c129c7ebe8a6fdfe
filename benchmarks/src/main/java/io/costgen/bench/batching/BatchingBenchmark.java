package io.costgen.bench.batching;

import io.costgen.core.BatchingPolicy;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.onnx.OnnxBackend;
import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModel;
import io.costgen.testkit.SyntheticModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Batched vs unbatched throughput and latency with 1, 2, 4, 8, 16 concurrent callers on the
 * GPT-2 small (124M) shaped synthetic model ({@link SyntheticModels#gpt2Small()}, written once to
 * a cache folder, ~500 MB). Not a unit test: run it by hand.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/costgen-bench.jar io.costgen.bench.batching.BatchingBenchmark \
 *     --modes raw,unbatched,batched --callers 1,2,4,8,16 --new-tokens 64 --calls 2
 * </pre>
 *
 * <p>Every caller runs {@code --calls} greedy calls of {@code --prompt} random prompt tokens and
 * exactly {@code --new-tokens} new tokens (EOS banned with {@code minNewTokens}). Reported per
 * mode and caller count: aggregate tokens/s (all completion tokens / wall time of the run), and
 * per-call latency per token ({@code call wall time / new tokens}) at p50 and p95. Each mode runs
 * once untimed with the largest caller count first (warm-up). Options: {@code --cache DIR},
 * {@code --callers LIST}, {@code --calls N}, {@code --new-tokens N}, {@code --prompt N},
 * {@code --threads N} (ONNX Runtime intra-op threads), {@code --max-rows N}, {@code --modes
 * raw,unbatched,batched}, {@code --small} (a 2-layer model instead, for a smoke run). Mode
 * {@code raw} is the baseline: ms per bare {@code DecoderSession.step} by rows in one session,
 * with no generator, i.e. the best a batch of that many rows can do.
 */
public final class BatchingBenchmark {

  private BatchingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path cache = Path.of(System.getProperty("java.io.tmpdir"), "costgen-bench-models");
    int[] callers = {1, 2, 4, 8, 16};
    int calls = 2;
    int newTokens = 32;
    int prompt = 16;
    int threads = 2;
    int maxRows = 16;
    boolean small = false;
    List<String> modes = List.of("unbatched", "batched");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--cache" -> cache = Path.of(args[++i]);
        case "--callers" -> callers = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--calls" -> calls = Integer.parseInt(args[++i]);
        case "--new-tokens" -> newTokens = Integer.parseInt(args[++i]);
        case "--prompt" -> prompt = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--max-rows" -> maxRows = Integer.parseInt(args[++i]);
        case "--modes" -> modes = List.of(args[++i].split(","));
        case "--small" -> small = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SyntheticModel model = small
        ? SyntheticModels.gpt2().name("gpt2-2layer").layers(2).hidden(768).heads(12).vocab(50257).context(1024).build()
        : SyntheticModels.gpt2Small().build();
    Path dir = SyntheticModels.cached(cache, model, Layout.WITH_PAST);
    System.out.printf(Locale.ROOT, "model %s (%d parameters) in %s; %d cores; ORT intra-op threads %d%n", model.name(),
        model.parameterCount(), dir, Runtime.getRuntime().availableProcessors(), threads);
    System.out.printf(Locale.ROOT, "%d calls per caller, prompt %d tokens, %d new tokens, greedy%n", calls, prompt,
        newTokens);
    System.out.println("mode       callers  tokens/s  speedup  ms/token p50  ms/token p95  p95 vs 1 caller");
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(dir).intraOpThreads(threads).allowSpinning(false)
        .build()) {
      int vocab = backend.modelInfo().vocabSize();
      if (modes.contains("raw")) {
        raw(backend, callers, prompt, newTokens, vocab);
      }
      for (String mode : modes) {
        if (mode.equals("raw")) {
          continue;
        }
        TextGenerator.Builder b = TextGenerator.builder(backend);
        if (mode.equals("batched")) {
          b.batching(BatchingPolicy.builder().maxBatchRows(maxRows).build());
        }
        TextGenerator g = b.build();
        run(g, Arrays.stream(callers).max().orElse(1), 1, Math.min(newTokens, 8), prompt, vocab); // warm-up
        double single = 0;
        double singleP95 = 0;
        for (int n : callers) {
          Run r = run(g, n, calls, newTokens, prompt, vocab);
          if (n == callers[0]) {
            single = r.tokensPerSecond;
            singleP95 = r.p95;
          }
          System.out.printf(Locale.ROOT, "%-10s %7d  %8.1f  %6.2fx  %12.1f  %12.1f  %14.2fx%n", mode, n,
              r.tokensPerSecond, r.tokensPerSecond / single, r.p50, r.p95, r.p95 / singleP95);
        }
      }
    }
  }

  /** Bare backend: ms per step for a session of n rows (the ceiling for batched decoding). */
  private static void raw(OnnxBackend backend, int[] rowCounts, int prompt, int steps, int vocab) {
    System.out.println("raw        rows     ms/step  tokens/s  step vs 1 row  ms/prefill");
    double one = 0;
    for (int pass = 0; pass < 2; pass++) { // the first pass warms up
      for (int n : rowCounts) {
        long[][] ids = new long[n][prompt];
        Random random = new Random(n);
        for (long[] row : ids) {
          for (int i = 0; i < prompt; i++) {
            row[i] = random.nextInt(vocab);
          }
        }
        try (DecoderSession s = backend.openSession()) {
          long p0 = System.nanoTime();
          s.prefill(ids, new int[n]);
          double prefillMs = (System.nanoTime() - p0) / 1e6;
          long[] next = new long[n];
          long t0 = System.nanoTime();
          for (int k = 0; k < steps; k++) {
            for (int r = 0; r < n; r++) {
              next[r] = random.nextInt(vocab);
            }
            s.step(next);
          }
          double ms = (System.nanoTime() - t0) / 1e6 / steps;
          if (n == rowCounts[0]) {
            one = ms;
          }
          if (pass == 1) {
            System.out.printf(Locale.ROOT, "raw        %4d  %10.1f  %8.1f  %12.2fx  %10.1f%n", n, ms, n * 1000 / ms,
                ms / one, prefillMs);
          }
        }
      }
    }
  }

  private record Run(double tokensPerSecond, double p50, double p95) {}

  private static Run run(TextGenerator g, int callers, int calls, int newTokens, int prompt, int vocab)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CyclicBarrier start = new CyclicBarrier(callers + 1);
      List<Future<double[]>> futures = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        Random random = new Random(1000 + c);
        futures.add(pool.submit(() -> {
          start.await();
          double[] msPerToken = new double[calls];
          for (int k = 0; k < calls; k++) {
            long[] ids = new long[prompt];
            for (int i = 0; i < prompt; i++) {
              ids[i] = random.nextInt(vocab);
            }
            GenerationRequest request = GenerationRequest.builder().tokenIds(ids).config(GenerationConfig.builder()
                .maxNewTokens(newTokens).minNewTokens(newTokens).build()).build();
            long t0 = System.nanoTime();
            GenerationResult r = g.generate(request);
            msPerToken[k] = (System.nanoTime() - t0) / 1e6 / r.usage().completionTokens();
          }
          return msPerToken;
        }));
      }
      start.await();
      long t0 = System.nanoTime();
      List<Double> latencies = new ArrayList<>();
      for (Future<double[]> f : futures) {
        for (double v : f.get()) {
          latencies.add(v);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      latencies.sort(null);
      double tokens = (double) callers * calls * newTokens;
      return new Run(tokens / seconds, percentile(latencies, 0.50), percentile(latencies, 0.95));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(List<Double> sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}

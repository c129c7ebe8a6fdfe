package io.costgen.bench.logits;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.costgen.bench.baseline.HandWrittenGreedy;
import io.costgen.bench.internal.BenchModels;
import io.costgen.bench.internal.MarkdownTable;
import io.costgen.bench.internal.ProcStatus;
import io.costgen.bench.internal.Stats;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.onnx.OnnxBackend;
import io.costgen.testkit.Layout;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prefill with and without the last-position-logits rewrite, side by side with the hand-written
 * ONNX Runtime loop (which keeps full logits, as raw ONNX Runtime users do): time to first token
 * at 128 and 512 prompt tokens (batch 1) and a batch-8 × 512 prefill on the GPT-2 small shape,
 * and the peak RSS of each loop alone in a fresh JVM.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/costgen-bench.jar io.costgen.bench.logits.LastPositionBenchmark \
 *     [--rounds 4] [--cache-dir DIR] [--threads 0]
 * </pre>
 *
 * <p>One JVM holds the three loops (the original graph for (1) and "rewrite off", the rewritten
 * one for "rewrite on"); each round runs every loop once per workload in an order rotating per
 * round, and ratios are taken per round (median [IQR]). Then each loop runs alone in a child JVM
 * ({@code --rss LOOP}) doing one 512-token TTFT and one batch-8 × 512 prefill, and reports
 * {@code VmHWM}. Prints markdown.
 */
public final class LastPositionBenchmark {

  enum Loop { HAND, ON, OFF }

  private LastPositionBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    Path cache = opts.containsKey("--cache-dir") ? Path.of(opts.get("--cache-dir"))
        : BenchModels.defaultCacheDir();
    int threads = Integer.parseInt(opts.getOrDefault("--threads", "0"));
    Path dir = Path.of(BenchModels.synthetic(cache, BenchModels.gpt2Small(), Layout.WITH_PAST)
        .dir());
    if (opts.containsKey("--rss")) {
      rssChild(Loop.valueOf(opts.get("--rss")), dir, threads);
      return;
    }
    int rounds = Integer.parseInt(opts.getOrDefault("--rounds", "4"));
    StringBuilder out = new StringBuilder();
    out.append("load before: ").append(loadavg()).append('\n');
    sideBySide(dir, threads, rounds, out);
    out.append('\n');
    MarkdownTable rss = new MarkdownTable("loop", "peak RSS after 512-token TTFT",
        "peak RSS after batch-8 × 512 prefill");
    for (Loop loop : Loop.values()) {
      long[] kib = runChild(loop, cache, threads);
      rss.row(label(loop), (kib[0] >> 10) + " MiB", (kib[1] >> 10) + " MiB");
    }
    out.append(rss.render());
    out.append("\nload after: ").append(loadavg()).append('\n');
    System.out.print(out);
  }

  static String label(Loop loop) {
    switch (loop) {
      case HAND: return "(1) hand-written ORT (full logits)";
      case ON: return "costgen, last-position logits (default)";
      default: return "costgen, rewrite off (full logits)";
    }
  }

  private static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "n/a";
    }
  }

  /** Everything one loop needs: a prefill-and-first-token timing. */
  private static final class Loops implements AutoCloseable {
    final HandWrittenGreedy hand;
    final OnnxBackend on;
    final OnnxBackend off;
    final TextGenerator genOn;
    final TextGenerator genOff;
    final OrtSession.SessionOptions options;

    Loops(Path dir, int threads, boolean hand, boolean on, boolean off) throws OrtException {
      options = new OrtSession.SessionOptions();
      if (threads > 0) {
        options.setIntraOpNumThreads(threads);
      }
      this.hand = hand ? new HandWrittenGreedy(dir.resolve(Layout.WITH_PAST.fileName()), options)
          : null;
      this.on = on ? backend(dir, threads, true) : null;
      this.off = off ? backend(dir, threads, false) : null;
      this.genOn = on ? TextGenerator.builder(this.on).build() : null;
      this.genOff = off ? TextGenerator.builder(this.off).build() : null;
    }

    private static OnnxBackend backend(Path dir, int threads, boolean rewrite) {
      OnnxBackend.Builder b = OnnxBackend.builder().modelDir(dir).lastPositionLogits(rewrite);
      if (threads > 0) {
        b.intraOpThreads(threads);
      }
      OnnxBackend backend = b.build();
      if (backend.lastPositionLogits() != rewrite) {
        throw new IllegalStateException("lastPositionLogits is " + backend.lastPositionLogits()
            + ", wanted " + rewrite);
      }
      return backend;
    }

    /** Prefill + first token; returns [nanos, first token of row 0]. */
    long[] ttft(Loop loop, long[][] prompts) throws OrtException {
      long t0 = System.nanoTime();
      long first;
      if (loop == Loop.HAND) {
        first = hand.generate(prompts, 1, new HandWrittenGreedy.Timing())[0][0];
      } else {
        GenerationConfig c = GenerationConfig.builder().maxNewTokens(1).eosTokenIds(List.of())
            .build();
        GenerationResult r = (loop == Loop.ON ? genOn : genOff)
            .generate(GenerationRequest.builder().tokenIds(prompts).config(c).build());
        first = r.sequences().get(0).generatedTokenIds()[0];
      }
      return new long[] {System.nanoTime() - t0, first};
    }

    @Override
    public void close() throws OrtException {
      if (hand != null) {
        hand.close();
      }
      if (on != null) {
        on.close();
      }
      if (off != null) {
        off.close();
      }
      options.close();
    }
  }

  static long[][] prompts(int batch, int length, long seed, int vocab) {
    Random rnd = new Random(seed);
    long[][] p = new long[batch][length];
    for (long[] row : p) {
      for (int i = 0; i < length; i++) {
        row[i] = rnd.nextInt(vocab);
      }
    }
    return p;
  }

  private static void sideBySide(Path dir, int threads, int rounds, StringBuilder out)
      throws OrtException {
    int[][] workloads = {{1, 128}, {1, 512}, {8, 512}};
    MarkdownTable t = new MarkdownTable("batch × prompt", "(1) hand-written ORT",
        "costgen rewrite on", "costgen rewrite off", "on vs (1)", "on vs off", "rounds",
        "same first token");
    try (Loops loops = new Loops(dir, threads, true, true, true)) {
      int vocab = loops.hand.vocab();
      for (int[] w : workloads) {
        int wr = w[0] == 8 ? Math.max(2, rounds / 2) : rounds;
        Map<Loop, List<Double>> ms = new LinkedHashMap<>();
        for (Loop l : Loop.values()) {
          ms.put(l, new ArrayList<>());
        }
        boolean same = true;
        // one warm-up of each loop, untimed
        for (Loop l : Loop.values()) {
          loops.ttft(l, prompts(w[0], w[1], 99, vocab));
        }
        for (int r = 0; r < wr; r++) {
          long[][] p = prompts(w[0], w[1], r, vocab);
          long expected = -1;
          Loop[] order = Loop.values();
          for (int k = 0; k < order.length; k++) {
            Loop l = order[(k + r) % order.length];
            long[] res = loops.ttft(l, p);
            ms.get(l).add(res[0] / 1e6);
            if (expected < 0) {
              expected = res[1];
            } else {
              same &= expected == res[1];
            }
          }
        }
        double[] onVsHand = Stats.pairedRatios(ms.get(Loop.HAND), ms.get(Loop.ON));
        double[] onVsOff = Stats.pairedRatios(ms.get(Loop.OFF), ms.get(Loop.ON));
        t.row(w[0] + " × " + w[1], ms(ms.get(Loop.HAND)), ms(ms.get(Loop.ON)),
            ms(ms.get(Loop.OFF)), ratio(onVsHand), ratio(onVsOff), wr, same ? "yes" : "**no**");
        System.err.println("done " + w[0] + "x" + w[1] + " " + ms);
      }
    }
    out.append(t.render());
  }

  private static String ms(List<Double> v) {
    Stats.Summary s = Stats.summarize(v);
    return String.format("%,.0f ms ±%.0f%%", s.median(), 50 * s.relativeIqr());
  }

  private static String ratio(double[] r) {
    Stats.Summary s = Stats.summarize(r);
    return String.format("%.2f× [%.2f–%.2f]", s.median(), s.p25(), s.p75());
  }

  /** In a child: one 512-token TTFT, then one batch-8 × 512; prints "RSS kib1 kib2". */
  private static void rssChild(Loop loop, Path dir, int threads) throws OrtException {
    try (Loops loops = new Loops(dir, threads, loop == Loop.HAND, loop == Loop.ON,
        loop == Loop.OFF)) {
      int vocab = 50257;
      loops.ttft(loop, prompts(1, 512, 1, vocab));
      long first = ProcStatus.peakRssKib().orElse(-1);
      loops.ttft(loop, prompts(8, 512, 2, vocab));
      long second = ProcStatus.peakRssKib().orElse(-1);
      System.out.println("RSS " + first + " " + second);
    }
  }

  private static long[] runChild(Loop loop, Path cache, int threads) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g",
        "-XX:MaxDirectMemorySize=4g", "-cp", System.getProperty("java.class.path"),
        LastPositionBenchmark.class.getName(), "--rss", loop.name(), "--cache-dir",
        cache.toString(), "--threads", Integer.toString(threads)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String line = null;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        if (l.startsWith("RSS ")) {
          line = l;
        }
      }
    }
    if (p.waitFor() != 0 || line == null) {
      throw new IllegalStateException("child " + loop + " failed (exit " + p.exitValue() + ")");
    }
    return Arrays.stream(line.substring(4).split(" ")).mapToLong(Long::parseLong).toArray();
  }
}

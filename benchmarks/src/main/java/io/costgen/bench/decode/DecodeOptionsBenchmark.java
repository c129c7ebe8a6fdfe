package io.costgen.bench.decode;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.costgen.bench.baseline.HandWrittenGreedy;
import io.costgen.bench.internal.BenchModels;
import io.costgen.bench.internal.MarkdownTable;
import io.costgen.bench.internal.Stats;
import io.costgen.testkit.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Batch-8 decode on the GPT-2 small shape under ONNX Runtime session options: the default,
 * spinning off, the CPU arena off, memory patterns off, pre-packing off, one intra-op thread.
 * Each option gets its own session over the same model (the hand-written loop, which decodes as
 * fast as costgen); one call per option per round in an order rotating per round; tokens/s =
 * 8 × decode steps ÷ (call time − time to first token), ratios to the default per round.
 *
 * <pre>
 * java -cp benchmarks/target/costgen-bench.jar io.costgen.bench.decode.DecodeOptionsBenchmark \
 *     [--rounds 3] [--new 16]
 * </pre>
 */
public final class DecodeOptionsBenchmark {

  private DecodeOptionsBenchmark() {}

  interface Option {
    void apply(OrtSession.SessionOptions o) throws OrtException;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    int rounds = Integer.parseInt(opts.getOrDefault("--rounds", "3"));
    int newTokens = Integer.parseInt(opts.getOrDefault("--new", "16"));
    Path file = BenchModels.synthetic(BenchModels.defaultCacheDir(), BenchModels.gpt2Small(),
        Layout.WITH_PAST).path();
    Map<String, Option> options = new LinkedHashMap<>();
    options.put("default (2 threads, spinning)", o -> { });
    options.put("spinning off", o -> o.addConfigEntry("session.intra_op.allow_spinning", "0"));
    options.put("CPU arena off", o -> o.setCPUArenaAllocator(false));
    options.put("memory patterns off", o -> o.setMemoryPatternOptimization(false));
    options.put("pre-packing off", o -> o.addConfigEntry("session.disable_prepacking", "1"));
    options.put("1 intra-op thread", o -> o.setIntraOpNumThreads(1));
    String load = Files.readString(Path.of("/proc/loadavg")).strip();
    List<HandWrittenGreedy> loops = new ArrayList<>();
    List<OrtSession.SessionOptions> all = new ArrayList<>();
    Map<String, List<Double>> tps = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Option> e : options.entrySet()) {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        all.add(o);
        e.getValue().apply(o);
        loops.add(new HandWrittenGreedy(file, o));
        tps.put(e.getKey(), new ArrayList<>());
      }
      List<String> names = new ArrayList<>(options.keySet());
      Random rnd = new Random(3);
      for (int r = -1; r < rounds; r++) {
        long[][] prompts = new long[8][32];
        for (long[] row : prompts) {
          for (int i = 0; i < row.length; i++) {
            row[i] = rnd.nextInt(50257);
          }
        }
        for (int k = 0; k < names.size(); k++) {
          int i = Math.floorMod(k + r, names.size());
          HandWrittenGreedy.Timing t = new HandWrittenGreedy.Timing();
          loops.get(i).generate(prompts, newTokens, t);
          double tokS = 8.0 * (newTokens - 1) / ((t.totalNanos - t.firstTokenNanos) / 1e9);
          if (r >= 0) {
            tps.get(names.get(i)).add(tokS);
          }
        }
      }
      MarkdownTable table = new MarkdownTable("option", "batch-8 decode tok/s", "vs default",
          "rounds");
      List<Double> base = tps.get(names.get(0));
      for (String n : names) {
        double[] ratio = Stats.pairedRatios(tps.get(n), base);
        Stats.Summary s = Stats.summarize(tps.get(n));
        Stats.Summary q = Stats.summarize(ratio);
        table.row(n, String.format("%.1f ±%.0f%%", s.median(), 50 * s.relativeIqr()),
            String.format("%.2f× [%.2f–%.2f]", q.median(), q.p25(), q.p75()), rounds);
      }
      System.out.print("load before: " + load + ", after: "
          + Files.readString(Path.of("/proc/loadavg")).strip() + "\n\n" + table.render());
    } finally {
      for (HandWrittenGreedy l : loops) {
        l.close();
      }
      for (OrtSession.SessionOptions o : all) {
        o.close();
      }
    }
  }
}

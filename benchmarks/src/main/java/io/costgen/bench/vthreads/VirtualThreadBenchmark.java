package io.costgen.bench.vthreads;

import io.costgen.bench.internal.BenchModels;
import io.costgen.core.GenerationConfig;
import io.costgen.core.TextGenerator;
import io.costgen.core.internal.NativeOffload;
import io.costgen.onnx.OnnxBackend;
import io.costgen.testkit.Layout;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Carrier pinning by native forward passes, measured: {@code --calls} unbatched generation calls
 * run on virtual threads while a platform "ticker" thread starts a trivial, unrelated virtual task
 * every {@code --period-ms}; each task records how long it waited between being started and
 * running (its scheduling delay). Rounds alternate offload off
 * ({@code -Dcostgen.virtualThreads.offload=false}: passes run on the calling virtual thread and pin
 * its carrier) and on (passes run on costgen's platform pool), A/B interleaved, and the table gives
 * the delay's p50/p99/max and the calls' wall time per mode. Target: max delay under 50 ms with the
 * offload.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *   -cp benchmarks/target/costgen-bench.jar io.costgen.bench.vthreads.VirtualThreadBenchmark \
 *   [--model DIR] [--calls 32] [--tokens 16] [--period-ms 5] [--rounds 2] [--intra-op-threads 1]
 * </pre>
 *
 * <p>Needs Java 21+ (virtual threads); compiled for Java 17, it starts them through reflection.
 * Default model: the synthetic GPT-2 small (124M) of the benchmarks, generated on first use into
 * the benchmarks' cache folder.
 */
public final class VirtualThreadBenchmark {
  private VirtualThreadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = null;
    int calls = 32;
    int tokens = 16;
    int periodMs = 5;
    int rounds = 2;
    int intraOp = 1;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        System.out.println("usage: VirtualThreadBenchmark [--model DIR] [--calls N] [--tokens N] [--period-ms N]"
            + " [--rounds N] [--intra-op-threads N]");
        return;
      }
      if (i + 1 >= args.length) {
        fail(a + ": needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--model" -> model = Path.of(v);
        case "--calls" -> calls = positive(a, v, 1, 10_000);
        case "--tokens" -> tokens = positive(a, v, 1, 1_000);
        case "--period-ms" -> periodMs = positive(a, v, 1, 10_000);
        case "--rounds" -> rounds = positive(a, v, 1, 100);
        case "--intra-op-threads" -> intraOp = positive(a, v, 0, 1024);
        default -> fail(a + ": unknown option (see --help)");
      }
    }
    if (!NativeOffload.virtualThreadsSupported()) {
      fail("needs Java 21+ (virtual threads); this is Java " + Runtime.version());
    }
    if (model == null) {
      model = BenchModels.synthetic(BenchModels.defaultCacheDir(), BenchModels.gpt2Small(), Layout.WITH_PAST)
          .path().getParent();
    }
    System.out.printf(Locale.ROOT, "Java %s, %d processors (carriers), %d calls x %d tokens, a virtual task every %d ms,"
        + " model %s, intra-op threads %d%n", Runtime.version(), Runtime.getRuntime().availableProcessors(), calls,
        tokens, periodMs, model, intraOp);
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(model).intraOpThreads(intraOp).build();
         TextGenerator generator = TextGenerator.builder(backend).build()) {
      GenerationConfig config = GenerationConfig.builder().maxNewTokens(tokens).minNewTokens(tokens).build();
      generator.generate(new long[][] {{1, 2, 3, 4}}, config); // warm-up on this platform thread
      List<Long> offDelays = new ArrayList<>();
      List<Long> onDelays = new ArrayList<>();
      long offWall = 0;
      long onWall = 0;
      for (int r = 0; r < rounds; r++) {
        for (boolean offload : new boolean[] {false, true}) {
          System.setProperty(NativeOffload.ENABLED_PROPERTY, Boolean.toString(offload));
          long[] wall = new long[1];
          List<Long> d = round(generator, config, calls, periodMs, wall);
          (offload ? onDelays : offDelays).addAll(d);
          if (offload) {
            onWall += wall[0];
          } else {
            offWall += wall[0];
          }
          System.err.printf(Locale.ROOT, "round %d offload=%s: %d probes, max %.1f ms, calls %.0f ms%n", r, offload,
              d.size(), max(d) / 1e6, wall[0] / 1e6);
        }
      }
      System.out.println();
      System.out.println("| offload | probes | p50 delay (ms) | p99 delay (ms) | max delay (ms) | calls wall (ms/round) |");
      System.out.println("|---|---|---|---|---|---|");
      row("off (pinned)", offDelays, offWall / rounds);
      row("on", onDelays, onWall / rounds);
      System.out.printf(Locale.ROOT, "%ntarget: max delay with offload < 50 ms: %s (%.1f ms)%n",
          max(onDelays) < 50_000_000L ? "met" : "NOT met", max(onDelays) / 1e6);
    }
  }

  /** One round: the calls on virtual threads, probes every period; returns the probes' delays (ns). */
  private static List<Long> round(TextGenerator generator, GenerationConfig config, int calls, int periodMs,
      long[] wall) throws Exception {
    CountDownLatch done = new CountDownLatch(calls);
    AtomicInteger failures = new AtomicInteger();
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      long[][] prompt = {{1 + i % 50, 2 + i % 7, 3, 4}};
      startVirtual(() -> {
        try {
          generator.generate(prompt, config);
        } catch (RuntimeException e) {
          failures.incrementAndGet();
          e.printStackTrace();
        } finally {
          done.countDown();
        }
      });
    }
    ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();
    List<CountDownLatch> probes = new ArrayList<>();
    long next = System.nanoTime();
    while (!done.await(0, TimeUnit.NANOSECONDS)) {
      next += periodMs * 1_000_000L;
      LockSupport.parkNanos(next - System.nanoTime());
      CountDownLatch ran = new CountDownLatch(1);
      probes.add(ran);
      long scheduled = System.nanoTime();
      startVirtual(() -> {
        delays.add(System.nanoTime() - scheduled);
        ran.countDown();
      });
    }
    wall[0] = System.nanoTime() - start;
    for (CountDownLatch p : probes) {
      p.await(); // every probe counts, including those that ran after the calls ended
    }
    if (failures.get() > 0) {
      fail(failures.get() + " calls failed");
    }
    return new ArrayList<>(delays);
  }

  private static void startVirtual(Runnable task) throws ReflectiveOperationException {
    Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
    Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
    start.invoke(builder, task);
  }

  private static void row(String label, List<Long> delays, long wallNanos) {
    long[] s = delays.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.0f |%n", label, s.length, pct(s, 0.50) / 1e6,
        pct(s, 0.99) / 1e6, s.length == 0 ? 0 : s[s.length - 1] / 1e6, wallNanos / 1e6);
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))];
  }

  private static long max(List<Long> d) {
    return d.stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private static int positive(String option, String v, int min, int max) {
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    fail(option + ": '" + v + "' must be an integer in [" + min + ", " + max + "]");
    return -1;
  }

  private static void fail(String message) {
    System.err.println(message);
    System.exit(2);
  }
}

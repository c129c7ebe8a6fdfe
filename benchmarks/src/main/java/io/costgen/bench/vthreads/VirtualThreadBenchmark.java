package io.costgen.bench.vthreads;

import io.costgen.bench.internal.BenchModels;
import io.costgen.core.GenerationConfig;
import io.costgen.core.TextGenerator;
import io.costgen.onnx.OnnxBackend;
import io.costgen.testkit.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Carrier pinning by native forward passes, measured: {@code --calls} unbatched generation calls
 * run on virtual threads while a platform "ticker" thread starts a trivial, unrelated virtual task
 * every {@code --period-ms}; each task records how long it waited between being started and
 * running (its scheduling delay). Each round runs three modes in turn: the calls on platform
 * threads (the control: no carrier can be pinned, so its delays are the machine's own scheduling
 * noise), on virtual threads with the offload off ({@code costgen.virtualThreads.offload=false}:
 * passes run on the calling virtual thread and pin its carrier), and on virtual threads with the
 * offload on (passes run on costgen's platform pool). The table gives the delay's p50/p99/max and
 * the calls' wall time per mode. Target: max delay under 50 ms with the offload (compare it with
 * the control on a loaded machine).
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
    if (VIRTUAL == null) {
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
      String[] modes = {"platform callers (control)", "virtual, offload off (pinned)", "virtual, offload on"};
      List<List<Long>> delays = new ArrayList<>();
      long[] walls = new long[modes.length];
      for (int m = 0; m < modes.length; m++) {
        delays.add(new ArrayList<>());
      }
      for (int r = 0; r < rounds; r++) {
        for (int m = 0; m < modes.length; m++) {
          System.setProperty(OFFLOAD_PROPERTY, Boolean.toString(m == 2));
          long[] wall = new long[1];
          List<Long> d = round(generator, config, calls, periodMs, m > 0 ? VIRTUAL : PLATFORM, wall);
          delays.get(m).addAll(d);
          walls[m] += wall[0];
          System.err.printf(Locale.ROOT, "round %d %s: %d probes, max %.1f ms, calls %.0f ms%n", r, modes[m],
              d.size(), max(d) / 1e6, wall[0] / 1e6);
        }
      }
      System.out.println();
      System.out.println("| callers | probes | p50 delay (ms) | p99 delay (ms) | max delay (ms) | calls wall (ms/round) |");
      System.out.println("|---|---|---|---|---|---|");
      for (int m = 0; m < modes.length; m++) {
        row(modes[m], delays.get(m), walls[m] / rounds);
      }
      long onMax = max(delays.get(2));
      System.out.printf(Locale.ROOT, "%ntarget: max delay with offload < 50 ms: %s (%.1f ms; control %.1f ms)%n",
          onMax < 50_000_000L ? "met" : "NOT met", onMax / 1e6, max(delays.get(0)) / 1e6);
    }
  }

  /** costgen's documented switch (docs/async.md), read on each pass of a virtual thread. */
  private static final String OFFLOAD_PROPERTY = "costgen.virtualThreads.offload";
  private static final ThreadFactory VIRTUAL = virtualThreadFactory();
  private static final ThreadFactory PLATFORM = r -> {
    Thread t = new Thread(r, "platform-caller");
    t.setDaemon(true);
    return t;
  };

  /** {@code Thread.ofVirtual().factory()}: thread-safe, looked up once. */
  private static ThreadFactory virtualThreadFactory() {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
    } catch (ReflectiveOperationException e) {
      return null; // Java 17-20: main() refuses to run
    }
  }

  /** One round: the calls on virtual threads, probes every period; returns the probes' delays (ns). */
  private static List<Long> round(TextGenerator generator, GenerationConfig config, int calls, int periodMs,
      ThreadFactory callers, long[] wall) throws Exception {
    CountDownLatch done = new CountDownLatch(calls);
    AtomicInteger failures = new AtomicInteger();
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      long[][] prompt = {{1 + i % 50, 2 + i % 7, 3, 4}};
      callers.newThread(() -> {
        try {
          generator.generate(prompt, config);
        } catch (RuntimeException e) {
          failures.incrementAndGet();
          e.printStackTrace();
        } finally {
          done.countDown();
        }
      }).start();
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
      VIRTUAL.newThread(() -> {
        delays.add(System.nanoTime() - scheduled);
        ran.countDown();
      }).start();
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

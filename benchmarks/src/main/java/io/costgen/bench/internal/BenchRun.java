package io.costgen.bench.internal;

import ai.onnxruntime.OrtEnvironment;
import io.costgen.cost.CpuCalibration;
import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModel;
import io.costgen.testkit.WeightFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The parent side of a bench run: measures the machine, prepares the models, runs every suite in
 * fresh child JVMs ({@link ChildLauncher}) and fills the {@link Report}. A failing suite is
 * recorded in the report and the run goes on. Not thread-safe.
 */
public final class BenchRun {

  /** Suites that {@code --suites} can select. */
  public static final List<String> SUITES =
      List.of("small", "overhead", "decode", "memory", "threads", "budget", "jlama", "quant", "staggered");

  /**
   * Options of one run.
   *
   * @param command the command line, for the report
   * @param plan counts and repetitions
   * @param cacheDir where synthetic models are written
   * @param sharedDir the {@code shared} folder (for stories260k and the tiny real models), or null to search
   * @param provider {@code cpu} or {@code cuda}
   * @param suites suites to run
   * @param childJvmArgs JVM options for the children
   * @param jfrDir record a JFR file per child there, or null
   * @param jlama where the {@code jlama} suite finds Java 21+ and its driver jar (nulls: search)
   */
  public record Options(String command, Plan plan, Path cacheDir, Path sharedDir, String provider,
      Set<String> suites, List<String> childJvmArgs, Path jfrDir, JlamaSuite.Locations jlama) {}

  private final Options options;
  private final PrintStream log;
  private final ChildLauncher launcher;
  private RunSpec.CpuFigures cpu;
  private int step;

  public BenchRun(Options options, PrintStream log) {
    this.options = options;
    this.log = log;
    this.launcher = new ChildLauncher(options.childJvmArgs(), log, 1800, options.jfrDir());
  }

  /** Runs everything and returns the rendered report. */
  public String execute() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    String startedAt = Instant.now().toString();
    String loadBefore = loadAverage();
    if (options.jfrDir() != null) {
      Files.createDirectories(options.jfrDir());
    }
    CpuCalibration.Result c = calibrate("start");
    cpu = figures(c);
    Plan plan = options.plan();
    Optional<Path> shared = BenchModels.sharedDir(options.sharedDir());
    if (shared.isEmpty()) {
      log.println("No shared/models folder found (give --shared): stories260k and the tiny real models are skipped.");
    }
    Report report = new Report(c.toProfile());

    // ---- small models, paired (fast; per-run overhead)
    if (options.suites().contains("small")) {
      List<String[]> smalls = List.of(
          new String[] {"stories260k", "stories260k", "model.onnx", "model_no_past.onnx"},
          new String[] {"tiny-random-gpt2", "tiny-random-gpt2", "past.onnx", null},
          new String[] {"tiny-random-llama-fp16", "tiny-random-llama-fp16", "model.onnx", null});
      for (String[] s : smalls) {
        Optional<ModelRef> withPast = BenchModels.shared(shared, s[1], s[2]);
        if (withPast.isEmpty()) {
          report.failure(s[0] + ": not found under shared/models; skipped");
          continue;
        }
        ModelRef noPast = s[3] == null ? null : BenchModels.shared(shared, s[1], s[3]).orElse(null);
        runSmall(report, s[0], withPast.get(), noPast);
      }
      try {
        SyntheticModel tiny = BenchModels.tinyGpt2();
        runSmall(report, "tiny-gpt2 (synthetic)", BenchModels.synthetic(options.cacheDir(), tiny, Layout.WITH_PAST),
            BenchModels.synthetic(options.cacheDir(), tiny, Layout.NO_PAST));
      } catch (IOException e) {
        report.failure("tiny-gpt2: cannot write the synthetic model: " + e.getMessage());
      }
    }

    // ---- cost overhead on stories260k
    Optional<ModelRef> stories = BenchModels.shared(shared, "stories260k", "model.onnx");
    if (options.suites().contains("overhead")) {
      if (stories.isPresent()) {
        // One intra-op thread: all of ONNX Runtime's work then runs on the calling thread, so its
        // CPU time is a clean second measure next to wall time.
        RunSpec spec = spec().mode("overhead").model("stories260k").withPast(stories.get())
            .impls(List.of(Impl.FULL, Impl.FREE)).threads(1).promptTokens(16).newTokens(64).batches(List.of(1))
            .warmup(30).reps(plan.overheadRounds()).seriesSecondsCap(plan.seriesSecondsCap()).build();
        RunResult r = child(report, spec, "stories260k overhead");
        if (r != null) {
          report.overhead(r);
        }
      } else {
        report.failure("overhead: stories260k not found; skipped");
      }
    }

    // ---- the ~124M models
    if (plan.largeModels() && (options.suites().contains("decode") || options.suites().contains("memory")
        || options.suites().contains("threads"))) {
      List<SyntheticModel> models = new ArrayList<>(List.of(BenchModels.gpt2Small()));
      if (plan.llama()) {
        models.add(BenchModels.llamaSmall());
      }
      for (SyntheticModel m : models) {
        log.println("Preparing " + m.name() + " (~" + (m.estimatedBytes() >> 20) + " MiB per layout; cached in "
            + options.cacheDir() + ")...");
        ModelRef withPast;
        ModelRef noPast;
        try {
          withPast = BenchModels.synthetic(options.cacheDir(), m, Layout.WITH_PAST);
          noPast = BenchModels.synthetic(options.cacheDir(), m, Layout.NO_PAST);
        } catch (IOException e) {
          report.failure(m.name() + ": cannot write the synthetic model: " + e.getMessage());
          continue;
        }
        Report.LargeModel lm = new Report.LargeModel(m.name());
        if (options.suites().contains("decode")) {
          for (int batch : plan.batches()) {
            int rounds = batch == 1 ? plan.pairedRounds() : plan.pairedB8Rounds();
            // TTFT runs in the batch-1 JVMs, side by side too.
            RunResult r = pairedBothOrders(report, m.name() + " paired batch " + batch, withPast, noPast, 0,
                batch, rounds, batch == 1 ? plan.ttftPrompts() : List.of());
            if (r != null) {
              lm.paired(batch, r);
            }
          }
          // Batch 1 again with one intra-op thread: the caller's CPU time then covers all work.
          RunResult r1 = pairedBothOrders(report, m.name() + " paired batch 1, 1 thread", withPast, noPast, 1, 1,
              plan.pairedRounds(), List.of());
          if (r1 != null) {
            lm.oneThread(r1);
          }
        }
        if (options.suites().contains("memory") || options.suites().contains("decode")) {
          for (Impl impl : List.of(Impl.HAND, Impl.FULL, Impl.FREE, Impl.NO_PAST)) {
            boolean noKv = impl == Impl.NO_PAST;
            if (noKv && !options.suites().contains("decode")) {
              continue;
            }
            // Memory: one run of each kind, no warm-up; (4) also gives the no-KV decode speed.
            RunSpec spec = spec().mode("single").model(m.name()).withPast(withPast).noPast(noPast)
                .impls(List.of(impl)).promptTokens(plan.promptTokens()).newTokens(plan.newTokens())
                .noPastNewTokens(plan.noPastNewTokens()).batches(plan.batches()).warmup(0).reps(1)
                .noPastReps(noKv ? plan.noPastReps() : 1).ttftPrompts(noKv ? List.of() : plan.ttftPrompts())
                .ttftReps(1).seriesSecondsCap(plan.seriesSecondsCap()).build();
            RunResult r = child(report, spec, m.name() + " " + impl + " (fresh JVM)");
            if (r != null) {
              lm.single(impl, r);
            }
          }
        }
        report.addLarge(lm);
        if (options.suites().contains("threads") && plan.threadSettingsOnLarge() && m == models.get(0)) {
          // Half the new tokens of the decode suite: five settings × two batches add up.
          threadSettings(report, m.name(), withPast, plan.promptTokens(), Math.max(4, plan.newTokens() / 2),
              List.of(1, 8));
        }
      }
    }
    if (options.suites().contains("threads") && stories.isPresent()) {
      threadSettings(report, "stories260k", stories.get(), 16, 64, List.of(1, 8));
    }

    // ---- int8 / int4 twins of the ~124M models
    if (plan.largeModels() && options.suites().contains("quant")) {
      quantized(report, plan);
    }

    // ---- Jlama side by side (llama-small; fresh JVMs, Jlama on Java 21+)
    if (options.suites().contains("jlama")) {
      if ("cpu".equals(options.provider())) {
        report.jlama(new JlamaSuite(options.cacheDir(), !plan.llama(), options.jlama(), options.childJvmArgs(),
            launcher, log).run());
      } else {
        report.jlama("Not run: Jlama runs on the CPU only; this run used --provider " + options.provider() + ".\n");
      }
    }

    // ---- continuous batching under staggered (Poisson) arrivals, in this JVM
    if (options.suites().contains("staggered")) {
      boolean quick = plan.equals(Plan.quick());
      try {
        report.staggered(io.costgen.bench.batching.StaggeredArrivalsBenchmark.section(options.cacheDir(),
            io.costgen.bench.batching.StaggeredArrivalsBenchmark.Settings.defaults(quick),
            "java -jar benchmarks/target/costgen-bench.jar --suites staggered" + (quick ? " --quick" : ""), log));
      } catch (IOException | RuntimeException e) {
        log.println("staggered: FAILED: " + e);
        report.failure("staggered: " + e);
      }
    }

    // ---- budget
    if (options.suites().contains("budget")) {
      report.budget(BudgetThroughput.section(plan.overheadRounds() >= 100 ? 2.0 : 0.5));
    } else {
      report.budget("Not run (suite not selected).\n");
    }

    // Calibrate again: on a shared machine the load may differ; the roofline uses the better
    // (less disturbed) bandwidth of the two, and the report shows both.
    String loadAfter = loadAverage();
    CpuCalibration.Result end = calibrate("end");
    double bandwidth = Math.max(c.memoryBandwidthBytesPerSecond(), end.memoryBandwidthBytesPerSecond());
    double flops = Math.max(c.fp32FlopsPerSecond(), end.fp32FlopsPerSecond());
    report.note(String.format(java.util.Locale.ROOT, "Measured %.1f GB/s and %.1f GFLOP/s at the start, %.1f GB/s"
        + " and %.1f GFLOP/s at the end; the tables use the higher of each.",
        c.memoryBandwidthBytesPerSecond() / 1e9, c.fp32FlopsPerSecond() / 1e9,
        end.memoryBandwidthBytesPerSecond() / 1e9, end.fp32FlopsPerSecond() / 1e9));
    cpu = new RunSpec.CpuFigures(c.cpuModel(), c.logicalCpus(), bandwidth, flops, c.memoryBytes());
    report.cpuProfile(new CpuCalibration.Result(c.cpuModel(), c.arch(), c.logicalCpus(),
        cpu.bandwidthBytesPerSecond(), cpu.fp32FlopsPerSecond(), c.memoryBytes(), c.measuredAt()).toProfile());
    Report.Machine machine = new Report.Machine(options.command(), cpu, loadBefore, loadAfter,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), ortVersion(), startedAt,
        (System.nanoTime() - t0) / 1e9);
    report.machine(machine);
    return report.render();
  }

  /**
   * The {@code quant} suite: GPT-2 small (and Llama small unless {@code --quick}) in fp32, int8
   * and int4, each in a fresh JVM, costgen with cost on, batch 1 decode and TTFT.
   */
  private void quantized(Report report, Plan plan) {
    List<SyntheticModel> models = new ArrayList<>(List.of(BenchModels.gpt2Small()));
    if (plan.llama()) {
      models.add(BenchModels.llamaSmall());
    }
    for (SyntheticModel base : models) {
      for (WeightFormat f : WeightFormat.values()) {
        SyntheticModel m = base.toBuilder().weightFormat(f).build();
        String format = f.name().toLowerCase(java.util.Locale.ROOT);
        ModelRef ref;
        try {
          log.println("Preparing " + m.name() + " " + format + " (~" + (m.estimatedBytes() >> 20)
              + " MiB; cached in " + options.cacheDir() + ")...");
          ref = BenchModels.synthetic(options.cacheDir(), m, Layout.WITH_PAST);
        } catch (IOException e) {
          report.failure(m.name() + " " + format + ": cannot write the synthetic model: " + e.getMessage());
          continue;
        }
        RunSpec spec = spec().mode("single").model(m.name() + " " + format).withPast(ref)
            .impls(List.of(Impl.FULL)).promptTokens(plan.promptTokens()).newTokens(plan.newTokens())
            .batches(List.of(1)).warmup(1).reps(plan.pairedRounds()).ttftPrompts(plan.ttftPrompts().subList(0, 1))
            .ttftReps(plan.ttftReps()).seriesSecondsCap(plan.seriesSecondsCap()).build();
        RunResult r = child(report, spec, m.name() + " " + format + " (fresh JVM)");
        if (r != null) {
          report.quantized().add(m.name(), format, r);
        }
      }
    }
  }

  /** Best of three {@code CpuCalibration.measure()} runs (each figure separately): load only lowers them. */
  private CpuCalibration.Result calibrate(String when) {
    log.println("Measuring the CPU at the " + when + " (CpuCalibration, best of 3, ~6 s)...");
    CpuCalibration.Result c = CpuCalibration.measure();
    for (int i = 0; i < 2; i++) {
      CpuCalibration.Result next = CpuCalibration.measure();
      c = new CpuCalibration.Result(c.cpuModel(), c.arch(), c.logicalCpus(),
          Math.max(c.memoryBandwidthBytesPerSecond(), next.memoryBandwidthBytesPerSecond()),
          Math.max(c.fp32FlopsPerSecond(), next.fp32FlopsPerSecond()), c.memoryBytes(), c.measuredAt());
    }
    log.printf("  %s, %d logical CPUs, %.1f GB/s, %.1f GFLOP/s, load %s%n", c.cpuModel(), c.logicalCpus(),
        c.memoryBandwidthBytesPerSecond() / 1e9, c.fp32FlopsPerSecond() / 1e9, loadAverage());
    return c;
  }

  private static RunSpec.CpuFigures figures(CpuCalibration.Result c) {
    return new RunSpec.CpuFigures(c.cpuModel(), c.logicalCpus(), c.memoryBandwidthBytesPerSecond(),
        c.fp32FlopsPerSecond(), c.memoryBytes());
  }

  private void runSmall(Report report, String name, ModelRef withPast, ModelRef noPast) {
    Plan plan = options.plan();
    List<Impl> impls = new ArrayList<>(List.of(Impl.HAND, Impl.FULL, Impl.FREE));
    if (noPast != null) {
      impls.add(Impl.NO_PAST);
    }
    RunSpec spec = spec().mode("paired").model(name).withPast(withPast).noPast(noPast).impls(impls).threads(1)
        .promptTokens(16).newTokens(plan.smallNewTokens()).noPastNewTokens(plan.smallNewTokens())
        .batches(plan.batches()).warmup(5).reps(plan.smallRounds()).noPastReps(plan.smallRounds())
        .seriesSecondsCap(plan.seriesSecondsCap()).build();
    RunResult r = child(report, spec, name + " paired");
    if (r != null) {
      report.addSmall(r);
    }
  }

  /**
   * Runs a side-by-side child twice, the hand-written loop's session loaded first and then last,
   * and pools the rounds. Which of two ~500 MB sessions is loaded first changes its decode speed
   * by up to ±10 % on some machines (memory placement: measured on the Llama model, 1.07–1.11×
   * for the second-loaded session), so a single load order would bias (2)/(1).
   */
  private RunResult pairedBothOrders(Report report, String label, ModelRef withPast, ModelRef noPast,
      int threads, int batch, int roundsPerOrder, List<Integer> ttft) {
    Plan plan = options.plan();
    List<RunResult> parts = new ArrayList<>();
    for (List<Impl> order : List.of(List.of(Impl.HAND, Impl.FULL, Impl.FREE), List.of(Impl.FULL, Impl.FREE, Impl.HAND))) {
      RunSpec spec = spec().mode("paired").model(label).withPast(withPast).noPast(noPast).impls(order)
          .threads(threads).promptTokens(plan.promptTokens()).newTokens(plan.newTokens())
          .noPastNewTokens(plan.noPastNewTokens()).batches(List.of(batch)).warmup(1).reps(roundsPerOrder)
          .noPastReps(1).ttftPrompts(ttft).ttftReps(plan.ttftReps()).seriesSecondsCap(plan.seriesSecondsCap() * 3)
          .build();
      RunResult r = child(report, spec, label + (order.get(0) == Impl.HAND ? " (hand loaded first)" : " (hand loaded last)"));
      if (r != null) {
        parts.add(r);
      }
    }
    return parts.isEmpty() ? null : Report.merge(parts);
  }

  private void threadSettings(Report report, String name, ModelRef model, int prompt, int newTokens,
      List<Integer> batches) {
    Plan plan = options.plan();
    List<RunSpec.ThreadSetting> settings = List.of(new RunSpec.ThreadSetting(0, null),
        new RunSpec.ThreadSetting(1, true), new RunSpec.ThreadSetting(1, false),
        new RunSpec.ThreadSetting(2, true), new RunSpec.ThreadSetting(2, false));
    RunSpec spec = spec().mode("threads").model(name).withPast(model).impls(List.of(Impl.FREE))
        .promptTokens(prompt).newTokens(newTokens).batches(batches).warmup(1).reps(plan.threadReps())
        .seriesSecondsCap(plan.seriesSecondsCap()).threadSettings(settings).build();
    RunResult r = child(report, spec, name + " thread settings");
    if (r != null) {
      report.addThreads(r);
    }
  }

  /** A spec with this run's provider and CPU figures; the rest by name (unset: 0, null, empty). */
  private RunSpec.Builder spec() {
    return RunSpec.builder().provider(options.provider()).cpu(cpu);
  }

  private RunResult child(Report report, RunSpec spec, String label) {
    step++;
    long t0 = System.nanoTime();
    log.printf("[%d] %s ...%n", step, label);
    try {
      RunResult r = launcher.run(spec, label);
      log.printf("[%d] %s: done in %.0f s (peak RSS %d MiB)%n", step, label, (System.nanoTime() - t0) / 1e9,
          r.peakRssKib() >> 10);
      return r;
    } catch (IOException e) {
      log.printf("[%d] %s: FAILED: %s%n", step, label, e.getMessage());
      report.failure(label + ": " + e.getMessage().lines().findFirst().orElse(""));
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  static String ortVersion() {
    try {
      return OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }
}

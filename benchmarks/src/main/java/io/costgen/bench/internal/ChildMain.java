package io.costgen.bench.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.core.GenerationResult;
import io.costgen.core.ModelInfo;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.CpuCalibration;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.ModelShape;
import io.costgen.onnx.ExecutionProvider;
import io.costgen.onnx.OnnxBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measuring side: runs one {@link RunSpec} in this (fresh) JVM and prints one
 * {@link RunResult} line on standard output. Started by the parent, never by users.
 */
public final class ChildMain {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static final java.lang.management.BufferPoolMXBean DIRECT =
      java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)
          .stream().filter(b -> b.getName().equals("direct")).findFirst().orElse(null);

  /** Bytes held by direct buffers now (live or not yet collected). */
  static long directBytes() {
    return DIRECT == null ? 0 : DIRECT.getTotalCapacity();
  }

  /** A run and the calling thread's CPU time during it. */
  record Measured(DecodeLoop.Run run, long cpuNanos) {}

  static Measured measure(DecodeLoop loop, long[][] prompts, int newTokens) throws Exception {
    long c0 = THREADS.getCurrentThreadCpuTime();
    DecodeLoop.Run run = loop.run(prompts, newTokens);
    return new Measured(run, THREADS.getCurrentThreadCpuTime() - c0);
  }

  private final RunSpec spec;
  private final HardwareProfile cpuProfile;
  private final Map<ModelRef, OnnxBackend> backends = new HashMap<>();
  private RunResult.ModelFacts facts;

  private ChildMain(RunSpec spec) {
    this.spec = spec;
    RunSpec.CpuFigures c = spec.cpu();
    this.cpuProfile = new CpuCalibration.Result(c.cpuModel(), System.getProperty("os.arch"),
        c.logicalCpus(), c.bandwidthBytesPerSecond(), c.fp32FlopsPerSecond(), c.memoryBytes(),
        Instant.EPOCH).toProfile();
  }

  public static void main(String[] args) throws Exception {
    RunSpec spec = JSON.readValue(args[0], RunSpec.class);
    if ("cuda".equals(spec.provider())
        && !OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      System.err.println("CUDA execution provider requested but not available in this ONNX Runtime"
          + " (available: " + OrtEnvironment.getAvailableProviders() + ")");
      System.exit(3);
    }
    long t0 = System.nanoTime();
    ChildMain child = new ChildMain(spec);
    RunResult result;
    try {
      result = child.execute(t0);
    } finally {
      child.closeBackends();
    }
    System.out.println(RunResult.MARKER + JSON.writeValueAsString(result));
    System.out.flush();
  }

  private RunResult execute(long t0) throws Exception {
    long cpu0 = processCpuNanos();
    List<RunResult.LoopResult> loops = new ArrayList<>();
    RunResult.Overhead overhead = null;
    switch (spec.mode()) {
      case "single" -> loops.add(single(spec.impls().get(0)));
      case "paired" -> loops.addAll(paired());
      case "threads" -> loops.addAll(threads());
      case "overhead" -> overhead = overhead();
      default -> throw new IllegalArgumentException("mode: " + spec.mode());
    }
    long hwm = ProcStatus.peakRssKib().orElse(-1);
    return new RunResult(spec, loops, facts, hwm, overhead, (System.nanoTime() - t0) / 1e9,
        (processCpuNanos() - cpu0) / 1e9);
  }

  /** CPU time of this process so far (all threads, native ones included), or 0 if unknown. */
  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return Math.max(0, sun.getProcessCpuTime());
    }
    return 0;
  }

  // ------------------------------------------------------------------ loops

  private DecodeLoop open(Impl impl) throws Exception {
    if (impl == Impl.HAND) {
      return new HandLoop(spec.withPast(), spec.threads(), spec.spinning(), spec.provider());
    }
    ModelRef ref = impl == Impl.NO_PAST ? spec.noPast() : spec.withPast();
    if (ref == null) {
      throw new IllegalArgumentException(impl + ": no model file for " + spec.model());
    }
    OnnxBackend backend = backends.get(ref);
    if (backend == null) {
      OnnxBackend.Builder b = OnnxBackend.builder().modelDir(Path.of(ref.dir())).modelFile(Path.of(ref.file()));
      if (spec.threads() > 0) {
        b.intraOpThreads(spec.threads());
      }
      if (spec.spinning() != null) {
        b.allowSpinning(spec.spinning());
      }
      if ("cuda".equals(spec.provider())) {
        b.executionProvider(ExecutionProvider.CUDA);
      }
      backend = b.build();
      backends.put(ref, backend);
      if (facts == null || impl != Impl.NO_PAST) {
        facts = facts(backend.modelInfo());
      }
    }
    return new CostgenLoop(impl, backend, cpuProfile);
  }

  private void closeBackends() {
    for (OnnxBackend b : backends.values()) {
      b.close();
    }
    backends.clear();
  }

  static RunResult.ModelFacts facts(ModelInfo info) {
    ModelShape s = info.shape();
    RunResult.Shape shape = new RunResult.Shape(s.name(), s.family().name(), s.layers(), s.hiddenSize(),
        s.attentionHeads(), s.kvHeads(), s.headSize(), s.intermediateSize(), s.vocabSize(),
        s.contextLength(), s.tiedEmbeddings(), s.parameters());
    return new RunResult.ModelFacts(shape, s.weightBytes(info.weightDtype()),
        s.kvCacheBytesPerToken(info.kvCacheDtype()), info.weightDtype().name(), info.kvCacheDtype().name());
  }

  private int newTokensFor(Impl impl) {
    return impl == Impl.NO_PAST ? spec.noPastNewTokens() : spec.newTokens();
  }

  private int repsFor(Impl impl) {
    return impl == Impl.NO_PAST ? spec.noPastReps() : spec.reps();
  }

  // ------------------------------------------------------------------ single

  /** One loop in this JVM: decode at each batch, then TTFT; peak RSS belongs to it alone. */
  private RunResult.LoopResult single(Impl impl) throws Exception {
    try (DecodeLoop loop = open(impl)) {
      List<RunResult.DecodeSeries> decode = new ArrayList<>();
      long hwmAfterB1 = -1;
      int newTokens = newTokensFor(impl);
      for (int batch : spec.batches()) {
        long[][] prompts = Workloads.prompts(batch, spec.promptTokens(), loop.vocab());
        for (int w = 0; w < spec.warmup(); w++) {
          loop.run(prompts, newTokens);
        }
        List<Double> tps = new ArrayList<>();
        List<Double> call = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        String digest = null;
        long seriesStart = System.nanoTime();
        for (int r = 0; r < repsFor(impl); r++) {
          Measured m = measure(loop, prompts, newTokens);
          record(m, batch, newTokens, tps, call, cpu);
          if (digest == null) {
            digest = Workloads.digest(m.run().generated());
          }
          if ((System.nanoTime() - seriesStart) / 1e9 > spec.seriesSecondsCap()) {
            break;
          }
        }
        decode.add(new RunResult.DecodeSeries(batch, spec.promptTokens(), newTokens, tps, call, cpu, digest));
        if (batch == 1) {
          hwmAfterB1 = ProcStatus.peakRssKib().orElse(-1);
        }
      }
      List<RunResult.TtftSeries> ttft = impl == Impl.NO_PAST ? List.of() : ttft(loop);
      return new RunResult.LoopResult(impl, decode, ttft, hwmAfterB1, null);
    }
  }

  private List<RunResult.TtftSeries> ttft(DecodeLoop loop) throws Exception {
    List<RunResult.TtftSeries> out = new ArrayList<>();
    for (int p : spec.ttftPrompts()) {
      long[][] prompt = Workloads.prompts(1, p, loop.vocab());
      for (int w = 0; w < Math.min(1, spec.warmup()); w++) {
        loop.run(prompt, 1);
      }
      List<Double> seconds = new ArrayList<>();
      List<Double> direct = new ArrayList<>();
      long seriesStart = System.nanoTime();
      for (int r = 0; r < spec.ttftReps(); r++) {
        long d0 = directBytes();
        seconds.add(loop.run(prompt, 1).firstTokenNanos() / 1e9);
        direct.add(Math.max(0, directBytes() - d0) / (double) (1 << 20));
        if ((System.nanoTime() - seriesStart) / 1e9 > spec.seriesSecondsCap()) {
          break;
        }
      }
      out.add(new RunResult.TtftSeries(p, seconds, direct));
    }
    return out;
  }

  private static void record(Measured m, int batch, int newTokens, List<Double> tps,
      List<Double> call, List<Double> cpu) {
    DecodeLoop.Run run = m.run();
    double decodeSeconds = (run.totalNanos() - run.firstTokenNanos()) / 1e9;
    int steps = newTokens - 1;
    tps.add(steps == 0 ? 0 : batch * steps / decodeSeconds);
    call.add(run.totalNanos() / 1e9);
    cpu.add(m.cpuNanos() / 1e9);
  }

  // ------------------------------------------------------------------ paired

  /**
   * Several loops in one JVM, one run each per round, the order changing every round
   * ({@link Workloads#order}), so slow phases of a noisy machine hit every loop alike, per-round
   * ratios cancel them, and no loop always runs after the same other loop (caches, pool threads).
   */
  private List<RunResult.LoopResult> paired() throws Exception {
    List<DecodeLoop> loops = new ArrayList<>();
    try {
      for (Impl impl : spec.impls()) {
        loops.add(open(impl));
      }
      return rotate(loops, null);
    } finally {
      for (DecodeLoop l : loops) {
        l.close();
      }
    }
  }

  /**
   * One cost-off loop per thread setting, each over its own backend, in rotating order like
   * {@link #paired()}: a noisy machine's slow phases hit every setting alike.
   */
  private List<RunResult.LoopResult> threads() throws Exception {
    List<DecodeLoop> loops = new ArrayList<>();
    List<OnnxBackend> own = new ArrayList<>();
    try {
      for (RunSpec.ThreadSetting t : spec.threadSettings()) {
        OnnxBackend.Builder b = OnnxBackend.builder().modelDir(Path.of(spec.withPast().dir()))
            .modelFile(Path.of(spec.withPast().file()));
        if (t.threads() > 0) {
          b.intraOpThreads(t.threads());
        }
        if (t.spinning() != null) {
          b.allowSpinning(t.spinning());
        }
        if ("cuda".equals(spec.provider())) {
          b.executionProvider(ExecutionProvider.CUDA);
        }
        OnnxBackend backend = b.build();
        own.add(backend);
        loops.add(new CostgenLoop(Impl.FREE, backend, cpuProfile));
      }
      return rotate(loops, spec.threadSettings());
    } finally {
      for (OnnxBackend b : own) {
        b.close();
      }
    }
  }

  /** Decode at each batch (and TTFT at batch 1 lengths) for {@code loops}, rotating per round. */
  private List<RunResult.LoopResult> rotate(List<DecodeLoop> loops, List<RunSpec.ThreadSetting> settings)
      throws Exception {
    int n = loops.size();
    List<List<RunResult.DecodeSeries>> decode = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      decode.add(new ArrayList<>());
    }
    for (int batch : spec.batches()) {
      long[][] prompts = Workloads.prompts(batch, spec.promptTokens(), loops.get(0).vocab());
      List<List<Double>> tps = new ArrayList<>();
      List<List<Double>> call = new ArrayList<>();
      List<List<Double>> cpu = new ArrayList<>();
      String[] digests = new String[n];
      for (DecodeLoop l : loops) {
        tps.add(new ArrayList<>());
        call.add(new ArrayList<>());
        cpu.add(new ArrayList<>());
        for (int w = 0; w < spec.warmup(); w++) {
          l.run(prompts, newTokensFor(l.impl()));
        }
      }
      long seriesStart = System.nanoTime();
      for (int round = 0; round < spec.reps(); round++) {
        int[] order = Workloads.order(round, n);
        for (int k = 0; k < n; k++) {
          int i = order[k];
          DecodeLoop l = loops.get(i);
          int newTokens = newTokensFor(l.impl());
          Measured m = measure(l, prompts, newTokens);
          record(m, batch, newTokens, tps.get(i), call.get(i), cpu.get(i));
          if (digests[i] == null) {
            digests[i] = Workloads.digest(m.run().generated());
          }
        }
        if ((System.nanoTime() - seriesStart) / 1e9 > spec.seriesSecondsCap()) {
          break;
        }
      }
      for (int i = 0; i < n; i++) {
        decode.get(i).add(new RunResult.DecodeSeries(batch, spec.promptTokens(),
            newTokensFor(loops.get(i).impl()), tps.get(i), call.get(i), cpu.get(i), digests[i]));
      }
    }
    Map<Impl, List<RunResult.TtftSeries>> ttft = settings == null ? pairedTtft(loops) : Map.of();
    List<RunResult.LoopResult> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      DecodeLoop l = loops.get(i);
      out.add(new RunResult.LoopResult(l.impl(), decode.get(i), ttft.getOrDefault(l.impl(), List.of()), -1,
          settings == null ? null : settings.get(i)));
    }
    return out;
  }

  /** TTFT of each with-cache loop, rotating order per round, one series per prompt length. */
  private Map<Impl, List<RunResult.TtftSeries>> pairedTtft(List<DecodeLoop> all) throws Exception {
    List<DecodeLoop> loops = new ArrayList<>();
    for (DecodeLoop l : all) {
      if (l.impl() != Impl.NO_PAST) {
        loops.add(l);
      }
    }
    Map<Impl, List<RunResult.TtftSeries>> out = new HashMap<>();
    int n = loops.size();
    for (int p : spec.ttftPrompts()) {
      long[][] prompt = Workloads.prompts(1, p, loops.get(0).vocab());
      List<List<Double>> seconds = new ArrayList<>();
      List<List<Double>> direct = new ArrayList<>();
      for (DecodeLoop l : loops) {
        seconds.add(new ArrayList<>());
        direct.add(new ArrayList<>());
        for (int w = 0; w < Math.min(1, spec.warmup()); w++) {
          l.run(prompt, 1);
        }
      }
      long seriesStart = System.nanoTime();
      for (int round = 0; round < spec.ttftReps(); round++) {
        for (int k = 0; k < n; k++) {
          int i = (round + k) % n;
          long d0 = directBytes();
          seconds.get(i).add(loops.get(i).run(prompt, 1).firstTokenNanos() / 1e9);
          direct.get(i).add(Math.max(0, directBytes() - d0) / (double) (1 << 20));
        }
        if ((System.nanoTime() - seriesStart) / 1e9 > spec.seriesSecondsCap()) {
          break;
        }
      }
      for (int i = 0; i < n; i++) {
        out.computeIfAbsent(loops.get(i).impl(), k -> new ArrayList<>())
            .add(new RunResult.TtftSeries(p, seconds.get(i), direct.get(i)));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ overhead

  /**
   * Cost on vs off over one shared backend: whole {@code generate} calls, alternating ABBA each
   * round, then a direct timing of the pricing path of one call.
   */
  private RunResult.Overhead overhead() throws Exception {
    try (DecodeLoop on = open(Impl.FULL); DecodeLoop off = open(Impl.FREE)) {
      int batch = spec.batches().get(0);
      long[][] prompts = Workloads.prompts(batch, spec.promptTokens(), on.vocab());
      int newTokens = spec.newTokens();
      for (int w = 0; w < spec.warmup(); w++) {
        on.run(prompts, newTokens);
        off.run(prompts, newTokens);
      }
      List<Double> onS = new ArrayList<>();
      List<Double> offS = new ArrayList<>();
      List<Double> onCpu = new ArrayList<>();
      List<Double> offCpu = new ArrayList<>();
      long seriesStart = System.nanoTime();
      for (int round = 0; round < spec.reps(); round++) {
        for (int k = 0; k < 2; k++) {
          boolean costOn = (round + k) % 2 == 0; // A-B, then B-A
          Measured m = measure(costOn ? on : off, prompts, newTokens);
          (costOn ? onS : offS).add(m.run().totalNanos() / 1e9);
          (costOn ? onCpu : offCpu).add(m.cpuNanos() / 1e9);
        }
        if ((System.nanoTime() - seriesStart) / 1e9 > spec.seriesSecondsCap()) {
          break;
        }
      }
      double pathNanos = pricingPathNanos((CostgenLoop) on, prompts, newTokens);
      return new RunResult.Overhead(newTokens, onS, offS, onCpu, offCpu, pathNanos);
    }
  }

  /**
   * What cost-on adds to one call, timed directly: the estimate, {@code onStart}, one
   * {@code onToken} per decode step, the price and {@code onComplete}, on the usage of a real
   * call. Median over batches of 2,000 repetitions, nanoseconds per call. (Budget reserve/settle
   * and meter recording join here when they exist; see {@link CostFeatures}.)
   */
  private double pricingPathNanos(CostgenLoop on, long[][] prompts, int newTokens) {
    GenerationResult sample = on.generator().generate(io.costgen.core.GenerationRequest.builder()
        .tokenIds(prompts).config(CostgenLoop.config(newTokens)).context(CostFeatures.context()).build());
    CostModel model = CostFeatures.fullCostModel(cpuProfile);
    ModelShape shape = on.generator().modelInfo().shape();
    CostFeatures.CountingListener listener = new CostFeatures.CountingListener();
    CallContext ctx = CostFeatures.context();
    long promptTokens = (long) prompts.length * prompts[0].length;
    int steps = newTokens - 1;
    double[] perCall = new double[15];
    double sink = 0;
    for (int batch = 0; batch < perCall.length + 5; batch++) {
      int reps = 2000;
      long t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        CostReport estimate = model.estimate(shape, promptTokens, newTokens, prompts.length);
        listener.onStart(ctx, estimate);
        for (int s = 1; s <= steps; s++) {
          listener.onToken(ctx, s * prompts.length);
        }
        CostReport price = model.price(sample.usage());
        sink += price.energyJoules();
        listener.onComplete(ctx, sample);
      }
      long elapsed = System.nanoTime() - t0;
      if (batch >= 5) { // the first five batches warm up the JIT
        perCall[batch - 5] = (double) elapsed / reps;
      }
    }
    if (sink < 0 || listener.events() < 0) {
      System.err.println("impossible");
    }
    return Stats.summarize(perCall).median();
  }
}

package io.costgen.bench.internal;

import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.CostModel;
import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.LatencyEstimate;
import io.costgen.cost.ModelShape;
import io.costgen.cost.RooflineModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the children's results into markdown: the machine, decode side by side, the memory
 * roofline and the cost-model check, TTFT and peak RSS, thread settings, the cost overhead, the
 * budget benchmark, and the table of targets met or missed. Rendering only: the thresholds and
 * the met/missed verdicts are {@link Targets}'. Not thread-safe (fill, then render once).
 */
public final class Report {

  /**
   * The machine and the run.
   *
   * @param command the command line that produced the report
   * @param cpu measured CPU figures
   * @param loadBefore {@code /proc/loadavg} before the run
   * @param loadAfter {@code /proc/loadavg} after the run
   * @param javaVersion the JVM
   * @param ortVersion the ONNX Runtime version
   * @param startedAt ISO timestamp
   */
  public record Machine(String command, RunSpec.CpuFigures cpu, String loadBefore, String loadAfter,
      String javaVersion, String ortVersion, String startedAt, double wallSeconds) {}

  /** The runs of one ~124M model. */
  public static final class LargeModel {
    final String name;
    final Map<Integer, RunResult> paired = new LinkedHashMap<>();
    RunResult oneThread;
    final Map<Impl, RunResult> singles = new LinkedHashMap<>();

    public LargeModel(String name) {
      this.name = name;
    }

    public void paired(int batch, RunResult r) {
      paired.put(batch, r);
    }

    /** The batch-1 side-by-side run with one intra-op thread (clean CPU-time ratios). */
    public void oneThread(RunResult r) {
      oneThread = r;
    }

    public void single(Impl impl, RunResult r) {
      singles.put(impl, r);
    }
  }

  private Machine machine;
  private HardwareProfile cpuProfile;
  private final List<String> notes = new ArrayList<>();
  private final List<LargeModel> large = new ArrayList<>();
  private final List<RunResult> small = new ArrayList<>();
  private final List<RunResult> threads = new ArrayList<>();
  private RunResult overhead;
  private String budgetSection = "";
  private String staggeredSection;
  private final QuantizedSection quantized = new QuantizedSection();
  private String jlamaSection;
  private final List<String> failures = new ArrayList<>();
  private final Targets targets = new Targets();

  /** @param cpuProfile the measured {@code cpu} profile (for the roofline and the cost model) */
  public Report(HardwareProfile cpuProfile) {
    this.cpuProfile = cpuProfile;
  }

  /** Replaces the {@code cpu} profile used for the roofline and the cost-model columns. */
  public void cpuProfile(HardwareProfile p) {
    this.cpuProfile = p;
  }

  /** A line for the machine section. */
  public void note(String line) {
    notes.add(line);
  }

  /** The machine and run facts; required before {@link #render()}. */
  public void machine(Machine m) {
    this.machine = m;
  }

  public void addLarge(LargeModel m) {
    large.add(m);
  }

  public void addSmall(RunResult r) {
    small.add(r);
  }

  public void addThreads(RunResult r) {
    threads.add(r);
  }

  public void overhead(RunResult r) {
    this.overhead = r;
  }

  /** The {@code quant} suite's rows (fp32 / int8 / int4 twins). */
  public QuantizedSection quantized() {
    return quantized;
  }

  public void budget(String markdown) {
    this.budgetSection = markdown;
  }

  /** The "Staggered arrivals" section (markdown), or none when the suite did not run. */
  public void staggered(String markdown) {
    this.staggeredSection = markdown;
  }

  /** The "Jlama side by side" section (markdown), or none when the suite did not run. */
  public void jlama(String markdown) {
    this.jlamaSection = markdown;
  }

  public void failure(String what) {
    failures.add(what);
  }

  // ------------------------------------------------------------------ rendering

  /** The whole report. */
  public String render() {
    targets.clear();
    StringBuilder sb = new StringBuilder();
    sb.append("# costgen benchmark results\n\n");
    sb.append("Produced by `").append(machine.command()).append("` at ").append(machine.startedAt())
        .append(String.format(Locale.ROOT, " in %.0f s.%n%n", machine.wallSeconds()));
    machine(sb);
    decode(sb);
    roofline(sb);
    ttft(sb);
    memory(sb);
    threadSettings(sb);
    small(sb);
    overhead(sb);
    sb.append("## Quantized weights: int8 (QDQ) and int4 (MatMulNBits) vs fp32\n\n")
        .append(quantized.render()).append('\n');
    if (staggeredSection != null) {
      sb.append("## Staggered arrivals (continuous batching)\n\n").append(staggeredSection).append('\n');
    }
    sb.append("## Budget reserve + settle throughput\n\n").append(budgetSection).append('\n');
    if (jlamaSection != null) {
      sb.append("## Jlama side by side\n\n").append(jlamaSection).append('\n');
    }
    targetsTable(sb);
    if (!failures.isEmpty()) {
      sb.append("## Failures\n\n");
      for (String f : failures) {
        sb.append("- ").append(f).append('\n');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private void machine(StringBuilder sb) {
    RunSpec.CpuFigures c = machine.cpu();
    sb.append("## Machine\n\n");
    sb.append(new MarkdownTable("CPU", "logical CPUs", "memory", "read bandwidth (measured)",
        "fp32 Java matmul (measured)", "load avg before", "load avg at end", "JVM", "ONNX Runtime")
        .row(c.cpuModel(), c.logicalCpus(), gib(c.memoryBytes()),
            fmt(c.bandwidthBytesPerSecond() / 1e9, 1) + " GB/s", fmt(c.fp32FlopsPerSecond() / 1e9, 1) + " GFLOP/s",
            machine.loadBefore(), machine.loadAfter(), machine.javaVersion(), machine.ortVersion())
        .render());
    sb.append("\nBandwidth and FLOP/s: `CpuCalibration.measure()` at the start and at the end of this run"
        + " (all logical CPUs; stream-like read of 256 MB; blocked Java fp32 matmul), the better of the"
        + " two. Load averages are"
        + " `/proc/loadavg` (1, 5, 15 min): anything near or above the CPU count means other"
        + " processes competed for the cores and absolute numbers are pessimistic.\n\n");
    for (String n : notes) {
      sb.append(n).append("\n\n");
    }
  }

  /** Section 1: decode tokens/s side by side, paired ratios. */
  private void decode(StringBuilder sb) {
    if (large.stream().allMatch(m -> m.paired.isEmpty())) {
      return;
    }
    sb.append("## Decode throughput, side by side\n\n");
    sb.append("Greedy decoding of token-id prompts; each row of a batch is a different prompt. Tokens/s ="
        + " batch × decode steps ÷ (call time − time to first token), call time measured around the"
        + " call; ± is half the interquartile range, relative. (1), (2) and (3) run in one JVM, one"
        + " call each per round, the order cycling through all permutations; each series runs in two"
        + " JVMs, with the hand-written loop's session loaded first and last (on this machine the load"
        + " order alone moved a session's speed by up to ±10 %), rounds pooled. Ratios are per round, then the median"
        + " [interquartile range] over rounds. The \"1 thread\" rows repeat batch 1 with one intra-op"
        + " thread: then all of ONNX Runtime's work runs on the calling thread, and the \"CPU\" ratios"
        + " compare that thread's CPU time per call (x/y = y's CPU time ÷ x's, a speed ratio), which"
        + " other processes disturb less than wall time. (With a thread pool the caller's share of the"
        + " work varies, so CPU ratios are shown only for one thread.) (4) runs in its own JVM with"
        + " fewer new tokens (it recomputes the whole sequence every step).\n\n");
    MarkdownTable t = new MarkdownTable("model", "batch", "prompt + new", "(1) hand-written ORT tok/s",
        "(2) cost on tok/s", "(3) cost off tok/s", "(4) no KV cache tok/s", "(2)/(1)", "(2)/(3)",
        "(2)/(1) CPU", "(2)/(3) CPU", "rounds", "same tokens");
    for (LargeModel m : large) {
      List<Map.Entry<String, RunResult>> rows = new ArrayList<>();
      for (Map.Entry<Integer, RunResult> e : m.paired.entrySet()) {
        rows.add(Map.entry(String.valueOf(e.getKey()), e.getValue()));
      }
      if (m.oneThread != null) {
        rows.add(Map.entry("1 (1 thread)", m.oneThread));
      }
      for (Map.Entry<String, RunResult> e : rows) {
        RunResult r = e.getValue();
        int batch = r.spec().batches().get(0);
        boolean oneThread = r.spec().threads() == 1;
        RunResult.DecodeSeries hand = series(r, Impl.HAND, batch);
        RunResult.DecodeSeries full = series(r, Impl.FULL, batch);
        RunResult.DecodeSeries free = series(r, Impl.FREE, batch);
        RunResult.DecodeSeries noPast = !oneThread && m.singles.containsKey(Impl.NO_PAST)
            ? series(m.singles.get(Impl.NO_PAST), Impl.NO_PAST, batch) : null;
        Stats.Summary vsHand = Targets.speedRatio(full, hand);
        Stats.Summary vsFree = Targets.speedRatio(full, free);
        Stats.Summary cpuHand = Targets.cpuSpeedRatio(r, full, hand);
        Stats.Summary cpuFree = Targets.cpuSpeedRatio(r, full, free);
        t.row(m.name, e.getKey(), full == null ? null : full.promptTokens() + " + " + full.newTokens(),
            tps(hand), tps(full), tps(free),
            noPast == null ? null : tps(noPast) + " (" + noPast.promptTokens() + " + " + noPast.newTokens() + ")",
            ratio(vsHand), ratio(vsFree), ratio(cpuHand), ratio(cpuFree),
            full == null ? null : full.tokensPerSecond().size(), sameTokens(r, batch));
        if (oneThread) {
          continue;
        }
        String extraHand = "";
        String extraFree = "";
        if (batch == 1 && m.oneThread != null) {
          RunResult o = m.oneThread;
          RunResult.DecodeSeries of = series(o, Impl.FULL, 1);
          extraHand = "; 1 thread: wall " + ratio(Targets.speedRatio(of, series(o, Impl.HAND, 1))) + ", CPU "
              + ratio(Targets.cpuSpeedRatio(o, of, series(o, Impl.HAND, 1)));
          extraFree = "; 1 thread: wall " + ratio(Targets.speedRatio(of, series(o, Impl.FREE, 1))) + ", CPU "
              + ratio(Targets.cpuSpeedRatio(o, of, series(o, Impl.FREE, 1)));
        }
        if (vsHand != null) {
          targets.decodeVsHand(m.name, batch, vsHand, ratio(vsHand) + extraHand);
        }
        if (vsFree != null) {
          targets.decodeCostOnVsOff(m.name, batch, vsFree, ratio(vsFree) + extraFree);
        }
      }
    }
    sb.append(t.render()).append('\n');
  }

  /** Section 2: memory roofline and cost-model check. */
  private void roofline(StringBuilder sb) {
    if (large.stream().allMatch(m -> m.paired.isEmpty())) {
      return;
    }
    sb.append("## Memory roofline and the cost model\n\n");
    sb.append(String.format(Locale.ROOT, "A decode step reads every weight once plus each row's KV cache, so"
        + " its floor is (weight bytes + batch × KV bytes/token × context) ÷ measured bandwidth"
        + " (%.1f GB/s); \"roofline tok/s\" = batch ÷ that floor, at the mean context of the decode"
        + " steps. \"cost model s/step\" is `RooflineModel` on the measured `cpu` profile with its"
        + " defaults (MFU %.1f, bandwidth efficiency %.1f; fp32), the figure costgen's cost model"
        + " uses for local device time; \"estimate bound\" adds the cost model's %.0f ms per pass and"
        + " its ×%.0f safety factor (what a budget would reserve per step). \"(1) effective GB/s\" is"
        + " bytes per step × steps per second of the hand-written loop: the bandwidth ONNX Runtime"
        + " actually reached; above the measured figure means `CpuCalibration` underestimates this"
        + " machine's bandwidth (and the roofline percentages exceed 100 %%).%n%n",
        machine.cpu().bandwidthBytesPerSecond() / 1e9, RooflineModel.DEFAULT_COMPUTE_EFFICIENCY,
        RooflineModel.DEFAULT_BANDWIDTH_EFFICIENCY,
        CostModel.Builder.DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS * 1e3,
        CostModel.Builder.DEFAULT_BOUND_MARGIN));
    MarkdownTable t = new MarkdownTable("model", "batch", "mean context", "bytes / step",
        "roofline tok/s", "(1) % of roofline", "(2) % of roofline", "(1) effective GB/s", "(2) measured s/step",
        "cost model s/step", "predicted ÷ measured", "estimate bound ≥ measured");
    for (LargeModel m : large) {
      for (Map.Entry<Integer, RunResult> e : m.paired.entrySet()) {
        int batch = e.getKey();
        RunResult r = e.getValue();
        if (r.facts() == null) {
          continue;
        }
        RunResult.DecodeSeries hand = series(r, Impl.HAND, batch);
        RunResult.DecodeSeries full = series(r, Impl.FULL, batch);
        if (full == null) {
          continue;
        }
        double ctx = full.promptTokens() + full.newTokens() / 2.0;
        double bytes = Targets.bytesPerStep(r.facts(), batch, ctx);
        double roof = Targets.rooflineTokensPerSecond(batch, machine.cpu().bandwidthBytesPerSecond(), bytes);
        double fullTps = median(full.tokensPerSecond());
        double measuredStep = batch / fullTps;
        ModelShape shape = shape(r.facts());
        DType w = DType.valueOf(r.facts().weightDtype());
        DType kv = DType.valueOf(r.facts().kvDtype());
        RooflineModel rm = RooflineModel.builder(cpuProfile).weightDtype(w).kvCacheDtype(kv)
            .computeDtype(DType.FP32).build();
        LatencyEstimate est = rm.predict(shape, full.promptTokens(), full.newTokens() - 1, batch);
        double predicted = est.decodeSecondsPerToken();
        double bound = (predicted + CostModel.Builder.DEFAULT_LOCAL_PASS_OVERHEAD_SECONDS)
            * CostModel.Builder.DEFAULT_BOUND_MARGIN;
        t.row(m.name, batch, fmt(ctx, 0), mib(bytes), fmt(roof, 1),
            hand == null ? null : pct(median(hand.tokensPerSecond()) / roof), pct(fullTps / roof),
            hand == null ? null : fmt(bytes * median(hand.tokensPerSecond()) / batch / 1e9, 1),
            fmt(measuredStep * 1e3, 1) + " ms", fmt(predicted * 1e3, 1) + " ms",
            fmt(predicted / measuredStep, 2), bound >= measuredStep ? "yes" : "no");
        if (batch == 1) {
          targets.rooflineFraction(m.name, fullTps, roof,
              pct(fullTps / roof) + (hand == null ? "" : " ((1): " + pct(median(hand.tokensPerSecond()) / roof) + ")"));
        }
      }
    }
    sb.append(t.render()).append('\n');
  }

  /** Section 3: TTFT side by side (the batch-1 paired child) and the cost model's prefill. */
  private void ttft(StringBuilder sb) {
    MarkdownTable t = new MarkdownTable("model", "prompt tokens", "(1) hand-written ORT", "(2) cost on",
        "(3) cost off", "(2)/(1)", "(2)/(3)", "rounds", "new direct MiB / call (1) · (2) · (3)",
        "(1) effective GFLOP/s", "cost model prefill", "predicted ÷ measured (2)");
    for (LargeModel m : large) {
      RunResult r = m.paired.get(1);
      if (r == null) {
        continue;
      }
      for (RunResult.TtftSeries full : ttftSeries(r, Impl.FULL)) {
        int p = full.promptTokens();
        RunResult.TtftSeries hand = ttftSeries(r, Impl.HAND).stream().filter(x -> x.promptTokens() == p)
            .findFirst().orElse(null);
        RunResult.TtftSeries free = ttftSeries(r, Impl.FREE).stream().filter(x -> x.promptTokens() == p)
            .findFirst().orElse(null);
        Stats.Summary vsHand = hand == null ? null : Stats.summarize(Stats.pairedRatios(hand.seconds(), full.seconds()));
        Stats.Summary vsFree = free == null ? null : Stats.summarize(Stats.pairedRatios(free.seconds(), full.seconds()));
        String predicted = null;
        String ratio = null;
        String gflops = null;
        if (r.facts() != null && hand != null) {
          gflops = fmt(shape(r.facts()).prefillFlops(p, 1) / median(hand.seconds()) / 1e9, 0);
        }
        if (r.facts() != null) {
          RunResult.ModelFacts f = r.facts();
          LatencyEstimate est = RooflineModel.builder(cpuProfile).weightDtype(DType.valueOf(f.weightDtype()))
              .kvCacheDtype(DType.valueOf(f.kvDtype())).computeDtype(DType.FP32).build()
              .predict(shape(f), p, 0, 1);
          predicted = fmt(est.prefillSeconds() * 1e3, 0) + " ms";
          ratio = fmt(est.prefillSeconds() / median(full.seconds()), 2);
        }
        t.row(m.name, p, ms(hand), ms(full), ms(free), ratio(vsHand), ratio(vsFree), full.seconds().size(),
            directMib(hand) + " · " + directMib(full) + " · " + directMib(free), gflops, predicted, ratio);
      }
    }
    if (t.rowCount() == 0) {
      return;
    }
    sb.append("## Time to first token, side by side\n\n");
    sb.append("Batch 1, one new token (prefill + first token choice), in the batch-1 side-by-side JVM,"
        + " rotating order per round. Ratios are speed ratios, (1)'s time ÷ (2)'s time per round (≥ 1"
        + " means costgen is as fast). \"New direct MiB / call\" is the growth of the JVM's direct-buffer"
        + " pool during a call (median): buffers allocated and not freed, which stay in RSS until a GC."
        + " \"(1) effective GFLOP/s\" is the prefill's FLOPs (`ModelShape.prefillFlops`) ÷ (1)'s TTFT. \"cost model prefill\" is `RooflineModel` on the measured `cpu`"
        + " profile; its FLOP/s come from a Java matmul, far below ONNX Runtime's MLAS kernels, so"
        + " compute-bound predictions err long by design (`CpuCalibration`).\n\n");
    sb.append(t.render()).append('\n');
  }

  private static List<RunResult.TtftSeries> ttftSeries(RunResult r, Impl impl) {
    for (RunResult.LoopResult l : r.loops()) {
      if (l.impl() == impl) {
        return l.ttft().stream().filter(s -> !s.seconds().isEmpty()).toList();
      }
    }
    return List.of();
  }

  private static String directMib(RunResult.TtftSeries s) {
    if (s == null || s.directMib() == null || s.directMib().isEmpty()) {
      return "–";
    }
    return fmt(Stats.summarize(s.directMib()).median(), 0);
  }

  private static String ms(RunResult.TtftSeries s) {
    if (s == null || s.seconds().isEmpty()) {
      return null;
    }
    Stats.Summary sum = Stats.summarize(s.seconds());
    return fmt(sum.median() * 1e3, 0) + " ms" + (sum.n() > 2 ? " ±" + fmt(100 * sum.relativeIqr() / 2, 0) + "%" : "");
  }

  /** Section 4: peak RSS, one fresh JVM per loop. */
  private void memory(StringBuilder sb) {
    MarkdownTable t = new MarkdownTable("model", "loop", "peak RSS after batch 1", "peak RSS at end",
        "weights", "KV (largest held)", "end ÷ (weights + KV)", "limit " + Targets.RSS_FACTOR + " × weights + KV",
        "within");
    for (LargeModel m : large) {
      RunResult.ModelFacts facts = null;
      for (RunResult r : m.singles.values()) {
        if (r.facts() != null && !r.spec().impls().contains(Impl.NO_PAST)) {
          facts = r.facts();
        }
      }
      for (RunResult r : m.paired.values()) {
        if (facts == null && r.facts() != null) {
          facts = r.facts();
        }
      }
      for (Map.Entry<Impl, RunResult> e : m.singles.entrySet()) {
        RunResult r = e.getValue();
        RunResult.LoopResult l = r.loops().get(0);
        RunResult.ModelFacts f = r.facts() != null ? r.facts() : facts;
        double kvTokens = 0;
        for (RunResult.DecodeSeries s : l.decode()) {
          kvTokens = Math.max(kvTokens, (double) s.batch() * (s.promptTokens() + s.newTokens()));
        }
        for (RunResult.TtftSeries s : l.ttft()) {
          kvTokens = Math.max(kvTokens, s.promptTokens() + 1);
        }
        double kvBytes = f == null || e.getKey() == Impl.NO_PAST ? 0 : kvTokens * f.kvBytesPerToken();
        double peak = r.peakRssKib() * 1024.0;
        double limit = f == null ? 0 : Targets.rssLimitBytes(f.weightBytes(), kvBytes);
        boolean ok = f != null && Targets.withinRss(peak, limit);
        t.row(m.name, e.getKey().label(),
            l.peakRssAfterBatch1Kib() < 0 ? null : mib(l.peakRssAfterBatch1Kib() * 1024.0), mib(peak),
            f == null ? null : mib(f.weightBytes()), f == null ? null : mib(kvBytes),
            f == null ? null : fmt(peak / (f.weightBytes() + kvBytes), 2) + "×", f == null ? null : mib(limit),
            f == null ? null : ok ? "yes" : "**no**");
        if (f != null) {
          targets.peakRss(m.name, e.getKey().label(), peak, limit, mib(peak) + " vs " + mib(limit) + " (after batch 1: "
              + (l.peakRssAfterBatch1Kib() < 0 ? "–" : mib(l.peakRssAfterBatch1Kib() * 1024.0)) + ")");
        }
      }
    }
    if (t.rowCount() == 0) {
      return;
    }
    sb.append("## Peak memory (one fresh JVM per loop)\n\n");
    sb.append("Each loop runs alone in a new JVM (heap -Xmx1g): one batch-1 decode, one batch-8 decode,"
        + " then one TTFT run per prompt length. Peak RSS is `VmHWM` from `/proc/self/status`, after"
        + " the batch-1 run and at the end (after the batch-8 and long-prompt runs). KV is the largest"
        + " cache the JVM held (batch × context × KV bytes per token).\n\n");
    sb.append(t.render()).append('\n');
  }

  /** Section 5: intra-op threads and spinning. */
  private void threadSettings(StringBuilder sb) {
    if (threads.isEmpty()) {
      return;
    }
    sb.append("## Thread settings\n\n");
    sb.append("costgen with cost off ((3)); all settings of a model in one JVM, each over its own"
        + " backend, one call each per round in rotating order (so load changes hit every setting"
        + " alike). \"default\" leaves ONNX Runtime's choice (one thread per physical core,"
        + " spinning on). Speed-up = tokens/s ÷ the default's, per round (median). \"CPU ÷ wall\" is"
        + " the calling thread's CPU time per call over its wall time: above 1 cannot happen; well"
        + " below 1 means the thread waited (for pool threads, or for a core).\n\n");
    MarkdownTable t = new MarkdownTable("model", "intra-op threads", "spinning", "batch 1 tok/s",
        "batch 1 speed-up", "batch 8 tok/s", "batch 8 speed-up", "rounds", "caller CPU ÷ wall (batch 1)");
    for (RunResult r : threads) {
      RunResult.LoopResult base = r.loops().get(0);
      for (RunResult.LoopResult l : r.loops()) {
        RunSpec.ThreadSetting s = l.setting();
        RunResult.DecodeSeries b1 = batchSeries(l, 1);
        RunResult.DecodeSeries b8 = batchSeries(l, 8);
        t.row(r.spec().model(), s == null || s.threads() == 0 ? "default" : s.threads(),
            s == null || s.spinning() == null ? "default" : s.spinning() ? "on" : "off",
            tps(b1), speedUp(b1, batchSeries(base, 1)), tps(b8), speedUp(b8, batchSeries(base, 8)),
            b1 == null ? null : b1.tokensPerSecond().size(), cpuOverWall(b1));
      }
    }
    sb.append(t.render()).append('\n');
  }

  private static RunResult.DecodeSeries batchSeries(RunResult.LoopResult l, int batch) {
    return l.decode().stream().filter(s -> s.batch() == batch && !s.tokensPerSecond().isEmpty())
        .findFirst().orElse(null);
  }

  private static String speedUp(RunResult.DecodeSeries s, RunResult.DecodeSeries base) {
    if (s == null || base == null || s.tokensPerSecond().size() != base.tokensPerSecond().size()) {
      return null;
    }
    return fmt(Stats.summarize(Stats.pairedRatios(s.tokensPerSecond(), base.tokensPerSecond())).median(), 2) + "×";
  }

  private static String cpuOverWall(RunResult.DecodeSeries s) {
    if (s == null || s.callCpuSeconds() == null || s.callCpuSeconds().isEmpty()) {
      return null;
    }
    return fmt(Stats.summarize(Stats.pairedRatios(s.callCpuSeconds(), s.callSeconds())).median(), 2);
  }

  /** Section 6: the small models, paired. */
  private void small(StringBuilder sb) {
    if (small.isEmpty()) {
      return;
    }
    sb.append("## Small models (per-run overhead dominates)\n\n");
    sb.append("Same method as the side-by-side table, with one intra-op thread (so all of ONNX Runtime's"
        + " work runs on the calling thread and the CPU-time ratios cover everything). These models"
        + " take well under a millisecond per step, so the fixed cost of each run (JNI, tensor"
        + " set-up, the Java loop) is a large part of what is measured. (4) runs in the same JVM,"
        + " interleaved.\n\n");
    MarkdownTable t = new MarkdownTable("model", "batch", "prompt + new", "(1) tok/s", "(2) tok/s",
        "(3) tok/s", "(4) tok/s", "(2)/(1)", "(2)/(3)", "(2)/(1) CPU", "(2)/(3) CPU", "rounds", "same tokens");
    for (RunResult r : small) {
      for (int batch : r.spec().batches()) {
        RunResult.DecodeSeries hand = series(r, Impl.HAND, batch);
        RunResult.DecodeSeries full = series(r, Impl.FULL, batch);
        RunResult.DecodeSeries free = series(r, Impl.FREE, batch);
        RunResult.DecodeSeries noPast = series(r, Impl.NO_PAST, batch);
        Stats.Summary vsHand = Targets.speedRatio(full, hand);
        Stats.Summary vsFree = Targets.speedRatio(full, free);
        t.row(r.spec().model(), batch, full == null ? null : full.promptTokens() + " + " + full.newTokens(),
            tps(hand), tps(full), tps(free), tps(noPast), ratio(vsHand), ratio(vsFree),
            ratio(Targets.cpuSpeedRatio(r, full, hand)), ratio(Targets.cpuSpeedRatio(r, full, free)),
            full == null ? null : full.tokensPerSecond().size(), sameTokens(r, batch));
      }
    }
    sb.append(t.render()).append('\n');
  }

  /** Section 7: pricing + listener overhead on stories260k. */
  private void overhead(StringBuilder sb) {
    if (overhead == null || overhead.overhead() == null) {
      return;
    }
    RunResult.Overhead o = overhead.overhead();
    sb.append("## Cost overhead on a generate call (stories260k)\n\n");
    double[] rel = Targets.relativeDifferences(o.onSeconds(), o.offSeconds());
    Stats.Summary s = Stats.summarize(rel);
    Stats.Summary on = Stats.summarize(o.onSeconds());
    Stats.Summary off = Stats.summarize(o.offSeconds());
    double path = o.pricingPathNanos() / 1e9;
    double[] relCpu = Targets.relativeDifferences(o.onCpuSeconds(), o.offCpuSeconds());
    Stats.Summary sCpu = relCpu.length == 0 ? null : Stats.summarize(relCpu);
    sb.append("Whole `generate` calls (batch " + overhead.spec().batches().get(0) + ", "
        + overhead.spec().promptTokens() + " prompt + " + o.newTokens() + " new tokens, one intra-op thread)"
        + " with cost on (2) and off (3) over one shared backend, alternating A-B / B-A each round. The relative"
        + " difference is per round, (on − off) ÷ off; its median is the overhead, the"
        + " interquartile range its spread. The direct timing runs the pricing path alone"
        + " (estimate, listener events, price) on a real call's usage.\n\n");
    MarkdownTable t = new MarkdownTable("rounds", "median call, cost on", "median call, cost off",
        "median (on − off) ÷ off", "IQR of that", "same, CPU time", "IQR of that", "pricing path alone",
        "pricing path ÷ call");
    t.row(rel.length, fmt(on.median() * 1e3, 3) + " ms", fmt(off.median() * 1e3, 3) + " ms",
        pctSigned(s.median()), pctSigned(s.p25()) + " … " + pctSigned(s.p75()),
        sCpu == null ? null : pctSigned(sCpu.median()),
        sCpu == null ? null : pctSigned(sCpu.p25()) + " … " + pctSigned(sCpu.p75()),
        fmt(path * 1e6, 1) + " µs", pct2(path / off.median()));
    sb.append(t.render()).append('\n');
    targets.overhead(s, "A/B median " + pctSigned(s.median()) + " (IQR " + pctSigned(s.p25()) + " … "
        + pctSigned(s.p75()) + ")" + (sCpu == null ? "" : "; CPU time " + pctSigned(sCpu.median())) + "; direct "
        + pct2(path / off.median()));
  }

  private void targetsTable(StringBuilder sb) {
    sb.append("## Targets\n\n");
    MarkdownTable t = new MarkdownTable("target", "measured", "met");
    for (Targets.Verdict v : targets.verdicts()) {
      t.row(v.target(), v.measured(), v.met() ? "yes" : "**no**");
    }
    sb.append(t.rowCount() == 0 ? "(no target measured)\n" : t.render()).append('\n');
  }

  /** The targets judged by the last {@link #render()}, in table order. */
  public List<Targets.Verdict> targets() {
    return targets.verdicts();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Pools children that ran the same loops (in any order): each loop's series are concatenated
   * round by round, so per-round ratios stay paired. Spec, facts and token digests come from the
   * first part; peak RSS is the largest.
   */
  public static RunResult merge(List<RunResult> parts) {
    RunResult first = parts.get(0);
    List<RunResult.LoopResult> loops = new ArrayList<>();
    for (RunResult.LoopResult l0 : first.loops()) {
      List<RunResult.DecodeSeries> decode = new ArrayList<>();
      for (RunResult.DecodeSeries s0 : l0.decode()) {
        List<Double> tps = new ArrayList<>();
        List<Double> call = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (RunResult p : parts) {
          RunResult.DecodeSeries s = series(p, l0.impl(), s0.batch());
          if (s != null) {
            tps.addAll(s.tokensPerSecond());
            call.addAll(s.callSeconds());
            cpu.addAll(s.callCpuSeconds());
          }
        }
        decode.add(new RunResult.DecodeSeries(s0.batch(), s0.promptTokens(), s0.newTokens(), tps, call, cpu,
            s0.tokensDigest()));
      }
      List<RunResult.TtftSeries> ttft = new ArrayList<>();
      for (RunResult.TtftSeries t0 : l0.ttft()) {
        List<Double> seconds = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        for (RunResult p : parts) {
          for (RunResult.TtftSeries t : ttftSeries(p, l0.impl())) {
            if (t.promptTokens() == t0.promptTokens()) {
              seconds.addAll(t.seconds());
              direct.addAll(t.directMib());
            }
          }
        }
        ttft.add(new RunResult.TtftSeries(t0.promptTokens(), seconds, direct));
      }
      loops.add(new RunResult.LoopResult(l0.impl(), decode, ttft, l0.peakRssAfterBatch1Kib(), l0.setting()));
    }
    long peak = 0;
    double wall = 0;
    double cpu = 0;
    RunResult.ModelFacts facts = null;
    for (RunResult p : parts) {
      peak = Math.max(peak, p.peakRssKib());
      wall += p.wallSeconds();
      cpu += p.cpuSeconds();
      facts = facts == null ? p.facts() : facts;
    }
    return new RunResult(first.spec(), loops, facts, peak, first.overhead(), wall, cpu);
  }

  static RunResult.DecodeSeries series(RunResult r, Impl impl, int batch) {
    for (RunResult.LoopResult l : r.loops()) {
      if (l.impl() == impl) {
        for (RunResult.DecodeSeries s : l.decode()) {
          if (s.batch() == batch && !s.tokensPerSecond().isEmpty()) {
            return s;
          }
        }
      }
    }
    return null;
  }

  /**
   * "yes" when every loop's first run at {@code batch} produced the same tokens; the no-KV loop
   * (different float summation order) is reported separately.
   */
  static String sameTokens(RunResult r, int batch) {
    String first = null;
    boolean noPastDiffers = false;
    for (Impl impl : List.of(Impl.HAND, Impl.FULL, Impl.FREE)) {
      RunResult.DecodeSeries s = series(r, impl, batch);
      if (s == null || s.tokensDigest() == null) {
        continue;
      }
      if (first == null) {
        first = s.tokensDigest();
      } else if (!first.equals(s.tokensDigest())) {
        return "**no**";
      }
    }
    RunResult.DecodeSeries np = series(r, Impl.NO_PAST, batch);
    if (np != null && np.tokensDigest() != null && first != null && !first.equals(np.tokensDigest())) {
      noPastDiffers = true;
    }
    return first == null ? null : noPastDiffers ? "yes ((4) differs)" : "yes";
  }

  static ModelShape shape(RunResult.ModelFacts f) {
    RunResult.Shape s = f.shape();
    return ModelShape.builder().name(s.name()).family(ArchitectureFamily.valueOf(s.family()))
        .layers(s.layers()).hiddenSize(s.hiddenSize()).attentionHeads(s.attentionHeads())
        .kvHeads(s.kvHeads()).headSize(s.headSize()).intermediateSize(s.intermediateSize())
        .vocabSize(s.vocabSize()).contextLength(s.contextLength()).tiedEmbeddings(s.tiedEmbeddings())
        .parameterCount(s.parameters()).build();
  }

  private static double median(List<Double> xs) {
    return Stats.summarize(xs).median();
  }

  static String tps(RunResult.DecodeSeries s) {
    if (s == null) {
      return null;
    }
    Stats.Summary sum = Stats.summarize(s.tokensPerSecond());
    double v = sum.median();
    return fmt(v, v >= 100 ? 0 : 1) + (sum.n() > 2 ? " ±" + fmt(100 * sum.relativeIqr() / 2, 0) + "%" : "");
  }

  static String ratio(Stats.Summary s) {
    if (s == null) {
      return null;
    }
    return fmt(s.median(), 3) + (s.n() > 2 ? " [" + fmt(s.p25(), 3) + "–" + fmt(s.p75(), 3) + "]" : "");
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  static String pct(double f) {
    return fmt(100 * f, 0) + " %";
  }

  static String pct2(double f) {
    return fmt(100 * f, 2) + " %";
  }

  static String pctSigned(double f) {
    return String.format(Locale.ROOT, "%+.2f %%", 100 * f);
  }

  static String mib(double bytes) {
    return fmt(bytes / (1 << 20), 0) + " MiB";
  }

  static String gib(double bytes) {
    return fmt(bytes / (1L << 30), 1) + " GiB";
  }
}

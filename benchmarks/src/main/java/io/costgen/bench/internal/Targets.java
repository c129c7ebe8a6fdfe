package io.costgen.bench.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's targets: their thresholds, the ratios they are judged on, and the verdicts of one
 * report (met or missed). {@link Report} renders the tables and the "measured" text; this class
 * decides. The static ratio methods are stateless; an instance collects verdicts and is not
 * thread-safe.
 */
public final class Targets {

  /** Decode target: (2)/(1) tokens/s, median of the per-round ratios. */
  public static final double VS_HAND = 0.97;
  /** Decode target: (2)/(3) tokens/s, median of the per-round ratios. */
  public static final double COST_ON_VS_OFF = 0.99;
  /** Decode target at batch 1: fraction of the memory roofline. */
  public static final double ROOFLINE_FRACTION = 0.60;
  /** Memory target: peak RSS ≤ this × weight bytes + KV bytes. */
  public static final double RSS_FACTOR = 1.5;
  /** Cost overhead target on stories260k: fraction of generate time (median per-round difference). */
  public static final double OVERHEAD = 0.01;

  /**
   * One target's verdict.
   *
   * @param target what was required, with its threshold
   * @param measured what was measured (rendered text)
   * @param met whether the measurement meets the threshold
   */
  public record Verdict(String target, String measured, boolean met) {}

  private final List<Verdict> verdicts = new ArrayList<>();

  /** The verdicts so far, in the order they were judged. */
  public List<Verdict> verdicts() {
    return List.copyOf(verdicts);
  }

  /** Forgets the verdicts (before a new rendering). */
  public void clear() {
    verdicts.clear();
  }

  // ------------------------------------------------------------------ verdicts

  /** (2)/(1) decode tokens/s of {@code model} at {@code batch}: met when the median ratio is ≥ {@link #VS_HAND}. */
  public Verdict decodeVsHand(String model, int batch, Stats.Summary ratio, String measured) {
    return add(model + ", batch " + batch + ": (2)/(1) tokens/s ≥ " + VS_HAND, measured, ratio.median() >= VS_HAND);
  }

  /** (2)/(3) decode tokens/s: met when the median ratio is ≥ {@link #COST_ON_VS_OFF}. */
  public Verdict decodeCostOnVsOff(String model, int batch, Stats.Summary ratio, String measured) {
    return add(model + ", batch " + batch + ": (2)/(3) tokens/s ≥ " + COST_ON_VS_OFF, measured,
        ratio.median() >= COST_ON_VS_OFF);
  }

  /**
   * Batch-1 decode of (2) against the memory roofline: met when {@code tokensPerSecond ÷
   * rooflineTokensPerSecond} is ≥ {@link #ROOFLINE_FRACTION}.
   */
  public Verdict rooflineFraction(String model, double tokensPerSecond, double rooflineTokensPerSecond,
      String measured) {
    return add(model + ", batch 1: (2) decode ≥ " + percent(ROOFLINE_FRACTION) + " of the roofline", measured,
        tokensPerSecond / rooflineTokensPerSecond >= ROOFLINE_FRACTION);
  }

  /** Peak RSS of one loop's JVM: met when {@code peakBytes} ≤ {@link #rssLimitBytes}. */
  public Verdict peakRss(String model, String loop, double peakBytes, double limitBytes, String measured) {
    return add(model + ", " + loop + ": peak RSS ≤ " + RSS_FACTOR + " × weights + KV", measured,
        withinRss(peakBytes, limitBytes));
  }

  /** Pricing + listener overhead: met when the median per-round relative difference is below {@link #OVERHEAD}. */
  public Verdict overhead(Stats.Summary relativeDifference, String measured) {
    return add("stories260k: pricing + listeners < " + percent(OVERHEAD) + " of generate time", measured,
        relativeDifference.median() < OVERHEAD);
  }

  private Verdict add(String target, String measured, boolean met) {
    Verdict v = new Verdict(target, measured, met);
    verdicts.add(v);
    return v;
  }

  // ------------------------------------------------------------------ ratios

  /** Per-round tokens/s speed ratio of {@code a} over {@code b}; null if either is missing. */
  public static Stats.Summary speedRatio(RunResult.DecodeSeries a, RunResult.DecodeSeries b) {
    return a == null || b == null ? null : Stats.summarize(Stats.pairedRatios(a.tokensPerSecond(), b.tokensPerSecond()));
  }

  /**
   * Per-round CPU-time speed ratio of {@code a} over {@code b} (b's CPU seconds ÷ a's), only for a
   * child with one intra-op thread (with a pool, the caller's share of the work varies); null
   * otherwise or when either is missing.
   */
  public static Stats.Summary cpuSpeedRatio(RunResult r, RunResult.DecodeSeries a, RunResult.DecodeSeries b) {
    if (r.spec().threads() != 1 || a == null || b == null || a.callCpuSeconds() == null || b.callCpuSeconds() == null
        || a.callCpuSeconds().isEmpty() || a.callCpuSeconds().size() != b.callCpuSeconds().size()) {
      return null;
    }
    return Stats.summarize(Stats.pairedRatios(b.callCpuSeconds(), a.callCpuSeconds()));
  }

  /**
   * Bytes one decode step reads: every weight once plus each row's KV cache at
   * {@code meanContextTokens}.
   */
  public static double bytesPerStep(RunResult.ModelFacts facts, int batch, double meanContextTokens) {
    return facts.weightBytes() + batch * facts.kvBytesPerToken() * meanContextTokens;
  }

  /** The memory roofline: batch × bandwidth ÷ bytes per step, tokens/s. */
  public static double rooflineTokensPerSecond(int batch, double bandwidthBytesPerSecond, double bytesPerStep) {
    return batch * bandwidthBytesPerSecond / bytesPerStep;
  }

  /** The peak-RSS limit: {@link #RSS_FACTOR} × weight bytes + KV bytes. */
  public static double rssLimitBytes(double weightBytes, double kvBytes) {
    return RSS_FACTOR * weightBytes + kvBytes;
  }

  /** Whether {@code peakBytes} is within {@code limitBytes}. */
  public static boolean withinRss(double peakBytes, double limitBytes) {
    return peakBytes <= limitBytes;
  }

  /** Per-round relative difference (on − off) ÷ off of paired call times, for the first {@code min(sizes)} rounds. */
  public static double[] relativeDifferences(List<Double> on, List<Double> off) {
    double[] rel = new double[Math.min(on.size(), off.size())];
    for (int i = 0; i < rel.length; i++) {
      rel[i] = on.get(i) / off.get(i) - 1;
    }
    return rel;
  }

  private static String percent(double f) {
    return String.format(Locale.ROOT, "%.0f %%", 100 * f);
  }
}

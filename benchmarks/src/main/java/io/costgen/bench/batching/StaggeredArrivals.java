package io.costgen.bench.batching;

import io.costgen.bench.internal.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The workload and the figures of {@link StaggeredArrivalsBenchmark}: calls arriving as a Poisson
 * process (exponential gaps at a given rate), with random prompt and output lengths, all drawn
 * from one seed; and the summary of their measured timings. Pure (no clock, no model); immutable
 * values; thread-safe.
 */
public final class StaggeredArrivals {
  private StaggeredArrivals() {}

  /**
   * One call of the workload.
   *
   * @param atNanos arrival time, in nanoseconds after the start of the run
   * @param prompt prompt token ids
   * @param newTokens exact number of tokens to generate
   */
  public record Arrival(long atNanos, long[] prompt, int newTokens) {}

  /**
   * {@code calls} arrivals at {@code ratePerSecond} calls per second on average (Poisson: gaps
   * are exponential with mean {@code 1 / rate}; the first call arrives at 0). Prompt lengths are
   * uniform in {@code [promptMin, promptMax]} tokens, output lengths uniform in
   * {@code [newMin, newMax]} tokens, token ids uniform in {@code [3, vocab)}. The lengths and ids
   * depend on {@code seed} only, not on the rate, so every rate and mode of a run sees the same
   * calls; the gaps come from a second stream of the same seed.
   *
   * @throws IllegalArgumentException for a non-positive rate or count, or an empty range
   */
  public static List<Arrival> poisson(long seed, double ratePerSecond, int calls, int promptMin, int promptMax,
      int newMin, int newMax, int vocab) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " must be > 0 and finite");
    }
    if (calls < 1) {
      throw new IllegalArgumentException("calls: " + calls + " must be >= 1");
    }
    if (promptMin < 1 || promptMax < promptMin) {
      throw new IllegalArgumentException("prompt lengths: [" + promptMin + ", " + promptMax + "] must be a range >= 1");
    }
    if (newMin < 1 || newMax < newMin) {
      throw new IllegalArgumentException("new tokens: [" + newMin + ", " + newMax + "] must be a range >= 1");
    }
    if (vocab < 4) {
      throw new IllegalArgumentException("vocab: " + vocab + " must be >= 4");
    }
    Random lengths = new Random(seed);
    Random gaps = new Random(seed ^ 0x9E3779B97F4A7C15L);
    List<Arrival> out = new ArrayList<>(calls);
    double at = 0;
    for (int i = 0; i < calls; i++) {
      if (i > 0) {
        at += -Math.log(1 - gaps.nextDouble()) / ratePerSecond; // 1 - u in (0, 1]: log is finite
      }
      int p = promptMin + lengths.nextInt(promptMax - promptMin + 1);
      long[] prompt = new long[p];
      for (int k = 0; k < p; k++) {
        prompt[k] = 3 + lengths.nextInt(vocab - 3);
      }
      int n = newMin + lengths.nextInt(newMax - newMin + 1);
      out.add(new Arrival(Math.round(at * 1e9), prompt, n));
    }
    return List.copyOf(out);
  }

  /**
   * What one call measured, in nanoseconds on one clock.
   *
   * @param arrivedNanos when it arrived (its scheduled arrival, whether or not a thread was free)
   * @param firstTokenNanos when its first token was streamed
   * @param doneNanos when generate returned
   * @param tokens tokens generated
   */
  public record Timing(long arrivedNanos, long firstTokenNanos, long doneNanos, int tokens) {}

  /**
   * Figures of one mode at one rate.
   *
   * @param tokensPerSecond all generated tokens / (last done - first arrival)
   * @param ttftP50Ms time to first token (from arrival, queueing included), median, milliseconds
   * @param ttftP95Ms the same, 95th percentile
   * @param tpotP50Ms per-token latency after the first ({@code (done - first token) / (tokens -
   *     1)}, calls of one token left out), median, milliseconds
   * @param tpotP95Ms the same, 95th percentile
   */
  public record Summary(double tokensPerSecond, double ttftP50Ms, double ttftP95Ms, double tpotP50Ms,
      double tpotP95Ms) {}

  /** Summarizes {@code timings} (at least one); percentiles interpolate linearly ({@link Stats#quantile}). */
  public static Summary summarize(List<Timing> timings) {
    if (timings.isEmpty()) {
      throw new IllegalArgumentException("timings: empty; nothing to summarize");
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long tokens = 0;
    double[] ttft = new double[timings.size()];
    List<Double> tpot = new ArrayList<>();
    for (int i = 0; i < timings.size(); i++) {
      Timing t = timings.get(i);
      first = Math.min(first, t.arrivedNanos());
      last = Math.max(last, t.doneNanos());
      tokens += t.tokens();
      ttft[i] = (t.firstTokenNanos() - t.arrivedNanos()) / 1e6;
      if (t.tokens() > 1) {
        tpot.add((t.doneNanos() - t.firstTokenNanos()) / 1e6 / (t.tokens() - 1));
      }
    }
    double seconds = Math.max(1, last - first) / 1e9;
    double[] tp = tpot.stream().mapToDouble(Double::doubleValue).toArray();
    return new Summary(tokens / seconds, Stats.quantile(ttft, 0.50), Stats.quantile(ttft, 0.95),
        tp.length == 0 ? Double.NaN : Stats.quantile(tp, 0.50), tp.length == 0 ? Double.NaN : Stats.quantile(tp, 0.95));
  }
}

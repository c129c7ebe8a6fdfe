package io.costgen.bench.internal;

import java.util.Arrays;
import java.util.List;

/**
 * Order statistics of a sample: median, quartiles (linear interpolation between order
 * statistics, Hyndman and Fan 1996 type 7, the default of R and NumPy), minimum and maximum.
 * Stateless and thread-safe.
 */
public final class Stats {
  private Stats() {}

  /**
   * Summary of a sample.
   *
   * @param n sample size
   * @param median 50th percentile
   * @param p25 25th percentile
   * @param p75 75th percentile
   * @param min smallest value
   * @param max largest value
   */
  public record Summary(int n, double median, double p25, double p75, double min, double max) {
    /** Interquartile range divided by the median (0 when the median is 0). */
    public double relativeIqr() {
      return median == 0 ? 0 : (p75 - p25) / Math.abs(median);
    }
  }

  /** Summarises {@code values} (at least one, all finite). */
  public static Summary summarize(List<Double> values) {
    double[] xs = new double[values.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = values.get(i);
    }
    return summarize(xs);
  }

  /** Summarises {@code values} (at least one, all finite). */
  public static Summary summarize(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("values: empty; need at least one sample");
    }
    double[] s = values.clone();
    Arrays.sort(s);
    return new Summary(s.length, quantileSorted(s, 0.5), quantileSorted(s, 0.25),
        quantileSorted(s, 0.75), s[0], s[s.length - 1]);
  }

  /** The {@code q}-quantile ({@code q} in [0, 1]) of {@code values}. */
  public static double quantile(double[] values, double q) {
    if (values.length == 0) {
      throw new IllegalArgumentException("values: empty; need at least one sample");
    }
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("q: " + q + " must be in [0, 1]");
    }
    double[] s = values.clone();
    Arrays.sort(s);
    return quantileSorted(s, q);
  }

  private static double quantileSorted(double[] s, double q) {
    double h = (s.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(s.length - 1, lo + 1);
    return s[lo] + (h - lo) * (s[hi] - s[lo]);
  }

  /**
   * Element-wise ratios {@code a[i] / b[i]} of two paired samples (same length, taken in the
   * same rounds).
   */
  public static double[] pairedRatios(List<Double> a, List<Double> b) {
    if (a.size() != b.size()) {
      throw new IllegalArgumentException("paired samples differ in size: " + a.size() + " vs " + b.size());
    }
    double[] r = new double[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i) / b.get(i);
    }
    return r;
  }
}

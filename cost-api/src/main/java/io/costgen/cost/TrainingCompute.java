package io.costgen.cost;

/**
 * Training-compute arithmetic: {@code C = 6·N·D} FLOPs and petaflop/s-days.
 *
 * <p>Kaplan et al. 2020 (arXiv:2001.08361 §2.1) define {@code C ≈ 6N} FLOPs per training token
 * (forward {@code 2N}, backward about twice the forward). Brown et al. 2020 (arXiv:2005.14165,
 * Table D.1) use "flops = params × tokens × 6", ignore attention ("typically uses less than 10%
 * of the total compute") and define one petaflop/s-day as {@code 8.64e19} FLOPs. For example
 * GPT-3 175B: {@code 6 × 174.6e9 × 300e9 = 3.14e23} FLOPs = {@code 3.64e3} PF-days.
 *
 * <p>Stateless and thread-safe.
 */
public final class TrainingCompute {

  /** FLOPs in one petaflop/s-day: {@code 1e15 FLOP/s × 86,400 s = 8.64e19} (GPT-3 Table D.1). */
  public static final double FLOPS_PER_PETAFLOP_S_DAY = 8.64e19;

  /** Training FLOPs per parameter per token, forward plus backward (Kaplan et al. 2020). */
  public static final double FLOPS_PER_PARAMETER_TOKEN = 6.0;

  private TrainingCompute() {}

  /**
   * Training compute {@code 6·parameters·tokens}, in FLOPs.
   *
   * @throws IllegalArgumentException if {@code parameters < 0} or {@code tokens} is negative or
   *     not finite
   */
  public static double flops(long parameters, double tokens) {
    if (parameters < 0) {
      throw new IllegalArgumentException("parameters: " + parameters + " must be >= 0");
    }
    if (!(tokens >= 0) || Double.isInfinite(tokens)) {
      throw new IllegalArgumentException("tokens: " + tokens + " must be a finite value >= 0");
    }
    return FLOPS_PER_PARAMETER_TOKEN * parameters * tokens;
  }

  /**
   * Converts FLOPs to petaflop/s-days ({@code flops / 8.64e19}).
   *
   * @throws IllegalArgumentException if {@code flops} is negative or not finite
   */
  public static double petaflopSDays(double flops) {
    if (!(flops >= 0) || Double.isInfinite(flops)) {
      throw new IllegalArgumentException("flops: " + flops + " must be a finite value >= 0");
    }
    return flops / FLOPS_PER_PETAFLOP_S_DAY;
  }
}

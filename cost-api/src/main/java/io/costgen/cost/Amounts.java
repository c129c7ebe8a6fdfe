package io.costgen.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The range every amount of money and every budget amount must lie in: at most
 * {@value #MAX_SCALE} significant decimal places and a magnitude below
 * 10^{@value #MAX_INTEGER_DIGITS}. Far finer and far larger than any price or budget, and the same
 * range every {@link io.costgen.cost.budget.BudgetStore} keeps exactly; it keeps every addition
 * cheap (an amount such as {@code 1e-1000000} would make each later addition on its counter
 * thousands of times slower). Stateless and thread-safe.
 */
public final class Amounts {

  /** Most significant decimal places an amount may have. */
  public static final int MAX_SCALE = 64;
  /** Amounts must be below 10 to this power in magnitude. */
  public static final int MAX_INTEGER_DIGITS = 36;

  private static final BigDecimal LIMIT = BigDecimal.ONE.scaleByPowerOfTen(MAX_INTEGER_DIGITS);
  private static final BigDecimal SMALLEST = BigDecimal.ONE.scaleByPowerOfTen(-MAX_SCALE);

  private Amounts() {}

  /**
   * Returns {@code v} if it is in range.
   *
   * @throws IllegalArgumentException naming {@code field} and the allowed range otherwise
   */
  public static BigDecimal requireInRange(String field, BigDecimal v) {
    if (v == null) {
      throw new IllegalArgumentException(field + ": must not be null");
    }
    if (v.abs().compareTo(LIMIT) >= 0) {
      throw new IllegalArgumentException(field + ": " + shortForm(v) + " is out of range; amounts must be above -1e"
          + MAX_INTEGER_DIGITS + " and below 1e" + MAX_INTEGER_DIGITS);
    }
    if (v.scale() > MAX_SCALE && v.stripTrailingZeros().scale() > MAX_SCALE) {
      throw new IllegalArgumentException(field + ": " + shortForm(v) + " has " + v.stripTrailingZeros().scale()
          + " decimal places; amounts may have at most " + MAX_SCALE + " (smallest step 1e-" + MAX_SCALE + ")");
    }
    return v;
  }

  /**
   * {@code v} rounded to {@value #MAX_SCALE} places with {@code mode} when it has more (a
   * computed product or quotient); unchanged otherwise. Fast even for absurd scales.
   */
  public static BigDecimal round(BigDecimal v, RoundingMode mode) {
    if (v.scale() <= MAX_SCALE) {
      return v;
    }
    if (v.signum() == 0) {
      return BigDecimal.ZERO;
    }
    if (v.precision() - v.scale() < -MAX_SCALE) {
      // |v| < 1e-65: rounding to 64 places gives zero or one smallest step (away from zero).
      boolean away = switch (mode) {
        case UP -> true;
        case CEILING -> v.signum() > 0;
        case FLOOR -> v.signum() < 0;
        case UNNECESSARY -> throw new ArithmeticException("rounding necessary: " + shortForm(v));
        default -> false;
      };
      return away ? SMALLEST.multiply(BigDecimal.valueOf(v.signum())) : BigDecimal.ZERO;
    }
    return v.setScale(MAX_SCALE, mode);
  }

  /** {@code v} rounded up (toward positive infinity) to {@value #MAX_SCALE} places: for amounts to hold. */
  public static BigDecimal roundUp(BigDecimal v) {
    return round(v, RoundingMode.CEILING);
  }

  /** A short rendering for error messages (never a million digits). */
  static String shortForm(BigDecimal v) {
    String s = v.toString();
    return s.length() <= 40 ? s : s.substring(0, 20) + "…" + s.substring(s.length() - 12);
  }
}

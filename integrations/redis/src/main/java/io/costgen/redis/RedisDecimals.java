package io.costgen.redis;

import java.math.BigDecimal;

/**
 * Amounts as the Lua scripts read them: plain non-negative decimal strings ({@code 12.5},
 * {@code 0.000000123}), added and compared exactly by the scripts' arbitrary-precision decimal
 * arithmetic (base-10^7 limbs, each exact in a Lua double). Never rounded: an amount outside the
 * documented range is rejected.
 */
final class RedisDecimals {

  /** Most digits after the decimal point an amount may have. */
  static final int MAX_SCALE = 64;
  /** Most digits before the decimal point an amount may have (amounts below 10^36). */
  static final int MAX_INTEGER_DIGITS = 36;
  /** Largest token count the scripts handle exactly (Lua numbers are doubles). */
  static final long MAX_TOKENS = (1L << 53) - 1;

  private RedisDecimals() {}

  /**
   * The script form of {@code v}.
   *
   * @throws IllegalArgumentException naming {@code field} if {@code v} is negative, has more than
   *     {@link #MAX_SCALE} significant decimal places or is at least 10^{@value #MAX_INTEGER_DIGITS}
   */
  static String encode(String field, BigDecimal v) {
    if (v.signum() < 0) {
      throw new IllegalArgumentException(field + ": " + v.toPlainString() + " must be >= 0");
    }
    if (v.signum() == 0) {
      return "0";
    }
    BigDecimal s = v.stripTrailingZeros();
    if (s.scale() > MAX_SCALE) {
      throw new IllegalArgumentException(field + ": " + v.toPlainString() + " has " + s.scale()
          + " decimal places; the Redis store keeps at most " + MAX_SCALE + " exactly and never rounds");
    }
    if (s.precision() - s.scale() > MAX_INTEGER_DIGITS) {
      throw new IllegalArgumentException(field + ": " + v.toPlainString() + " must be < 1e" + MAX_INTEGER_DIGITS
          + " for the Redis store");
    }
    if (s.scale() < 0) {
      s = s.setScale(0);
    }
    return s.toPlainString();
  }

  /** Parses a script's decimal string. */
  static BigDecimal decode(Object v) {
    return new BigDecimal((String) v);
  }
}

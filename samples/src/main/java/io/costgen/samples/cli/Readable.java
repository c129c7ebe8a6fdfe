package io.costgen.samples.cli;

import java.math.BigDecimal;
import java.math.MathContext;

/** Human-facing number rendering for the CLI's text output (JSON keeps full precision). */
final class Readable {

  private Readable() {}

  /**
   * {@code v} with {@code digits} significant digits and no exponent: {@code 0.0000481} rather
   * than {@code 0.0000}, {@code 12.3} rather than {@code 12.3456}; {@code "0"} for zero.
   */
  static String significant(double v, int digits) {
    if (v == 0 || !Double.isFinite(v)) {
      return v == 0 ? "0" : Double.toString(v);
    }
    BigDecimal rounded = BigDecimal.valueOf(v).round(new MathContext(digits)).stripTrailingZeros();
    return rounded.scale() < 0 ? rounded.setScale(0).toPlainString() : rounded.toPlainString();
  }
}

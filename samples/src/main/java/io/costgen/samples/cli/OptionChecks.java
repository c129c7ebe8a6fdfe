package io.costgen.samples.cli;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Range checks and type converters for CLI options. Every failure is an
 * {@link IllegalArgumentException} (or picocli's conversion error) whose one-line message starts
 * with the option's name and states the allowed range, so the CLI exits 2 before any work.
 */
final class OptionChecks {
  /** Largest money amount an option accepts (per hour, per million tokens). */
  static final BigDecimal MAX_PRICE = new BigDecimal("1000000");
  /** Most decimal places a money option accepts. */
  static final int MAX_PRICE_SCALE = 12;
  /** First and last day a date option accepts. */
  static final LocalDate FIRST_DAY = LocalDate.of(1970, 1, 1);
  static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);

  private OptionChecks() {}

  /** Registers the converters below on {@code cl} and every subcommand. */
  static void registerConverters(CommandLine cl) {
    cl.registerConverter(Integer.class, OptionChecks::parseInt);
    cl.registerConverter(Integer.TYPE, OptionChecks::parseInt);
    cl.registerConverter(Long.class, OptionChecks::parseLong);
    cl.registerConverter(Long.TYPE, OptionChecks::parseLong);
    cl.registerConverter(Double.class, OptionChecks::parseDouble);
    cl.registerConverter(Double.TYPE, OptionChecks::parseDouble);
    cl.registerConverter(BigDecimal.class, OptionChecks::parseDecimal);
    cl.registerConverter(Path.class, OptionChecks::parsePath);
    cl.registerConverter(LocalDate.class, OptionChecks::parseDay);
  }

  static Integer parseInt(String s) {
    try {
      return Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + clip(s) + "' is not a whole number from " + Integer.MIN_VALUE
          + " to " + Integer.MAX_VALUE);
    }
  }

  static Long parseLong(String s) {
    try {
      return Long.valueOf(s.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + clip(s) + "' is not a whole number from " + Long.MIN_VALUE
          + " to " + Long.MAX_VALUE);
    }
  }

  static Double parseDouble(String s) {
    double v;
    try {
      v = Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + clip(s) + "' is not a number (e.g. 0.5, 1e6)");
    }
    if (!Double.isFinite(v)) {
      throw new TypeConversionException("'" + clip(s) + "' is not a finite number; allowed magnitude up to 1e300");
    }
    return v;
  }

  static BigDecimal parseDecimal(String s) {
    String t = s.trim();
    if (t.length() > 64) {
      throw new TypeConversionException("'" + clip(s) + "' is too long; allowed: a decimal of at most 64 characters");
    }
    BigDecimal v;
    try {
      v = new BigDecimal(t);
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + clip(s) + "' is not a decimal number (e.g. 2.50)");
    }
    // Reject huge or tiny exponents before any arithmetic sees them (1e999999999 took 25 s of CPU).
    if (v.signum() != 0 && (v.precision() - v.scale() > 30 || v.scale() > 30)) {
      throw new TypeConversionException("'" + clip(s) + "' is out of range; allowed: a decimal from -1e30 to 1e30"
          + " with at most 30 decimal places");
    }
    return v;
  }

  static Path parsePath(String s) {
    if (s.isBlank()) {
      throw new TypeConversionException("empty path; allowed: a file or directory path");
    }
    try {
      return Paths.get(s);
    } catch (RuntimeException e) {
      throw new TypeConversionException("'" + clip(s) + "' is not a valid path: " + e.getMessage());
    }
  }

  static LocalDate parseDay(String s) {
    LocalDate d;
    try {
      d = LocalDate.parse(s.trim());
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("'" + clip(s) + "' is not a day; allowed: YYYY-MM-DD from " + FIRST_DAY
          + " to " + LAST_DAY);
    }
    if (d.isBefore(FIRST_DAY) || d.isAfter(LAST_DAY)) {
      throw new TypeConversionException("'" + clip(s) + "' is out of range; allowed: " + FIRST_DAY + " to " + LAST_DAY);
    }
    return d;
  }

  /** {@code v} in [{@code min}, {@code max}], or an error naming {@code option}. */
  static void range(String option, long v, long min, long max, String why) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(option + ": " + v + " is out of range; allowed " + min + " to " + max
          + (why == null ? "" : " (" + why + ")"));
    }
  }

  /** {@code v} in [{@code min}, {@code max}] (or ({@code min}, {@code max}] when {@code minExclusive}). */
  static void range(String option, double v, double min, boolean minExclusive, double max) {
    if (!(minExclusive ? v > min : v >= min) || !(v <= max)) {
      throw new IllegalArgumentException(option + ": " + fmt(v) + " is out of range; allowed " + (minExclusive ? "(" : "[")
          + fmt(min) + ", " + fmt(max) + "]");
    }
  }

  /** A price: 0 to {@link #MAX_PRICE} with at most {@link #MAX_PRICE_SCALE} decimal places. */
  static void price(String option, BigDecimal v) {
    if (v == null) {
      return;
    }
    if (v.signum() < 0 || v.compareTo(MAX_PRICE) > 0 || v.stripTrailingZeros().scale() > MAX_PRICE_SCALE) {
      throw new IllegalArgumentException(option + ": " + clip(v.toString()) + " is out of range; allowed 0 to "
          + MAX_PRICE.toPlainString() + " USD with at most " + MAX_PRICE_SCALE + " decimal places");
    }
  }

  /** The hardware profile {@code name}, or an error naming {@code option} and the catalog. */
  static io.costgen.cost.HardwareProfile hardware(String option, String name) {
    try {
      return io.costgen.cost.HardwareProfile.named(name);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage() == null ? "" : e.getMessage().replaceFirst("^hardware: ", "");
      throw new IllegalArgumentException(option + ": " + m, e);
    }
  }

  /** The dtype {@code name}, or an error naming {@code option} and the allowed names. */
  static io.costgen.cost.DType dtype(String option, String name) {
    try {
      return io.costgen.cost.DType.parse(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": '" + clip(name) + "' is not a dtype; allowed: one of fp32, fp16,"
          + " bf16, int8, int4", e);
    }
  }

  /** A non-blank text of at most {@code max} characters. */
  static void text(String option, String v, int max) {
    if (v == null) {
      return;
    }
    if (v.isEmpty() || v.length() > max) {
      throw new IllegalArgumentException(option + ": " + (v.isEmpty() ? "empty" : v.length() + " characters")
          + "; allowed 1 to " + max + " characters");
    }
  }

  private static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+(e|$)", "$1");
  }

  /** At most 40 characters of a user value, for messages. */
  static String clip(String s) {
    String one = s.replace('\n', ' ').replace('\r', ' ');
    return one.length() <= 40 ? one : one.substring(0, 37) + "...";
  }
}

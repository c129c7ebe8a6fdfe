package io.costgen.projection;

import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which input a sensitivity table varies and over which values, parsed from the CLI's
 * {@code --vary} text:
 *
 * <pre>
 * NAME=FROM..TO[:POINTS][:log|:lin]     a range, POINTS values (default 5) from FROM to TO
 * NAME=V1,V2,V3                         a list
 * </pre>
 *
 * <ul>
 *   <li>{@code traffic} (requests per day) and {@code batch} step <b>geometrically</b> by
 *       default ({@code :log}): {@code traffic=1e6..1e8} is 1e6, 3.16e6, 1e7, 3.16e7, 1e8;
 *       every other numeric input steps <b>linearly</b> ({@code :lin}): {@code price=1..3} is
 *       1, 1.5, 2, 2.5, 3. Geometric interior points are rounded to 3 significant digits.
 *   <li>Integer inputs ({@code batch}, {@code prompt}, {@code output}) are rounded to whole
 *       numbers and repeated values dropped: {@code batch=1..256:9} is 1, 2, 4, … 256.
 *   <li>Numbers accept exponents and the suffixes {@code k}, {@code M}, {@code G}
 *       ({@code traffic=1M..100M}).
 *   <li>{@code hardware} and {@code dtype} take lists only: {@code hardware=a100-80gb,h100,h200},
 *       {@code dtype=fp16,int8,int4}.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param variable the input varied
 * @param values the values as text, in order (numbers in plain decimal)
 * @param logScale whether the values step geometrically (charts use a log axis)
 * @param text the spec as given
 */
public record SensitivitySpec(Variable variable, List<String> values, boolean logScale,
    String text) {

  /** Default number of points in a range. */
  public static final int DEFAULT_POINTS = 5;
  /** Most points a range may ask for. */
  public static final int MAX_POINTS = 200;

  /** An input a sensitivity table can vary. */
  public enum Variable {
    /** Requests per day. */
    TRAFFIC("traffic", "requests per day", true, false, "requests", "requestsPerDay"),
    /** Rows per forward pass. */
    BATCH("batch", "batch (rows)", true, true),
    /** Serving hardware (catalog name), at its catalog price and TDP, devices auto-sized. */
    HARDWARE("hardware", "hardware", false, false, "hw"),
    /** Weight storage type. */
    DTYPE("dtype", "weight dtype", false, false, "weightDtype"),
    /** Price per device-hour, in the projection's currency. */
    PRICE("price", "price per device-hour", false, false, "pricePerDeviceHour"),
    /** Fleet utilisation, in (0, 1]. */
    UTILIZATION("utilization", "utilisation", false, false, "utilisation"),
    /** Prompt tokens per request. */
    PROMPT_TOKENS("prompt", "prompt tokens", false, true, "promptTokens"),
    /** Output tokens per request. */
    OUTPUT_TOKENS("output", "output tokens", false, true, "outputTokens"),
    /** Peak-to-average traffic. */
    PEAK("peak", "peak / average", false, false, "peakToAverage"),
    /** Model FLOPs utilisation. */
    MFU("mfu", "MFU", false, false, "computeEfficiency"),
    /** Memory bandwidth efficiency. */
    BANDWIDTH("bandwidth", "bandwidth efficiency", false, false, "bandwidthEfficiency");

    private final String key;
    private final String label;
    private final boolean logByDefault;
    private final boolean integer;
    private final List<String> aliases;

    Variable(String key, String label, boolean logByDefault, boolean integer,
        String... aliases) {
      this.key = key;
      this.label = label;
      this.logByDefault = logByDefault;
      this.integer = integer;
      this.aliases = List.of(aliases);
    }

    /** The name used in specs and CSV headers, e.g. {@code "traffic"}. */
    public String key() {
      return key;
    }

    /** A human label with its unit, e.g. {@code "requests per day"}. */
    public String label() {
      return label;
    }

    /** Whether the values are names (hardware, dtype) rather than numbers. */
    public boolean categorical() {
      return this == HARDWARE || this == DTYPE;
    }

    /** Whether a range steps geometrically unless told otherwise. */
    public boolean logByDefault() {
      return logByDefault;
    }

    /** Whether values are whole numbers. */
    public boolean integer() {
      return integer;
    }

    /**
     * The variable named {@code name} (its key or an alias, case-insensitive).
     *
     * @throws IllegalArgumentException listing the allowed names
     */
    public static Variable named(String name) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      for (Variable v : values()) {
        if (v.key.equals(n)) {
          return v;
        }
        for (String a : v.aliases) {
          if (a.toLowerCase(Locale.ROOT).equals(n)) {
            return v;
          }
        }
      }
      List<String> keys = new ArrayList<>();
      for (Variable v : values()) {
        keys.add(v.key);
      }
      throw new IllegalArgumentException(
          "vary: unknown input '" + name + "'; allowed: " + String.join(", ", keys));
    }
  }

  /**
   * Validates.
   *
   * @throws IllegalArgumentException for an empty list of values
   */
  public SensitivitySpec {
    Objects.requireNonNull(variable, "variable");
    Objects.requireNonNull(text, "text");
    values = List.copyOf(values);
    if (values.isEmpty()) {
      throw new IllegalArgumentException("vary: " + text + " gives no values");
    }
  }

  /**
   * Parses {@code NAME=FROM..TO[:POINTS][:log|:lin]} or {@code NAME=V1,V2,...}.
   *
   * @throws IllegalArgumentException naming what is wrong and showing the accepted forms
   */
  public static SensitivitySpec parse(String text) {
    Objects.requireNonNull(text, "text");
    int eq = text.indexOf('=');
    if (eq <= 0 || eq == text.length() - 1) {
      throw bad(text, "expected NAME=FROM..TO[:POINTS][:log|:lin] or NAME=V1,V2,...");
    }
    Variable variable = Variable.named(text.substring(0, eq));
    String rhs = text.substring(eq + 1).trim();
    if (rhs.contains("..")) {
      if (variable.categorical()) {
        throw bad(text, variable.key() + " takes a list, e.g. "
            + (variable == Variable.HARDWARE ? "hardware=a100-80gb,h100-sxm,h200"
                : "dtype=fp16,int8,int4"));
      }
      return range(text, variable, rhs);
    }
    List<String> values = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String part : rhs.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw bad(text, "empty value in the list");
      }
      String v;
      if (variable == Variable.HARDWARE) {
        v = HardwareProfile.named(p).name();
      } else if (variable == Variable.DTYPE) {
        v = DType.parse(p).name();
      } else {
        v = plain(number(text, p), variable);
      }
      if (seen.add(v)) {
        values.add(v);
      }
    }
    return new SensitivitySpec(variable, values, false, text);
  }

  private static SensitivitySpec range(String text, Variable variable, String rhs) {
    String[] parts = rhs.split(":");
    String[] ends = parts[0].split("\\.\\.", -1);
    if (ends.length != 2 || ends[0].isBlank() || ends[1].isBlank()) {
      throw bad(text, "a range is FROM..TO, e.g. traffic=1e6..1e8");
    }
    BigDecimal from = number(text, ends[0].trim());
    BigDecimal to = number(text, ends[1].trim());
    int points = DEFAULT_POINTS;
    boolean log = variable.logByDefault();
    for (int i = 1; i < parts.length; i++) {
      String opt = parts[i].trim().toLowerCase(Locale.ROOT);
      if (opt.equals("log")) {
        log = true;
      } else if (opt.equals("lin") || opt.equals("linear")) {
        log = false;
      } else {
        try {
          points = Integer.parseInt(opt);
        } catch (NumberFormatException e) {
          throw bad(text, "'" + parts[i] + "' is neither a number of points nor log/lin");
        }
        if (points < 1 || points > MAX_POINTS) {
          throw bad(text, "points: " + points + " must be in [1, " + MAX_POINTS + "]");
        }
      }
    }
    if (log && (from.signum() <= 0 || to.signum() <= 0)) {
      throw bad(text, "a log range needs FROM and TO > 0 (use :lin for zero)");
    }
    List<String> values = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < points; i++) {
      BigDecimal v;
      if (points == 1 || i == 0) {
        v = from;
      } else if (i == points - 1) {
        v = to;
      } else if (log) {
        double f = from.doubleValue();
        double t = to.doubleValue();
        double x = f * Math.pow(t / f, (double) i / (points - 1));
        v = new BigDecimal(x, new MathContext(3));
      } else {
        BigDecimal step = to.subtract(from)
            .divide(BigDecimal.valueOf(points - 1), new MathContext(12));
        v = from.add(step.multiply(BigDecimal.valueOf(i))).round(new MathContext(12));
      }
      String s = plain(v, variable);
      if (seen.add(s)) {
        values.add(s);
      }
    }
    return new SensitivitySpec(variable, values, log, text);
  }

  private static String plain(BigDecimal v, Variable variable) {
    if (variable.integer()) {
      return v.setScale(0, java.math.RoundingMode.HALF_UP).toPlainString();
    }
    return v.stripTrailingZeros().toPlainString();
  }

  private static BigDecimal number(String text, String s) {
    String t = s.trim();
    BigDecimal scale = BigDecimal.ONE;
    if (!t.isEmpty()) {
      char last = t.charAt(t.length() - 1);
      if (last == 'k' || last == 'K') {
        scale = BigDecimal.valueOf(1_000);
      } else if (last == 'M') {
        scale = BigDecimal.valueOf(1_000_000);
      } else if (last == 'G') {
        scale = BigDecimal.valueOf(1_000_000_000);
      }
      if (scale.compareTo(BigDecimal.ONE) != 0) {
        t = t.substring(0, t.length() - 1);
      }
    }
    try {
      return new BigDecimal(t).multiply(scale);
    } catch (NumberFormatException e) {
      throw bad(text, "'" + s + "' is not a number");
    }
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("vary: '" + text + "': " + why
        + " (forms: NAME=FROM..TO[:POINTS][:log|:lin], NAME=V1,V2,...)");
  }
}

package io.costgen.projection.report;

import io.costgen.projection.ProjectionResult;
import io.costgen.projection.CostShare;
import io.costgen.projection.DailyCostProjection;
import io.costgen.projection.Scenario;
import io.costgen.projection.ScenarioResult;
import io.costgen.projection.SensitivitySpec;
import io.costgen.projection.SensitivityTable;

import io.costgen.cost.Money;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A self-contained HTML report of a projection: headline figures, line charts of cost per day
 * and devices against the varied input, a stacked bar of where the money goes, the sensitivity
 * table, the inputs, and (for a scenario) the published figures side by side. Charts are inline
 * SVG; there are no external assets and no JavaScript. Without a sensitivity table the report
 * varies traffic from a tenth to ten times the projection's ({@code traffic=…:5:log}).
 *
 * <p>Stateless and thread-safe.
 */
public final class HtmlReport {

  private static final String[] PART_COLOURS = {
      "#4e79a7", "#f28e2b", "#59a14f", "#bab0ac", "#e15759"};

  private HtmlReport() {}

  /** The report of one projection, varying traffic 0.1× … 10×. */
  public static String render(ProjectionResult result) {
    return render(result, defaultSweep(result));
  }

  /** The report of one projection and a sensitivity table of it. */
  public static String render(ProjectionResult result, SensitivityTable table) {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(table, "table");
    DailyCostProjection p = result.projection();
    String title = "Daily cost: " + p.model().name() + " on " + p.hardware().name();
    StringBuilder body = new StringBuilder();
    body.append("<p class=\"sub\">").append(esc(subtitle(result))).append("</p>\n");
    headline(body, result);
    charts(body, result, table, null);
    sensitivity(body, table);
    inputs(body, p);
    warnings(body, result);
    return page(title, body);
  }

  /** The report of a scenario run, varying traffic 0.1× … 10× of the stated projection. */
  public static String render(ScenarioResult run) {
    return render(run, defaultSweep(run.stated()));
  }

  /**
   * The report of a scenario run: source and notes, the published figures against the
   * projection, the stated and first-principles projections side by side, and the table.
   */
  public static String render(ScenarioResult run, SensitivityTable table) {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(table, "table");
    Scenario s = run.scenario();
    ProjectionResult r = run.stated();
    StringBuilder body = new StringBuilder();
    body.append("<p class=\"sub\">").append(esc(s.name())).append(" &middot; ")
        .append(esc(subtitle(r))).append("</p>\n");
    body.append("<p class=\"src\">Source: ").append(esc(s.source())).append("</p>\n");
    headline(body, r);
    comparison(body, run);
    charts(body, r, table, run.firstPrinciples());
    sensitivity(body, table);
    inputs(body, r.projection());
    if (!s.notes().isEmpty()) {
      body.append("<h2>Notes</h2>\n<ul class=\"notes\">\n");
      for (String n : s.notes()) {
        body.append("<li>").append(esc(n)).append("</li>\n");
      }
      body.append("</ul>\n");
    }
    warnings(body, r);
    return page(s.title(), body);
  }

  /** Writes {@link #render(ProjectionResult, SensitivityTable)} to {@code file} (UTF-8). */
  public static void write(Path file, ProjectionResult result, SensitivityTable table) {
    writeText(file, render(result, table));
  }

  /** Writes {@link #render(ProjectionResult)} to {@code file} (UTF-8). */
  public static void write(Path file, ProjectionResult result) {
    writeText(file, render(result));
  }

  /** Writes {@link #render(ScenarioResult, SensitivityTable)} to {@code file} (UTF-8). */
  public static void write(Path file, ScenarioResult run, SensitivityTable table) {
    writeText(file, render(run, table));
  }

  /** Writes {@link #render(ScenarioResult)} to {@code file} (UTF-8). */
  public static void write(Path file, ScenarioResult run) {
    writeText(file, render(run));
  }

  /**
   * Money as the report prints it: {@link Money#format()} ({@code "$694,444.44"},
   * {@code "$0.00356"}); the exact amounts are in the JSON.
   */
  public static String formatMoney(Money m) {
    return m.format();
  }

  // ---------------------------------------------------------------------------------------------

  private static SensitivityTable defaultSweep(ProjectionResult r) {
    double base = r.requestsPerDay();
    String spec = "traffic=" + plain(base / 10) + ".." + plain(base * 10) + ":5:log";
    return r.projection().vary(spec);
  }

  private static String subtitle(ProjectionResult r) {
    DailyCostProjection p = r.projection();
    StringBuilder sb = new StringBuilder();
    sb.append(fmt(r.requestsPerDay())).append(" requests/day × (")
        .append(fmt(p.promptTokens())).append(" prompt + ").append(fmt(p.outputTokens()))
        .append(" output tokens); ").append(p.model().name()).append(" on ")
        .append(r.devices().perReplica()).append(" × ").append(p.hardware().name())
        .append(" per replica; ").append(method(r));
    return sb.toString();
  }

  private static String method(ProjectionResult r) {
    switch (r.method()) {
      case MEASURED_THROUGHPUT:
        return "measured throughput " + fmt(r.outputTokensPerDeviceSecond())
            + " output tokens per busy device-second";
      case CALIBRATED:
        return "calibrated roofline (×" + fmt(r.calibrationFactor().orElse(1)) + "), batch "
            + r.batch().orElse(1);
      default:
        return "roofline, batch " + r.batch().orElse(1);
    }
  }

  private static void headline(StringBuilder b, ProjectionResult r) {
    b.append("<div class=\"cards\">\n");
    card(b, "cost-per-day", "Cost per day", formatMoney(r.costPerDay()));
    card(b, "cost-per-month", "per month", formatMoney(r.costPerMonth()));
    card(b, "cost-per-year", "per year", formatMoney(r.costPerYear()));
    card(b, "cost-per-request", "per request", formatMoney(r.costPerRequest()));
    card(b, "cost-per-million", "per million output tokens",
        formatMoney(r.costPerMillionOutputTokens()));
    card(b, "devices-average", "Devices (average)", fmt(r.devices().average()));
    card(b, "devices-peak", "Devices (peak)", fmt(r.devices().peak())
        + (r.devices().servers().isPresent()
            ? " = " + fmt(r.devices().servers().getAsLong()) + " servers" : ""));
    card(b, "device-hours", "Device-hours per day", fmt(r.deviceHoursPerDay()));
    card(b, "energy", "Energy per day", fmt(r.energyKwhPerDay()) + " kWh");
    card(b, "energy-per-request", "Energy per request", fmt(r.energyWhPerRequest()) + " Wh");
    card(b, "co2e", "CO2e per day", fmt(r.co2eKgPerDay()) + " kg");
    card(b, "bound", "Bound / latency", r.bound().map(x -> x.name().toLowerCase(Locale.ROOT))
        .orElse("measured") + (r.latencySeconds().isPresent()
            ? " / " + fmt(r.latencySeconds().getAsDouble()) + " s" : ""));
    b.append("</div>\n");
  }

  private static void card(StringBuilder b, String id, String label, String value) {
    b.append("<div class=\"card\" id=\"").append(id).append("\"><div class=\"label\">")
        .append(esc(label)).append("</div><div class=\"value\">").append(esc(value))
        .append("</div></div>\n");
  }

  private static void comparison(StringBuilder b, ScenarioResult run) {
    b.append("<h2>Published versus projected</h2>\n<table class=\"cmp\"><tr><th>figure</th>"
        + "<th>published</th><th>projected (as stated)</th><th>ratio</th>"
        + "<th>first principles (roofline)</th></tr>\n");
    for (ScenarioResult.Comparison c : run.comparisons()) {
      b.append("<tr><td>").append(esc(c.metric())).append("</td><td>")
          .append(fmt(c.published())).append("</td><td>").append(fmt(c.projected()))
          .append("</td><td>").append(String.format(Locale.ROOT, "%.3f", c.ratio()))
          .append("</td><td>").append(fmt(metric(run.firstPrinciples(), c.metric())))
          .append("</td></tr>\n");
    }
    ProjectionResult fp = run.firstPrinciples();
    b.append("<tr><td>outputTokensPerDeviceSecond</td><td></td><td>")
        .append(fmt(run.stated().outputTokensPerDeviceSecond())).append("</td><td></td><td>")
        .append(fmt(fp.outputTokensPerDeviceSecond())).append(" (batch ")
        .append(fp.batch().orElse(1)).append(", ")
        .append(fp.bound().map(x -> x.name().toLowerCase(Locale.ROOT)).orElse("")).append("-bound)")
        .append("</td></tr>\n</table>\n");
    run.batchForStatedThroughput().ifPresent(need -> b.append("<p>The roofline reaches the stated ")
        .append(fmt(run.stated().outputTokensPerDeviceSecond()))
        .append(" output tokens per device-second at batch ").append(need.batch()).append(" on ")
        .append(need.devicesPerReplica()).append(" devices per replica (latency ")
        .append(fmt(need.latencySeconds())).append(" s).</p>\n"));
    run.training().ifPresent(t -> b.append("<p>Training the same model on ")
        .append(fmt(t.tokens())).append(" tokens: ").append(fmt(t.flops())).append(" FLOPs, ")
        .append(fmt(t.deviceHours())).append(" device-hours at MFU ")
        .append(fmt(t.computeEfficiency())).append(", ").append(esc(formatMoney(t.cost())))
        .append(", ").append(fmt(t.energyKwh())).append(" kWh.</p>\n"));
  }

  private static double metric(ProjectionResult r, String metric) {
    switch (metric) {
      case "costPerDay": return r.costPerDay().amount().doubleValue();
      case "costPerRequest": return r.costPerRequest().amount().doubleValue();
      case "costPerMillionOutputTokens": return r.costPerMillionOutputTokens().amount().doubleValue();
      case "devicesPeak": return r.devices().peak();
      case "servers": return r.devices().servers().orElse(0);
      case "deviceSecondsPerRequest": return r.deviceSecondsPerRequest();
      case "energyWhPerRequest": return r.energyWhPerRequest();
      default: return Double.NaN;
    }
  }

  private static void charts(StringBuilder b, ProjectionResult r, SensitivityTable t,
      ProjectionResult first) {
    SensitivitySpec.Variable v = t.spec().variable();
    List<String> labels = new ArrayList<>();
    List<Double> xs = new ArrayList<>();
    List<Double> cost = new ArrayList<>();
    List<Double> average = new ArrayList<>();
    List<Double> peak = new ArrayList<>();
    int i = 0;
    for (SensitivityTable.Row row : t.rows()) {
      labels.add(v.categorical() ? row.value() : SvgChart.compact(Double.parseDouble(row.value())));
      xs.add(v.categorical() ? i : row.numericValue().getAsDouble());
      ProjectionResult res = row.result().orElse(null);
      cost.add(res == null ? null : res.costPerDay().amount().doubleValue());
      average.add(res == null ? null : res.devices().average());
      peak.add(res == null ? null : (double) res.devices().peak());
      i++;
    }
    boolean log = t.spec().logScale() && !v.categorical();
    String currency = r.costPerDay().currency().getCurrencyCode();
    b.append("<h2>Versus ").append(esc(v.label())).append("</h2>\n<div class=\"charts\">\n");
    b.append(SvgChart.line("chart-cost", "Cost per day (" + currency + ") vs " + v.label(),
        v.label(), "cost per day (" + currency + ")", labels, xs, log, v.categorical(),
        List.of(new SvgChart.Series("cost per day", "#4e79a7", false, cost))));
    b.append(SvgChart.line("chart-devices", "Devices vs " + v.label(), v.label(), "devices",
        labels, xs, log, v.categorical(),
        List.of(new SvgChart.Series("peak", "#e15759", false, peak),
            new SvgChart.Series("average", "#59a14f", true, average))));
    b.append("</div>\n");
    b.append("<h2>Where the money goes</h2>\n");
    List<SvgChart.Segment> segments = new ArrayList<>();
    for (CostShare s : r.breakdown()) {
      segments.add(new SvgChart.Segment(s.part().label(),
          PART_COLOURS[s.part().ordinal() % PART_COLOURS.length], s.fraction(),
          formatMoney(s.perDay())));
    }
    b.append(SvgChart.stackedBar("chart-breakdown", "Cost per day by part"
        + (first == null ? "" : " (as stated: " + method(r) + ")"), segments));
    if (first != null) {
      List<SvgChart.Segment> fp = new ArrayList<>();
      for (CostShare s : first.breakdown()) {
        fp.add(new SvgChart.Segment(s.part().label(),
            PART_COLOURS[s.part().ordinal() % PART_COLOURS.length], s.fraction(),
            formatMoney(s.perDay())));
      }
      b.append(SvgChart.stackedBar("chart-breakdown-roofline", "First principles: "
          + formatMoney(first.costPerDay()) + " per day (" + method(first) + ")", fp));
    }
    if (r.projection().electricityPerKwh().isEmpty()) {
      b.append("<p class=\"note\">Electricity (").append(fmt(r.energyKwhPerDay()))
          .append(" kWh/day) is inside the device-hour price; set an electricity price to show"
              + " its share.</p>\n");
    }
  }

  private static void sensitivity(StringBuilder b, SensitivityTable t) {
    b.append("<h2>Sensitivity: ").append(esc(t.spec().text())).append("</h2>\n")
        .append("<table class=\"sens\"><tr><th>").append(esc(t.spec().variable().label()))
        .append("</th><th>cost/day</th><th>cost/request</th><th>cost/M output</th>"
            + "<th>devices avg</th><th>devices peak</th><th>kWh/day</th><th>bound</th>"
            + "<th>latency (s)</th></tr>\n");
    for (SensitivityTable.Row row : t.rows()) {
      b.append("<tr><td>").append(esc(t.spec().variable().categorical() ? row.value()
          : fmt(Double.parseDouble(row.value())))).append("</td>");
      if (row.result().isPresent()) {
        ProjectionResult r = row.result().get();
        b.append("<td>").append(esc(formatMoney(r.costPerDay()))).append("</td><td>")
            .append(esc(formatMoney(r.costPerRequest()))).append("</td><td>")
            .append(esc(formatMoney(r.costPerMillionOutputTokens()))).append("</td><td>")
            .append(fmt(r.devices().average())).append("</td><td>")
            .append(fmt(r.devices().peak())).append("</td><td>")
            .append(fmt(r.energyKwhPerDay())).append("</td><td>")
            .append(r.bound().map(x -> x.name().toLowerCase(Locale.ROOT)).orElse("-"))
            .append("</td><td>").append(r.latencySeconds().isPresent()
                ? fmt(r.latencySeconds().getAsDouble()) : "-").append("</td>");
      } else {
        b.append("<td colspan=\"8\" class=\"infeasible\">infeasible: ")
            .append(esc(row.infeasible().orElse(""))).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  private static void inputs(StringBuilder b, DailyCostProjection p) {
    b.append("<h2>Inputs</h2>\n<table class=\"inputs\"><tr><th>input</th><th>value</th>"
        + "<th>unit</th></tr>\n");
    for (ProjectionInputs.Input in : ProjectionInputs.describe(p)) {
      b.append("<tr><td>").append(esc(in.name())).append("</td><td>").append(esc(in.value()))
          .append("</td><td>").append(esc(in.unit())).append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static void warnings(StringBuilder b, ProjectionResult r) {
    if (r.warnings().isEmpty()) {
      return;
    }
    b.append("<h2>Warnings</h2>\n<ul class=\"warnings\">\n");
    for (String w : r.warnings()) {
      b.append("<li>").append(esc(w)).append("</li>\n");
    }
    b.append("</ul>\n");
  }

  private static String page(String title, StringBuilder body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        + esc(title) + "</title>\n<style>\n"
        + "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;max-width:1150px}\n"
        + "h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
        + "border-bottom:1px solid #ddd;padding-bottom:4px}\n"
        + ".sub,.src{color:#555;margin:2px 0}.src{font-size:12px}\n"
        + ".cards{display:flex;flex-wrap:wrap;gap:8px;margin-top:16px}\n"
        + ".card{border:1px solid #ccd;border-radius:6px;padding:8px 12px;min-width:150px}\n"
        + ".card .label{font-size:12px;color:#666}.card .value{font-size:18px;font-weight:bold}\n"
        + ".charts{display:flex;flex-wrap:wrap;gap:16px}\n"
        + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;"
        + "padding:3px 8px;text-align:right}th{background:#f3f3f7}td:first-child,"
        + "th:first-child{text-align:left}\n"
        + ".inputs td,.inputs th{text-align:left}.infeasible{color:#a33;text-align:left}\n"
        + ".note{font-size:12px;color:#555}.notes,.warnings{font-size:13px}\n"
        + "svg text{font-family:'DejaVu Sans',Arial,sans-serif}\n"
        + "</style>\n</head>\n<body>\n<h1>" + esc(title) + "</h1>\n" + body
        + "<p class=\"note\">Generated by costgen (io.costgen.projection); model and sources:"
        + " docs/daily-cost.md.</p>\n</body>\n</html>\n";
  }

  private static void writeText(Path file, String html) {
    Objects.requireNonNull(file, "file");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("report: cannot write " + file, e);
    }
  }

  /** A number for people: grouping, up to 4 significant digits below 1,000. */
  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    if (a >= 1e15 || (a > 0 && a < 1e-4)) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return new BigDecimal(v).round(new MathContext(4, RoundingMode.HALF_UP)).stripTrailingZeros()
        .toPlainString();
  }

  private static String plain(double v) {
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<': sb.append("&lt;"); break;
        case '>': sb.append("&gt;"); break;
        case '&': sb.append("&amp;"); break;
        case '"': sb.append("&quot;"); break;
        case '\'': sb.append("&#39;"); break;
        default: sb.append(c);
      }
    }
    return sb.toString();
  }
}

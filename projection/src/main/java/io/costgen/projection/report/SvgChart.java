package io.costgen.projection.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Inline SVG line charts and a stacked bar for {@link HtmlReport}. Stateless. */
final class SvgChart {

  private static final int W = 540;
  private static final int H = 320;
  private static final int LEFT = 80;
  private static final int RIGHT = 20;
  private static final int TOP = 52;
  private static final int BOTTOM = 62;

  private SvgChart() {}

  /** One line; null values are gaps (infeasible points). */
  record Series(String name, String colour, boolean dashed, List<Double> values) {}

  /** One slice of a stacked bar. */
  record Segment(String label, String colour, double fraction, String amount) {}

  static String line(String id, String title, String xLabel, String yLabel, List<String> labels,
      List<Double> xs, boolean log, boolean categorical, List<Series> series) {
    int n = xs.size();
    double max = 0;
    double min = Double.POSITIVE_INFINITY;
    for (Series s : series) {
      for (Double v : s.values()) {
        if (v != null) {
          max = Math.max(max, v);
          min = Math.min(min, v);
        }
      }
    }
    // log y with a log x when every value is positive and they span more than 10x
    boolean logY = log && min > 0 && max / min > 10;
    double step = niceStep(max <= 0 ? 1 : max / 5);
    double top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
    double yLo = logY ? Math.floor(Math.log10(min)) : 0;
    double yHi = logY ? Math.ceil(Math.log10(max)) : top;
    if (logY && yHi == yLo) {
      yHi = yLo + 1;
    }
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    for (double x : xs) {
      double t = log ? Math.log10(x) : x;
      x0 = Math.min(x0, t);
      x1 = Math.max(x1, t);
    }
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    double[] px = new double[n];
    for (int i = 0; i < n; i++) {
      double t = log ? Math.log10(xs.get(i)) : xs.get(i);
      double f = categorical ? (i + 0.5) / n : x1 > x0 ? (t - x0) / (x1 - x0) : 0.5;
      px[i] = LEFT + (categorical ? f : 0.04 + 0.92 * f) * plotW;
    }
    StringBuilder sb = new StringBuilder();
    sb.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\"")
        .append(" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
        .append("\" role=\"img\" aria-label=\"").append(HtmlReport.esc(title)).append("\">\n")
        .append("<title>").append(HtmlReport.esc(title)).append("</title>\n")
        .append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" fill=\"#fff\" stroke=\"#ddd\"/>\n")
        .append("<text x=\"").append(W / 2).append("\" y=\"22\" text-anchor=\"middle\" ")
        .append("font-size=\"14\" font-weight=\"bold\">").append(HtmlReport.esc(title))
        .append("</text>\n");
    // y grid, ticks and labels
    List<Double> ticks = new ArrayList<>();
    if (logY) {
      for (double e = yLo; e <= yHi + 1e-9; e++) {
        for (double m : new double[] {1, 2, 5}) {
          double v = m * Math.pow(10, e);
          if (Math.log10(v) <= yHi + 1e-9) {
            ticks.add(v);
          }
        }
      }
    } else {
      for (double v = 0; v <= top + step / 2; v += step) {
        ticks.add(v);
      }
    }
    for (double v : ticks) {
      double y = yOf(v, logY, yLo, yHi, plotH);
      sb.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT)
          .append("\" y1=\"").append(f(y)).append("\" y2=\"").append(f(y))
          .append("\" stroke=\"#eee\"/>\n")
          .append("<text class=\"ytick\" x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4))
          .append("\" text-anchor=\"end\" font-size=\"11\">").append(compact(v)).append("</text>\n");
    }
    // axes
    sb.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP)
        .append("\" x2=\"").append(LEFT).append("\" y2=\"").append(f(TOP + plotH))
        .append("\" stroke=\"#333\"/>\n<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"")
        .append(f(TOP + plotH)).append("\" x2=\"").append(W - RIGHT).append("\" y2=\"")
        .append(f(TOP + plotH)).append("\" stroke=\"#333\"/>\n");
    // x ticks at the data points
    int every = Math.max(1, (int) Math.ceil(n / 8.0));
    for (int i = 0; i < n; i++) {
      sb.append("<line x1=\"").append(f(px[i])).append("\" x2=\"").append(f(px[i]))
          .append("\" y1=\"").append(f(TOP + plotH)).append("\" y2=\"").append(f(TOP + plotH + 5))
          .append("\" stroke=\"#333\"/>\n");
      if (i % every == 0 || i == n - 1) {
        sb.append("<text class=\"xtick\" x=\"").append(f(px[i])).append("\" y=\"")
            .append(f(TOP + plotH + 18)).append("\" text-anchor=\"middle\" font-size=\"11\">")
            .append(HtmlReport.esc(labels.get(i))).append("</text>\n");
      }
    }
    // axis titles
    sb.append("<text class=\"xlabel\" x=\"").append(f(LEFT + plotW / 2)).append("\" y=\"")
        .append(H - 14).append("\" text-anchor=\"middle\" font-size=\"12\">")
        .append(HtmlReport.esc(xLabel + (log ? " (log scale)" : ""))).append("</text>\n")
        .append("<text class=\"ylabel\" x=\"16\" y=\"").append(f(TOP + plotH / 2))
        .append("\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 ")
        .append(f(TOP + plotH / 2)).append(")\">").append(HtmlReport.esc(yLabel + (logY ? " (log)" : "")))
        .append("</text>\n");
    // series
    int legendX = LEFT + 10;
    for (Series s : series) {
      List<String> run = new ArrayList<>();
      for (int i = 0; i <= n; i++) {
        Double v = i < n ? s.values().get(i) : null;
        if (v != null) {
          run.add(f(px[i]) + "," + f(yOf(v, logY, yLo, yHi, plotH)));
        } else if (!run.isEmpty()) {
          if (run.size() > 1 && !categorical) { // names (hardware, dtype) have no order to join
            sb.append("<polyline class=\"series\" fill=\"none\" stroke=\"").append(s.colour())
                .append(s.dashed() ? "\" stroke-dasharray=\"7 4" : "")
                .append("\" stroke-width=\"2.5\" points=\"").append(String.join(" ", run))
                .append("\"/>\n");
          }
          run.clear();
        }
      }
      for (int i = 0; i < n; i++) {
        Double v = s.values().get(i);
        if (v == null) {
          sb.append("<text class=\"infeasible\" x=\"").append(f(px[i])).append("\" y=\"")
              .append(f(TOP + plotH - 6)).append("\" text-anchor=\"middle\" font-size=\"10\"")
              .append(" fill=\"#a33\">n/a</text>\n");
          continue;
        }
        sb.append("<circle class=\"point\" cx=\"").append(f(px[i])).append("\" cy=\"")
            .append(f(yOf(v, logY, yLo, yHi, plotH))).append("\" r=\"3.5\" fill=\"")
            .append(s.colour()).append("\"><title>").append(HtmlReport.esc(s.name()))
            .append(" at ").append(HtmlReport.esc(labels.get(i))).append(": ")
            .append(HtmlReport.fmt(v)).append("</title></circle>\n");
      }
      if (series.size() > 1) {
        // legend in one row between the title and the plot, from the right
        sb.append("<line x1=\"").append(legendX).append("\" x2=\"").append(legendX + 22)
            .append("\" y1=\"36\" y2=\"36\" stroke=\"").append(s.colour())
            .append("\" stroke-width=\"2.5\"").append(s.dashed() ? " stroke-dasharray=\"7 4\"" : "")
            .append("/><text x=\"").append(legendX + 27).append("\" y=\"40\" font-size=\"11\">")
            .append(HtmlReport.esc(s.name())).append("</text>\n");
        legendX += 40 + 7 * s.name().length();
      }
    }
    return sb.append("</svg>\n").toString();
  }

  private static double yOf(double v, boolean logY, double yLo, double yHi, double plotH) {
    double f = logY ? (Math.log10(v) - yLo) / (yHi - yLo) : v / yHi;
    return TOP + plotH - f * plotH;
  }

  static String stackedBar(String id, String title, List<Segment> segments) {
    int w = 1000;
    int barH = 56;
    int rows = (int) segments.stream().filter(s -> s.fraction() > 0).count();
    int h = 40 + barH + 16 + Math.max(1, rows) * 20 + 8;
    StringBuilder sb = new StringBuilder();
    sb.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\"")
        .append(" width=\"").append(w).append("\" height=\"").append(h).append("\" viewBox=\"0 0 ")
        .append(w).append(' ').append(h).append("\" role=\"img\" aria-label=\"")
        .append(HtmlReport.esc(title)).append("\">\n<title>").append(HtmlReport.esc(title))
        .append("</title>\n<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">")
        .append(HtmlReport.esc(title)).append("</text>\n");
    double x = 10;
    double usable = w - 20;
    for (Segment s : segments) {
      if (s.fraction() <= 0) {
        continue;
      }
      double sw = s.fraction() * usable;
      sb.append("<rect class=\"segment\" x=\"").append(f(x)).append("\" y=\"34\" width=\"")
          .append(f(sw)).append("\" height=\"").append(barH).append("\" fill=\"").append(s.colour())
          .append("\"><title>").append(HtmlReport.esc(s.label())).append(": ")
          .append(HtmlReport.esc(s.amount())).append("</title></rect>\n");
      if (sw > 70) {
        sb.append("<text x=\"").append(f(x + sw / 2)).append("\" y=\"").append(34 + barH / 2 + 5)
            .append("\" text-anchor=\"middle\" font-size=\"13\" fill=\"#fff\" font-weight=\"bold\">")
            .append(percent(s.fraction())).append("</text>\n");
      }
      x += sw;
    }
    int y = 34 + barH + 24;
    for (Segment s : segments) {
      if (s.fraction() <= 0) {
        continue;
      }
      sb.append("<rect x=\"10\" y=\"").append(y - 10).append("\" width=\"12\" height=\"12\" fill=\"")
          .append(s.colour()).append("\"/><text class=\"legend\" x=\"30\" y=\"").append(y)
          .append("\" font-size=\"12\">").append(HtmlReport.esc(s.label())).append(": ")
          .append(HtmlReport.esc(s.amount())).append(" per day (").append(percent(s.fraction()))
          .append(")</text>\n");
      y += 20;
    }
    return sb.append("</svg>\n").toString();
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  /** 1, 2, 2.5 or 5 × 10^k, at least {@code raw}. */
  static double niceStep(double raw) {
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= raw * (1 - 1e-12)) {
        return m * p;
      }
    }
    return 10 * p;
  }

  /** 1.2M, 350k, 0.25 … for tick labels. */
  static String compact(double v) {
    double a = Math.abs(v);
    if (a >= 1e12) {
      return trim(v / 1e12) + "T";
    }
    if (a >= 1e9) {
      return trim(v / 1e9) + "B";
    }
    if (a >= 1e6) {
      return trim(v / 1e6) + "M";
    }
    if (a >= 1e3) {
      return trim(v / 1e3) + "k";
    }
    return trim(v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}

package io.costgen.bench.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A GitHub-flavoured markdown table with aligned columns (numbers right-aligned). Not
 * thread-safe.
 */
public final class MarkdownTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public MarkdownTable(String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("headers: empty; a table needs at least one column");
    }
    this.headers = List.of(headers);
  }

  /** Adds a row; {@code null} cells print as an en dash. */
  public MarkdownTable row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("row: " + cells.length + " cells, but the table has "
          + headers.size() + " columns");
    }
    List<String> r = new ArrayList<>(cells.length);
    for (Object c : cells) {
      r.add(c == null ? "–" : c.toString().replace("|", "\\|"));
    }
    rows.add(r);
    return this;
  }

  public int rowCount() {
    return rows.size();
  }

  /** The table, one line per row, ending in a newline. */
  public String render() {
    int n = headers.size();
    int[] width = new int[n];
    boolean[] numeric = new boolean[n];
    for (int c = 0; c < n; c++) {
      width[c] = Math.max(3, headers.get(c).length());
      boolean allNumeric = true;
      boolean anyValue = false;
      for (List<String> r : rows) {
        width[c] = Math.max(width[c], r.get(c).length());
        allNumeric &= looksNumeric(r.get(c));
        anyValue |= !r.get(c).equals("–");
      }
      numeric[c] = allNumeric && anyValue;
    }
    StringBuilder sb = new StringBuilder();
    line(sb, headers, width, numeric);
    sb.append('|');
    for (int c = 0; c < n; c++) {
      sb.append(' ').append("-".repeat(width[c] - (numeric[c] ? 1 : 0)))
          .append(numeric[c] ? ":" : "").append(" |");
    }
    sb.append('\n');
    for (List<String> r : rows) {
      line(sb, r, width, numeric);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] width, boolean[] right) {
    sb.append('|');
    for (int c = 0; c < cells.size(); c++) {
      String v = cells.get(c);
      String pad = " ".repeat(width[c] - v.length());
      sb.append(' ').append(right[c] ? pad + v : v + pad).append(" |");
    }
    sb.append('\n');
  }

  static boolean looksNumeric(String s) {
    return s.equals("–") || s.matches("[-+]?[0-9][0-9,.]*\\s*(%|×|x|s|ms|µs|ns|MiB|GiB|GB/s|tok/s)?( ±.*)?");
  }
}

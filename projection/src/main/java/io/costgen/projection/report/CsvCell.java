package io.costgen.projection.report;

/**
 * One CSV cell as RFC 4180 and spreadsheet safety require: a value with a comma, quote or line
 * break is quoted (quotes doubled), and a value a spreadsheet would run as a formula (starting
 * with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return, e.g. a tenant id
 * {@code =HYPERLINK(...)}) is prefixed with a single quote, as OWASP advises for CSV injection.
 * A plain number ({@code -1.5e3}) is left as it is.
 */
final class CsvCell {
  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  private CsvCell() {}

  static String of(String s) {
    String v = s;
    if (!v.isEmpty() && !NUMBER.matcher(v).matches() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    boolean quote = v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
        || !v.equals(s);
    return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
  }
}

package io.costgen.core.chat.internal;

/**
 * jinja2's {@code trim_blocks} and {@code lstrip_blocks}, applied to the template source before
 * Jinjava parses it (Jinjava's own {@code lstripBlocks} also strips whitespace that does not
 * start a line, e.g. the space in {@code ", {% endif %}"}): spaces and tabs from the start of a
 * line up to a block or comment tag are removed, unless it opens with {@code {%+}; the first
 * newline after a block or comment tag is removed, unless it closes with {@code +%}}. Tags and
 * expressions are copied as they are (string literals and nested braces respected);
 * {@code {% raw %}} content is left alone.
 */
final class BlockWhitespace {
  private BlockWhitespace() {}

  static String apply(String src) {
    StringBuilder out = new StringBuilder(src.length());
    int lineStart = 0; // index in out where the current source line's text begins
    boolean blankSoFar = true; // only spaces/tabs of text since the start of the line
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '{' && i + 1 < n && (src.charAt(i + 1) == '%' || src.charAt(i + 1) == '#')) {
        boolean comment = src.charAt(i + 1) == '#';
        int bodyStart = i + 2;
        boolean keepLeft = bodyStart < n && src.charAt(bodyStart) == '+';
        if (blankSoFar && !keepLeft) {
          out.setLength(lineStart);
        }
        int end = comment ? src.indexOf("#}", bodyStart) : tagEnd(src, bodyStart, '%');
        if (end < 0) { // unterminated: leave it to the parser to report
          out.append(src, i, n);
          break;
        }
        String body = src.substring(keepLeft ? bodyStart + 1 : bodyStart, end);
        boolean keepRight = body.endsWith("+");
        if (keepRight) {
          body = body.substring(0, body.length() - 1);
        }
        out.append('{').append(comment ? '#' : '%').append(body).append(comment ? '#' : '%').append('}');
        i = end + 2;
        blankSoFar = false;
        if (!keepRight && i < n && src.charAt(i) == '\n') {
          i++;
          lineStart = out.length();
          blankSoFar = true;
        }
        if (!comment && isRaw(body)) {
          int endRaw = findEndRaw(src, i);
          int copyTo = endRaw < 0 ? n : endRaw;
          copyText(src, i, copyTo, out);
          i = copyTo;
          // line state for the endraw tag: computed from the raw text just copied
          int nl = out.lastIndexOf("\n");
          lineStart = nl + 1;
          blankSoFar = out.substring(Math.max(lineStart, 0)).chars().allMatch(ch -> ch == ' ' || ch == '\t')
              && nl >= 0;
        }
        continue;
      }
      if (c == '{' && i + 1 < n && src.charAt(i + 1) == '{') {
        int end = tagEnd(src, i + 2, '}');
        if (end < 0) {
          out.append(src, i, n);
          break;
        }
        out.append(src, i, end + 2);
        i = end + 2;
        blankSoFar = false;
        continue;
      }
      out.append(c);
      i++;
      if (c == '\n') {
        lineStart = out.length();
        blankSoFar = true;
      } else if (c != ' ' && c != '\t') {
        blankSoFar = false;
      }
    }
    return out.toString();
  }

  private static void copyText(String src, int from, int to, StringBuilder out) {
    out.append(src, from, to);
  }

  private static boolean isRaw(String body) {
    String b = body.strip();
    if (b.startsWith("-")) {
      b = b.substring(1).strip();
    }
    if (b.endsWith("-")) {
      b = b.substring(0, b.length() - 1).strip();
    }
    return b.equals("raw");
  }

  /** Index of the {@code {%} of the {@code endraw} tag at or after {@code from}, or -1. */
  private static int findEndRaw(String src, int from) {
    int k = from;
    while ((k = src.indexOf("{%", k)) >= 0) {
      int j = k + 2;
      while (j < src.length() && (src.charAt(j) == '-' || src.charAt(j) == '+' || Character.isWhitespace(src.charAt(j)))) {
        j++;
      }
      if (src.startsWith("endraw", j)) {
        return k;
      }
      k += 2;
    }
    return -1;
  }

  /**
   * Index of the closing {@code <close>}} of a tag whose body starts at {@code from}, skipping
   * string literals and, for expressions, nested braces; -1 when unterminated.
   */
  private static int tagEnd(String src, int from, char close) {
    int depth = 0;
    char quote = 0;
    for (int k = from; k < src.length(); k++) {
      char c = src.charAt(k);
      if (quote != 0) {
        if (c == '\\') {
          k++;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (close == '}' && c == '{') {
        depth++;
      } else if (c == close && k + 1 < src.length() && src.charAt(k + 1) == '}' && depth == 0) {
        return k;
      } else if (close == '}' && c == '}') {
        depth--;
      }
    }
    return -1;
  }
}

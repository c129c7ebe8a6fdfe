package io.costgen.cost.internal;

/** Checks on caller-supplied names (tenant ids, models, tags, budget ids). Stateless and thread-safe. */
public final class Text {

  private Text() {}

  /**
   * Returns {@code v} if it is well-formed UTF-16: every high surrogate is followed by a low
   * surrogate and every low surrogate preceded by a high one. A lone surrogate has no UTF-8 form,
   * so two ids differing only in one would otherwise share a store key.
   *
   * @throws IllegalArgumentException naming {@code field}, the code unit and its index
   */
  public static String requireWellFormed(String field, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
          i++;
          continue;
        }
        throw malformed(field, c, i);
      }
      if (Character.isLowSurrogate(c)) {
        throw malformed(field, c, i);
      }
    }
    return v;
  }

  private static IllegalArgumentException malformed(String field, char c, int i) {
    return new IllegalArgumentException(String.format(
        "%s: unpaired surrogate U+%04X at index %d is not allowed (the text must be well-formed UTF-16)",
        field, (int) c, i));
  }
}

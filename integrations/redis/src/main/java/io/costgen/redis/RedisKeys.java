package io.costgen.redis;

import io.costgen.cost.budget.BudgetStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * How the store names Redis keys. Every caller-supplied component (budget id, window id, scope
 * key with the tenant id, reservation id, alert name) is percent-encoded so that it contains only
 * {@code A-Z a-z 0-9 . _ ~ -} and {@code %XX}: no {@code :} separator, no glob characters
 * ({@code * ? [ ]}), no hash-tag braces, no whitespace or control characters. Encoding is
 * injective ({@code %} itself is encoded, and a component with an unpaired surrogate, which has
 * no UTF-8 form, is refused), so two different components never share a key.
 *
 * <p>Layout under the prefix {@code P} (series {@code S = budget:window:scope}, bucket
 * {@code B = S:start}): {@code P b:B} bucket hash, {@code P h:B} holds (zset by lease),
 * {@code P i:S} the series' bucket starts (lex zset), {@code P r:<id>} reservation hash,
 * {@code P a:B:<alert>} alert marks, {@code P x:*} sweep indexes. Stateless, thread-safe.
 */
final class RedisKeys {

  /** Width of {@link #start}: 17 digits of shifted epoch seconds and 9 of nanoseconds. */
  static final int START_WIDTH = 26;
  private static final long SECOND_SHIFT = -Instant.MIN.getEpochSecond(); // makes every epoch second >= 0
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private RedisKeys() {}

  /** Percent-encodes UTF-8 bytes outside {@code A-Z a-z 0-9 . _ ~ -}. */
  static String escape(String s) {
    boolean plain = true;
    for (int i = 0; i < s.length() && plain; i++) {
      plain = safe(s.charAt(i));
    }
    if (plain) {
      return s;
    }
    requireWellFormed(s);
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(utf8.length + 16);
    for (byte x : utf8) {
      char c = (char) (x & 0xFF);
      if (c < 0x80 && safe(c)) {
        b.append(c);
      } else {
        b.append('%').append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
      }
    }
    return b.toString();
  }

  /** A lone surrogate has no UTF-8 form (the encoder writes {@code ?}): refuse it rather than collide. */
  private static void requireWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (pair) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(String.format(
            "key component: unpaired surrogate U+%04X at index %d is not allowed (malformed UTF-16)", (int) c, i));
      }
    }
  }

  private static boolean safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '~' || c == '-';
  }

  /** The series suffix {@code budget:window:scope}, each part escaped. */
  static String series(BudgetStore.Key key) {
    return escape(key.budgetId()) + ':' + escape(key.windowId()) + ':' + escape(key.scopeKey());
  }

  /**
   * A fixed-width decimal form of an instant whose lexicographic order is its time order (for
   * {@code ZRANGEBYLEX}): epoch seconds shifted to be non-negative (17 digits), then nanoseconds
   * (9 digits).
   */
  static String start(Instant t) {
    String s = Long.toString(t.getEpochSecond() + SECOND_SHIFT);
    String n = Integer.toString(t.getNano());
    return "0".repeat(17 - s.length()) + s + "0".repeat(9 - n.length()) + n;
  }

  /** Epoch microseconds (floor), clamped to ±(2^53 − 1) so that Lua numbers hold them exactly. */
  static long micros(Instant t) {
    long max = (1L << 53) - 1;
    long sec = t.getEpochSecond();
    if (sec > max / 1_000_000L) {
      return max;
    }
    if (sec < -max / 1_000_000L) {
      return -max;
    }
    return sec * 1_000_000L + t.getNano() / 1_000;
  }
}

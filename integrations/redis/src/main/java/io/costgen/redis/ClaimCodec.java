package io.costgen.redis;

import io.costgen.cost.budget.BudgetStore;
import io.costgen.cost.budget.BudgetUnit;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * A {@link BudgetStore.Claim} as one opaque string kept in the reservation record, so that a
 * settle can hand the claims back to {@code Budgets} (for alerts): eleven fields, each escaped with
 * {@link RedisKeys#escape} and joined by spaces. The scripts never parse it.
 */
final class ClaimCodec {

  private ClaimCodec() {}

  static String encode(BudgetStore.Claim c) {
    BudgetStore.Key k = c.key();
    return String.join(" ",
        RedisKeys.escape(k.budgetId()),
        RedisKeys.escape(k.windowId()),
        RedisKeys.escape(k.scopeKey()),
        k.windowStart().toString(),
        c.unit().name(),
        c.countFrom().toString(),
        c.limit().map(BigDecimal::toPlainString).orElse("-"),
        c.fixed().toPlainString(),
        c.perToken().toPlainString(),
        c.shrinkable() ? "1" : "0",
        c.retainUntil().toString());
  }

  static BudgetStore.Claim decode(String blob) {
    String[] f = blob.split(" ", -1);
    if (f.length != 11) {
      throw new IllegalStateException("corrupt claim record in Redis: '" + blob + "'");
    }
    BudgetStore.Key key = new BudgetStore.Key(unescape(f[0]), unescape(f[1]), unescape(f[2]), Instant.parse(f[3]));
    return new BudgetStore.Claim(key, BudgetUnit.valueOf(f[4]), Instant.parse(f[5]),
        f[6].equals("-") ? Optional.empty() : Optional.of(new BigDecimal(f[6])), new BigDecimal(f[7]),
        new BigDecimal(f[8]), f[9].equals("1"), Instant.parse(f[10]));
  }

  /** Inverse of {@link RedisKeys#escape}. */
  static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}

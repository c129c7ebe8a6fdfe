package io.costgen.cost.meter;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one INFO line per record through SLF4J (logger {@code io.costgen.usage} by default), as
 * {@code key=value} pairs; never the prompt or completion text. Thread-safe.
 */
public final class LoggingMeter implements Meter {

  private final Logger log;

  private LoggingMeter(Logger log) {
    this.log = log;
  }

  /** Logs to {@code io.costgen.usage}. */
  public static LoggingMeter create() {
    return new LoggingMeter(LoggerFactory.getLogger("io.costgen.usage"));
  }

  /** Logs to {@code logger}. */
  public static LoggingMeter to(Logger logger) {
    return new LoggingMeter(Objects.requireNonNull(logger, "logger"));
  }

  @Override
  public void record(UsageRecord r) {
    if (log.isInfoEnabled()) {
      log.info(line(r));
    }
  }

  /** The line logged for {@code r}. */
  static String line(UsageRecord r) {
    StringBuilder b = new StringBuilder(256)
        .append("usage id=").append(r.id())
        .append(" tenant=").append(quote(r.tenantId().orElse("-")))
        .append(" model=").append(quote(r.model()))
        .append(" prompt_tokens=").append(r.promptTokens())
        .append(" completion_tokens=").append(r.completionTokens())
        .append(" flops=").append(r.flops())
        .append(" device_s=").append(r.deviceSeconds())
        .append(" energy_j=").append(r.energyJoules())
        .append(" co2e_g=").append(r.co2eGrams())
        .append(" money=").append(quote(r.money().format()))
        .append(" currency=").append(r.money().currency().getCurrencyCode())
        .append(" finish=").append(r.finishReason())
        .append(" ttft_s=").append(r.timeToFirstToken().map(d -> String.valueOf(d.toNanos() / 1e9)).orElse("unknown"))
        .append(" total_s=").append(r.totalSeconds());
    r.reservationId().ifPresent(v -> b.append(" reservation=").append(v));
    r.error().ifPresent(v -> b.append(" error=").append(quote(v)));
    return b.toString();
  }

  private static String quote(String s) {
    boolean plain = !s.isEmpty();
    for (int i = 0; i < s.length() && plain; i++) {
      char c = s.charAt(i);
      plain = c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f;
    }
    if (plain) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}

package io.costgen.cost;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An explicit exchange rate: one unit of {@code from} is worth {@code rate} units of {@code to}
 * (e.g. {@code ExchangeRate.of("USD", "EUR", "0.92")}). costgen never converts currencies on its
 * own: money budgets in another currency than the prices refuse calls unless such a rate is
 * configured ({@code Budgets.builder().exchangeRate(...)}). Immutable and thread-safe.
 *
 * @param rate units of {@code to} per unit of {@code from}; {@code > 0}, within the {@link Amounts} range
 */
public record ExchangeRate(Currency from, Currency to, BigDecimal rate) {

  public ExchangeRate {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(rate, "rate");
    Amounts.requireInRange("rate", rate);
    if (rate.signum() <= 0) {
      throw new IllegalArgumentException("rate: " + rate.toPlainString() + " must be > 0");
    }
    if (from.equals(to)) {
      throw new IllegalArgumentException("to: " + to + " is the same currency as from");
    }
  }

  /** {@code 1 from = rate to}, from ISO-4217 codes and a decimal string. */
  public static ExchangeRate of(String from, String to, String rate) {
    return new ExchangeRate(currency("from", from), currency("to", to), new BigDecimal(rate));
  }

  /**
   * {@code money} (in {@code from}) in {@code to}, rounded up to {@value Amounts#MAX_SCALE} places
   * when the product has more (a converted hold never undercounts).
   *
   * @throws IllegalArgumentException if {@code money} is not in {@code from}
   */
  public Money convert(Money money) {
    if (!money.currency().equals(from)) {
      throw new IllegalArgumentException("currency: " + money + " is not in " + from + " (rate " + this + ")");
    }
    return new Money(Amounts.roundUp(money.amount().multiply(rate)), to);
  }

  @Override
  public String toString() {
    return "1 " + from.getCurrencyCode() + " = " + rate.stripTrailingZeros().toPlainString() + " "
        + to.getCurrencyCode();
  }

  private static Currency currency(String field, String code) {
    try {
      return Currency.getInstance(Objects.requireNonNull(code, field));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": '" + code + "' is not an ISO-4217 currency code");
    }
  }
}

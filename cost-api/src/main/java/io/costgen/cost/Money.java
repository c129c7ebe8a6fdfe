package io.costgen.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.Locale;
import java.util.Objects;

/**
 * An exact amount of money: a {@link BigDecimal} amount and a {@link Currency}.
 *
 * <p>Addition and subtraction never round: a million additions of {@code 0.000000123} sum to
 * exactly {@code 0.123}, and a tiny cost is never rounded to zero. An amount has at most
 * {@value Amounts#MAX_SCALE} significant decimal places and a magnitude below
 * 10^{@value Amounts#MAX_INTEGER_DIGITS} ({@link Amounts}); the constructor rejects anything else
 * with an {@link IllegalArgumentException} naming {@code amount}. {@link #times} rounds a product
 * with more places half-even to {@value Amounts#MAX_SCALE} places, and {@link #dividedBy(BigDecimal)}
 * rounds to {@link MathContext#DECIMAL128} (34 significant digits) and then the same way. Values
 * of different currencies cannot be combined ({@link IllegalArgumentException}).
 *
 * <p>Immutable and thread-safe.
 */
public record Money(BigDecimal amount, Currency currency) implements Comparable<Money> {

  /** US dollars, the default currency of the built-in prices. */
  public static final Currency USD = Currency.getInstance("USD");

  public Money {
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(currency, "currency");
    Amounts.requireInRange("amount", amount);
  }

  /** {@code amount} USD, parsed exactly from a decimal string such as {@code "0.000000123"}. */
  public static Money usd(String amount) {
    return new Money(new BigDecimal(amount), USD);
  }

  /** {@code amount} USD. */
  public static Money usd(BigDecimal amount) {
    return new Money(amount, USD);
  }

  /** {@code amount} in {@code currency}. */
  public static Money of(BigDecimal amount, Currency currency) {
    return new Money(amount, currency);
  }

  /** Zero in {@code currency}. */
  public static Money zero(Currency currency) {
    return new Money(BigDecimal.ZERO, currency);
  }

  /** Exact sum; {@link IllegalArgumentException} if the currencies differ. */
  public Money plus(Money other) {
    requireSameCurrency(other);
    return new Money(amount.add(other.amount), currency);
  }

  /** Exact difference; {@link IllegalArgumentException} if the currencies differ. */
  public Money minus(Money other) {
    requireSameCurrency(other);
    return new Money(amount.subtract(other.amount), currency);
  }

  /** The product, exact unless it has more than {@value Amounts#MAX_SCALE} places (then rounded half-even). */
  public Money times(BigDecimal factor) {
    return new Money(Amounts.round(amount.multiply(factor), RoundingMode.HALF_EVEN), currency);
  }

  /** Exact product of this amount and a double (taken through its shortest decimal form). */
  public Money times(double factor) {
    return times(BigDecimal.valueOf(factor));
  }

  /** Quotient rounded to {@link MathContext#DECIMAL128}, then half-even to {@value Amounts#MAX_SCALE} places. */
  public Money dividedBy(BigDecimal divisor) {
    return new Money(Amounts.round(amount.divide(divisor, MathContext.DECIMAL128), RoundingMode.HALF_EVEN), currency);
  }

  /** Whether the amount is exactly zero. */
  public boolean isZero() {
    return amount.signum() == 0;
  }

  /** Whether the amount is below zero. */
  public boolean isNegative() {
    return amount.signum() < 0;
  }

  /** The amount as a plain decimal string without exponent, e.g. {@code "0.000000123"}. */
  public String toPlainString() {
    return amount.stripTrailingZeros().toPlainString();
  }

  /** Numeric order; {@link IllegalArgumentException} if the currencies differ. */
  @Override
  public int compareTo(Money other) {
    requireSameCurrency(other);
    return amount.compareTo(other.amount);
  }

  /** Numeric equality ignoring scale ({@code 1.0 USD} equals {@code 1.00 USD}). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Money m && currency.equals(m.currency) && amount.compareTo(m.amount) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(amount.stripTrailingZeros(), currency);
  }

  /**
   * A readable rendering for people (CLI text, reports, logs), never for storage: the
   * locale's currency symbol and grouping, the currency's usual decimals (2 for USD) for amounts
   * of at least one unit ({@code $694,444.44}), and {@value #SIGNIFICANT_DIGITS} significant
   * digits below one unit so tiny costs stay visible ({@code $0.0000319}, not {@code $0.00}).
   * Rounds half-even; the exact value is {@link #toPlainString()} / {@link #amount()}.
   *
   * @param locale the locale whose symbol, separators and symbol position are used
   * @return the formatted amount, e.g. {@code "$0.0000319"} for {@code Locale.US}
   */
  public String format(Locale locale) {
    Objects.requireNonNull(locale, "locale");
    NumberFormat nf = NumberFormat.getCurrencyInstance(locale);
    nf.setCurrency(currency);
    nf.setRoundingMode(RoundingMode.HALF_EVEN);
    int usual = Math.max(0, currency.getDefaultFractionDigits());
    BigDecimal abs = amount.abs();
    int digits = usual;
    if (abs.signum() != 0 && abs.compareTo(BigDecimal.ONE) < 0) {
      // zeros between the point and the first significant digit: 0.0000319 has 4
      int leadingZeros = abs.scale() - abs.precision();
      digits = Math.max(usual, leadingZeros + SIGNIFICANT_DIGITS);
    }
    nf.setMaximumFractionDigits(digits);
    nf.setMinimumFractionDigits(usual);
    return nf.format(amount);
  }

  /** Significant digits {@link #format(Locale)} keeps for amounts below one currency unit. */
  public static final int SIGNIFICANT_DIGITS = 3;

  /** {@link #format(Locale)} in {@link Locale#US}: {@code "$0.0000319"}, {@code "€1,234.50"}. */
  public String format() {
    return format(Locale.US);
  }

  /** The readable form, {@link #format()}; use {@link #toPlainString()} for the exact value. */
  @Override
  public String toString() {
    return format();
  }

  private void requireSameCurrency(Money other) {
    if (!currency.equals(other.currency)) {
      throw new IllegalArgumentException(
          "currency mismatch: " + currency + " vs " + other.currency + " (convert before combining)");
    }
  }
}

package io.costgen.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDate;
import java.util.Currency;
import java.util.Objects;

/**
 * What a remote (API) model charges per one million tokens: uncached input, cached input (prompt
 * cache hits) and output, in {@code currency}, as published by {@code source} on {@code asOf}.
 * Prices change: a price is never shown without its date ({@link #toString()} includes it).
 *
 * <p>{@code cachedInputPerMillion} equals {@code inputPerMillion} when the provider has no
 * cheaper rate for cache hits. Immutable and thread-safe.
 *
 * @param model the provider's model name, e.g. {@code gpt-4o-mini}
 * @param provider who serves it, e.g. {@code openai} (may be empty)
 * @param inputPerMillion price of one million uncached input (prompt) tokens
 * @param cachedInputPerMillion price of one million input tokens served from the provider's prompt cache
 * @param outputPerMillion price of one million output (completion, including reasoning) tokens
 * @param currency currency of the three prices
 * @param asOf the date the prices were published or checked
 * @param source where they come from (a URL or a note)
 */
public record RemoteModelPrice(
    String model,
    String provider,
    BigDecimal inputPerMillion,
    BigDecimal cachedInputPerMillion,
    BigDecimal outputPerMillion,
    Currency currency,
    LocalDate asOf,
    String source) {

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  public RemoteModelPrice {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model: must not be empty");
    }
    Objects.requireNonNull(provider, "provider");
    requirePrice("inputPerMillion", inputPerMillion);
    requirePrice("cachedInputPerMillion", cachedInputPerMillion);
    requirePrice("outputPerMillion", outputPerMillion);
    Objects.requireNonNull(currency, "currency");
    if (asOf == null) {
      throw new IllegalArgumentException("asOf: required (a price without its date is misleading)");
    }
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source: required (where the price was published)");
    }
  }

  /** Exact price of one uncached input token. */
  public BigDecimal inputPerToken() {
    return inputPerMillion.divide(MILLION, MathContext.UNLIMITED);
  }

  /** Exact price of one output token. */
  public BigDecimal outputPerToken() {
    return outputPerMillion.divide(MILLION, MathContext.UNLIMITED);
  }

  /**
   * Exact cost of a call: {@code inputTokens} input tokens of which {@code cachedInputTokens}
   * were prompt-cache hits (a subset, as OpenAI and Anthropic-through-adapters report them),
   * plus {@code outputTokens} output tokens.
   *
   * @throws IllegalArgumentException if a count is negative or {@code cachedInputTokens > inputTokens}
   */
  public Money cost(long inputTokens, long cachedInputTokens, long outputTokens) {
    if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0 || cachedInputTokens > inputTokens) {
      throw new IllegalArgumentException("tokens: input " + inputTokens + ", cached input " + cachedInputTokens
          + ", output " + outputTokens + " must be >= 0 with cached input <= input");
    }
    BigDecimal sum = inputPerMillion.multiply(BigDecimal.valueOf(inputTokens - cachedInputTokens))
        .add(cachedInputPerMillion.multiply(BigDecimal.valueOf(cachedInputTokens)))
        .add(outputPerMillion.multiply(BigDecimal.valueOf(outputTokens)));
    return Money.of(sum.divide(MILLION, MathContext.UNLIMITED), currency);
  }

  /** A copy for another model name (same prices, date and source). */
  public RemoteModelPrice withModel(String newModel) {
    return new RemoteModelPrice(newModel, provider, inputPerMillion, cachedInputPerMillion, outputPerMillion,
        currency, asOf, source);
  }

  /**
   * The pricing line used in {@link CostReport#pricing()}, e.g.
   * {@code remote(gpt-4o-mini: in=0.15/1M, cached-in=0.075/1M, out=0.6/1M USD, as of 2026-06-20)}.
   */
  public String describe() {
    return "remote(" + model + ": in=" + plain(inputPerMillion) + "/1M, cached-in=" + plain(cachedInputPerMillion)
        + "/1M, out=" + plain(outputPerMillion) + "/1M " + currency.getCurrencyCode() + ", as of " + asOf + ")";
  }

  @Override
  public String toString() {
    return describe() + " source: " + source;
  }

  private static String plain(BigDecimal v) {
    return v.stripTrailingZeros().toPlainString();
  }

  private static void requirePrice(String field, BigDecimal v) {
    if (v == null) {
      throw new IllegalArgumentException(field + ": required");
    }
    if (v.signum() < 0) {
      throw new IllegalArgumentException(field + ": " + v.toPlainString() + " must be >= 0");
    }
  }
}

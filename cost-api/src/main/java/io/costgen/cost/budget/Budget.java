package io.costgen.cost.budget;

import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A limit on what calls in a {@link BudgetScope} may spend of one {@link BudgetUnit} per
 * {@link BudgetWindow}.
 *
 * <ul>
 *   <li>{@code limit} is exact and {@code > 0}: money in {@code currency}, tokens (a whole
 *       number), FLOPs or joules.
 *   <li>{@link Enforcement#HARD} rejects a call that does not fit; {@link Enforcement#SOFT} lets
 *       it through and tells the {@link BudgetListener}.
 *   <li>{@link Policy#REJECT} throws {@link BudgetExceededException} when a call's worst case does
 *       not fit; {@link Policy#SHRINK} caps the call's new tokens to what fits (see
 *       {@link Budgets#reserve(io.costgen.cost.CallContext, String, CallEstimate, java.time.Duration)}).
 *   <li>{@code alertThresholds} are fractions of the limit (e.g. 0.5, 0.8, 1.0), each reported to
 *       the listener at most once per window, when settled spend reaches it.
 * </ul>
 *
 * <p>Build with {@link #builder(String)} or parse a spec with {@link #parse(String)}.
 * Immutable and thread-safe.
 */
public record Budget(
    String id,
    BudgetScope scope,
    BudgetUnit unit,
    Optional<Currency> currency,
    BigDecimal limit,
    BudgetWindow window,
    Enforcement enforcement,
    Policy policy,
    List<Double> alertThresholds) {

  /** Longest budget id, in characters. */
  public static final int MAX_ID_LENGTH = 200;

  /** What happens when a call does not fit. */
  public enum Enforcement {
    /** Reject the call (the default). */
    HARD,
    /** Allow the call and report it to {@link BudgetListener#onExceeded}. */
    SOFT
  }

  /** How a hard budget treats a call whose worst case does not fit. */
  public enum Policy {
    /** Throw {@link BudgetExceededException} (the default). */
    REJECT,
    /** Cap the call's new tokens to what the remaining budget affords (reject if below the minimum). */
    SHRINK
  }

  public Budget {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(enforcement, "enforcement");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(alertThresholds, "alertThresholds");
    validateId(id);
    io.costgen.cost.Amounts.requireInRange("limit", limit);
    if (limit.signum() <= 0) {
      throw new IllegalArgumentException("limit: " + limit.toPlainString() + " must be > 0");
    }
    if (unit == BudgetUnit.TOKENS && limit.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException(
          "limit: " + limit.toPlainString() + " tokens must be a whole number");
    }
    if (unit == BudgetUnit.MONEY && currency.isEmpty()) {
      throw new IllegalArgumentException("currency: required for a MONEY budget");
    }
    if (unit != BudgetUnit.MONEY && currency.isPresent()) {
      throw new IllegalStateException("currency " + currency.get() + " set on a " + unit + " budget");
    }
    if (enforcement == Enforcement.SOFT && policy == Policy.SHRINK) {
      throw new IllegalStateException("policy SHRINK conflicts with enforcement SOFT (soft budgets never cut calls)");
    }
    List<Double> t = new ArrayList<>(alertThresholds);
    for (Double f : t) {
      if (f == null || !(f > 0 && f <= 10)) {
        throw new IllegalArgumentException("alertThresholds: " + f + " must be in (0, 10] (a fraction of the limit)");
      }
    }
    alertThresholds = t.stream().distinct().sorted().toList();
  }

  /** A builder for budget {@code id} (1–{@value #MAX_ID_LENGTH} characters, no control characters). */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /**
   * Parses a budget spec. Grammar (whitespace around parts is ignored):
   *
   * <pre>
   * spec    = unit ":" limit "/" window [ "@" zone ] *( "," option )
   * unit    = "money" | "tokens" | "flops" | "energy"          (energy in joules)
   * limit   = decimal &gt; 0, e.g. 0.05, 100000, 2.5e15          (tokens: a whole number)
   * window  = "call" | [ "rolling:" ] N ( "s" | "m" | "h" | "d" )
   *         | "hour" | "day" | "week" | "month"                   (weeks start on Monday)
   * zone    = a java.time zone id, e.g. UTC, Europe/Berlin, +02:00 (calendar windows; default UTC)
   * option  = "hard" | "soft" | "reject" | "shrink"
   *         | "currency=" ISO-4217 code                           (money only; default USD)
   *         | "alerts=" fraction *( ":" fraction )               (e.g. alerts=0.5:0.8:1)
   *         | "scope=" ( "global" | "tenant" [ ":" id ] [ "+model" [ ":" name ] ] | "tag:" key [ "=" value ] )
   *         | "id=" budget-id
   * </pre>
   *
   * <p>Examples: {@code money:0.05/day}, {@code tokens:100000/rolling:10m},
   * {@code money:20/month@Europe/Berlin,soft,alerts=0.5:0.8}, {@code flops:1e15/call}. The
   * default scope is each tenant; the default id is {@code unit/window-id/scope}.
   *
   * @throws IllegalArgumentException naming the spec, the bad part and the allowed forms
   */
  public static Budget parse(String spec) {
    return BudgetSpecParser.parse(spec);
  }

  /** The canonical spec ({@link #parse(String)} of it gives an equal budget). */
  public String toSpec() {
    StringBuilder b = new StringBuilder()
        .append(unit.specName()).append(':').append(limit.stripTrailingZeros().toPlainString())
        .append('/').append(window.spec());
    if (enforcement == Enforcement.SOFT) {
      b.append(",soft");
    }
    if (policy == Policy.SHRINK) {
      b.append(",shrink");
    }
    currency.filter(c -> !c.equals(Money.USD)).ifPresent(c -> b.append(",currency=").append(c.getCurrencyCode()));
    if (!alertThresholds.isEmpty()) {
      b.append(",alerts=");
      for (int i = 0; i < alertThresholds.size(); i++) {
        b.append(i == 0 ? "" : ":").append(BigDecimal.valueOf(alertThresholds.get(i)).stripTrailingZeros().toPlainString());
      }
    }
    if (!scope.equals(BudgetScope.eachTenant())) {
      b.append(",scope=").append(scope.spec());
    }
    if (!id.equals(defaultId(unit, window, scope))) {
      b.append(",id=").append(id);
    }
    return b.toString();
  }

  /** The limit as money; only for {@link BudgetUnit#MONEY} budgets. */
  public Money limitMoney() {
    if (unit != BudgetUnit.MONEY) {
      throw new IllegalStateException("budget '" + id + "' limits " + unit + ", not money");
    }
    return Money.of(limit, currency.get());
  }

  /** A copy with another limit (same id, so spend already counted this window carries over). */
  public Budget withLimit(BigDecimal newLimit) {
    return new Budget(id, scope, unit, currency, newLimit, window, enforcement, policy, alertThresholds);
  }

  /** Human-readable unit, e.g. {@code USD}, {@code tokens}, {@code FLOPs}, {@code J}. */
  String unitLabel() {
    return switch (unit) {
      case MONEY -> currency.get().getCurrencyCode();
      case TOKENS -> "tokens";
      case FLOPS -> "FLOPs";
      case ENERGY_JOULES -> "J";
    };
  }

  static String defaultId(BudgetUnit unit, BudgetWindow window, BudgetScope scope) {
    return unit.specName() + "/" + window.id() + "/" + scope.spec();
  }

  static void validateId(String id) {
    io.costgen.cost.internal.Text.requireWellFormed("id", id);
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException(
          "id: '" + id + "' must be 1.." + MAX_ID_LENGTH + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw new IllegalArgumentException(String.format(
            "id: control character U+%04X at index %d is not allowed", (int) id.charAt(i), i));
      }
    }
  }

  /** Builder for {@link Budget}. Defaults: each tenant, calendar day in UTC, hard, reject, no alerts. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private BudgetScope scope = BudgetScope.eachTenant();
    private BudgetUnit unit;
    private Currency currency;
    private BigDecimal limit;
    private BudgetWindow window = BudgetWindow.daily(java.time.ZoneOffset.UTC);
    private Enforcement enforcement = Enforcement.HARD;
    private Policy policy = Policy.REJECT;
    private List<Double> thresholds = List.of();

    private Builder(String id) {
      this.id = Objects.requireNonNull(id, "id");
    }

    public Builder scope(BudgetScope v) { this.scope = v; return this; }

    /** A money limit (unit MONEY, its currency). */
    public Builder money(Money v) {
      this.unit = BudgetUnit.MONEY;
      this.currency = v.currency();
      this.limit = v.amount();
      return this;
    }

    /** A limit in {@code unit}; MONEY budgets given this way are in USD unless {@link #currency} is set. */
    public Builder limit(BudgetUnit unit, BigDecimal limit) {
      this.unit = unit;
      this.limit = limit;
      return this;
    }

    /** A limit in {@code unit}, e.g. {@code limit(TOKENS, 100_000)}. */
    public Builder limit(BudgetUnit unit, long limit) {
      return limit(unit, BigDecimal.valueOf(limit));
    }

    public Builder currency(Currency v) { this.currency = v; return this; }
    public Builder window(BudgetWindow v) { this.window = v; return this; }

    /** Calendar day in {@code zone}. */
    public Builder daily(ZoneId zone) { this.window = BudgetWindow.daily(zone); return this; }

    public Builder enforcement(Enforcement v) { this.enforcement = v; return this; }
    public Builder soft() { this.enforcement = Enforcement.SOFT; return this; }
    public Builder policy(Policy v) { this.policy = v; return this; }

    /** Alert thresholds as fractions of the limit, each in (0, 10]. */
    public Builder alertAt(double... fractions) {
      List<Double> l = new ArrayList<>();
      for (double f : fractions) {
        l.add(f);
      }
      this.thresholds = l;
      return this;
    }

    public Budget build() {
      if (unit == null || limit == null) {
        throw new IllegalArgumentException("limit: not set (call money(...) or limit(unit, amount))");
      }
      Currency c = currency;
      if (unit == BudgetUnit.MONEY && c == null) {
        c = Money.USD;
      }
      return new Budget(id, scope, unit, Optional.ofNullable(c), limit, window, enforcement, policy, thresholds);
    }
  }
}

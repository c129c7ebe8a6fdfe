package io.costgen.cost.meter;

import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.budget.BudgetExceededException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One call as the ledger keeps it: who (tenant, tags, request id), what model, when (start and
 * end instants), what it used (prompt/completion tokens, FLOPs, device-seconds, joules, grams
 * CO2e, money), how it ended ({@code finishReason} wire name such as {@code eos}, {@code length},
 * or {@link #BUDGET_REJECTED}; {@code error} when it failed), latency ({@code timeToFirstToken},
 * empty when unknown; {@code totalSeconds}) and the budget reservation it settled.
 *
 * <p>The prompt and completion text are never recorded unless the host explicitly sets
 * {@code promptText} / {@code completionText} (and a {@link JsonLinesLedger} also keeps them
 * only when built with {@code includeText(true)}).
 *
 * <p><b>Budget rejections</b> are recorded as records with finish reason
 * {@value #BUDGET_REJECTED}, zero usage and {@code error} = {@code "budget_exceeded: <budget id>"}
 * ({@link #budgetRejected}); reports count them separately from calls.
 *
 * <p><b>Overruns</b>: {@code overrun} is true when the call's measured usage passed everything
 * its hard budgets held for it (a forward pass took longer than its bound, e.g. a stalled
 * machine); the full usage is recorded all the same (see {@code docs/budgets.md}).
 *
 * <p>Immutable and thread-safe.
 */
public record UsageRecord(
    String id,
    Instant start,
    Instant end,
    Optional<String> tenantId,
    String requestId,
    String model,
    Map<String, String> tags,
    long promptTokens,
    long completionTokens,
    double flops,
    double deviceSeconds,
    double energyJoules,
    double co2eGrams,
    Money money,
    String finishReason,
    Optional<Duration> timeToFirstToken,
    double totalSeconds,
    Optional<String> error,
    Optional<String> reservationId,
    Optional<String> promptText,
    Optional<String> completionText,
    boolean overrun) {

  /** Finish reason of a call refused by a budget before it started. */
  public static final String BUDGET_REJECTED = "budget_rejected";

  public UsageRecord {
    requireText("id", id);
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("end: " + end + " is before start " + start);
    }
    Objects.requireNonNull(tenantId, "tenantId");
    tenantId.ifPresent(CallContext::validateTenantId);
    requireText("requestId", requestId);
    requireText("model", model);
    tags = Map.copyOf(tags);
    requireNonNegative("promptTokens", promptTokens);
    requireNonNegative("completionTokens", completionTokens);
    requireNonNegative("flops", flops);
    requireNonNegative("deviceSeconds", deviceSeconds);
    requireNonNegative("energyJoules", energyJoules);
    requireNonNegative("co2eGrams", co2eGrams);
    Objects.requireNonNull(money, "money");
    if (money.isNegative()) {
      throw new IllegalArgumentException("money: " + money + " must be >= 0");
    }
    requireText("finishReason", finishReason);
    Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
    timeToFirstToken.ifPresent(d -> {
      if (d.isNegative()) {
        throw new IllegalArgumentException("timeToFirstToken: " + d + " must be >= 0 (empty when unknown)");
      }
    });
    requireNonNegative("totalSeconds", totalSeconds);
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(reservationId, "reservationId");
    Objects.requireNonNull(promptText, "promptText");
    Objects.requireNonNull(completionText, "completionText");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder filled from a priced call: tenant, request id and tags from {@code ctx}; model,
   * tokens, FLOPs, time to first token and total seconds (wall) from {@code report.usage()};
   * device-seconds, energy, CO2e and money from {@code report}; a random UUID id.
   */
  public static Builder from(CallContext ctx, CostReport report, String finishReason, Instant start, Instant end) {
    return new Builder()
        .tenantId(ctx.tenantId().orElse(null))
        .requestId(ctx.requestId())
        .tags(ctx.tags())
        .model(report.usage().modelName())
        .promptTokens(report.usage().promptTokens())
        .completionTokens(report.usage().completionTokens())
        .flops(report.usage().totalFlops())
        .deviceSeconds(report.deviceSeconds())
        .energyJoules(report.energyJoules())
        .co2eGrams(report.co2eGrams())
        .money(report.money())
        .timeToFirstToken(report.usage().timeToFirstToken().orElse(null))
        .totalSeconds(report.usage().wallSeconds())
        .finishReason(finishReason)
        .start(start)
        .end(end);
  }

  /** The record of a call a budget refused (see the class comment); money is zero in {@code currency}'s money. */
  public static UsageRecord budgetRejected(CallContext ctx, String model, BudgetExceededException rejection,
      Instant at, java.util.Currency currency) {
    return new Builder()
        .tenantId(ctx.tenantId().orElse(null))
        .requestId(ctx.requestId())
        .tags(ctx.tags())
        .model(model)
        .money(Money.zero(currency))
        .finishReason(BUDGET_REJECTED)
        .error("budget_exceeded: " + rejection.budgetId())
        .start(at)
        .end(at)
        .build();
  }

  /**
   * A random (version 4) UUID string from {@link java.util.concurrent.ThreadLocalRandom}: unique
   * for ledger purposes and, unlike {@link UUID#randomUUID()}, free of a shared lock.
   */
  public static String newId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  /** Whether this records a budget rejection. */
  public boolean isBudgetRejection() {
    return BUDGET_REJECTED.equals(finishReason);
  }

  /** A copy without prompt and completion text. */
  public UsageRecord withoutText() {
    if (promptText.isEmpty() && completionText.isEmpty()) {
      return this;
    }
    return new UsageRecord(id, start, end, tenantId, requestId, model, tags, promptTokens, completionTokens,
        flops, deviceSeconds, energyJoules, co2eGrams, money, finishReason, timeToFirstToken, totalSeconds, error,
        reservationId, Optional.empty(), Optional.empty(), overrun);
  }

  private static void requireText(String field, String v) {
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException(field + ": must not be empty");
    }
  }

  private static void requireNonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value >= 0");
    }
  }

  /** Builder for {@link UsageRecord}; numbers default to zero, time to first token to unknown, id to a random UUID. Not thread-safe. */
  public static final class Builder {
    private String id;
    private Instant start;
    private Instant end;
    private String tenantId;
    private String requestId;
    private String model;
    private Map<String, String> tags = Map.of();
    private long promptTokens;
    private long completionTokens;
    private double flops;
    private double deviceSeconds;
    private double energyJoules;
    private double co2eGrams;
    private Money money = Money.zero(Money.USD);
    private String finishReason;
    private Duration timeToFirstToken;
    private double totalSeconds;
    private String error;
    private String reservationId;
    private String promptText;
    private String completionText;
    private boolean overrun;

    private Builder() {}

    public Builder id(String v) { this.id = v; return this; }
    public Builder start(Instant v) { this.start = v; return this; }
    public Builder end(Instant v) { this.end = v; return this; }
    /** The tenant, or null for an anonymous call. */
    public Builder tenantId(String v) { this.tenantId = v; return this; }
    public Builder requestId(String v) { this.requestId = v; return this; }
    public Builder model(String v) { this.model = v; return this; }
    public Builder tags(Map<String, String> v) { this.tags = v; return this; }
    public Builder promptTokens(long v) { this.promptTokens = v; return this; }
    public Builder completionTokens(long v) { this.completionTokens = v; return this; }
    public Builder flops(double v) { this.flops = v; return this; }
    public Builder deviceSeconds(double v) { this.deviceSeconds = v; return this; }
    public Builder energyJoules(double v) { this.energyJoules = v; return this; }
    public Builder co2eGrams(double v) { this.co2eGrams = v; return this; }
    public Builder money(Money v) { this.money = v; return this; }
    public Builder finishReason(String v) { this.finishReason = v; return this; }
    /** Time to the first token; null (the default) when unknown. */
    public Builder timeToFirstToken(Duration v) { this.timeToFirstToken = v; return this; }
    public Builder totalSeconds(double v) { this.totalSeconds = v; return this; }
    /** What failed, e.g. {@code "BackendException: out of memory"}; null when the call succeeded. */
    public Builder error(String v) { this.error = v; return this; }
    public Builder reservationId(String v) { this.reservationId = v; return this; }
    /** Opt-in only: the prompt text. */
    public Builder promptText(String v) { this.promptText = v; return this; }
    /** Opt-in only: the completion text. */
    public Builder completionText(String v) { this.completionText = v; return this; }
    /** Whether the call's usage passed what its hard budgets held for it (an overrun). */
    public Builder overrun(boolean v) { this.overrun = v; return this; }

    public UsageRecord build() {
      String rid = requestId != null ? requestId : (id != null ? id : null);
      String theId = id != null ? id : newId();
      return new UsageRecord(theId, start, end, Optional.ofNullable(tenantId), rid != null ? rid : theId,
          model, tags, promptTokens, completionTokens, flops, deviceSeconds, energyJoules, co2eGrams, money,
          finishReason, Optional.ofNullable(timeToFirstToken), totalSeconds, Optional.ofNullable(error), Optional.ofNullable(reservationId),
          Optional.ofNullable(promptText), Optional.ofNullable(completionText), overrun);
    }
  }
}

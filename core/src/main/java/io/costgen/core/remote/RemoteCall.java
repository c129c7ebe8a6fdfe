package io.costgen.core.remote;

import io.costgen.core.CostListener;
import io.costgen.core.FinishReason;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationResult;
import io.costgen.core.GenerationTimings;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.RemoteModelPrice;
import io.costgen.cost.Usage;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.meter.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One remote call admitted by {@link RemoteCallGuard#begin}: send the request with
 * {@link #grantedOutputTokens()} as its output-token limit, then end it with exactly one of
 * {@link #complete}, {@link #fail} or {@link #cancel}. Ending settles the reservation with what
 * the provider reported, records one {@link UsageRecord} (model = the provider's model name) and
 * tells the listeners ({@code onComplete} / {@code onError} / {@code onCancel}).
 *
 * <p>Ending is idempotent: only the first end counts, later ones return its report and do
 * nothing. Thread-safe (a stream may be cancelled from another thread while it completes).
 */
public final class RemoteCall {

  private final RemoteCallGuard guard;
  private final CallContext context;
  private final String model;
  private final RemoteModelPrice price;
  private final long inputTokens;
  private final long maxOutputTokens;
  private final long grantedOutputTokens;
  private final Reservation reservation; // null without applicable budgets
  private final Instant start;
  private final long startNanos;
  private volatile long firstTokenNanos = -1;
  private CostReport ended; // guarded by this

  RemoteCall(RemoteCallGuard guard, CallContext context, String model, RemoteModelPrice price, long inputTokens,
      long maxOutputTokens, long grantedOutputTokens, Reservation reservation, Instant start, long startNanos) {
    this.guard = guard;
    this.context = context;
    this.model = model;
    this.price = price;
    this.inputTokens = inputTokens;
    this.maxOutputTokens = maxOutputTokens;
    this.grantedOutputTokens = grantedOutputTokens;
    this.reservation = reservation;
    this.start = start;
    this.startNanos = startNanos;
  }

  /** Who the call is for. */
  public CallContext context() {
    return context;
  }

  /** The model asked for. */
  public String model() {
    return model;
  }

  /** The price applied (of the model asked for). */
  public RemoteModelPrice price() {
    return price;
  }

  /** The input-token estimate reserved for. */
  public long estimatedInputTokens() {
    return inputTokens;
  }

  /** The output-token limit the caller asked for. */
  public long requestedOutputTokens() {
    return maxOutputTokens;
  }

  /**
   * The output-token limit to send to the provider: {@code maxOutputTokens}, or fewer when a
   * {@code SHRINK} budget lowered it.
   */
  public long grantedOutputTokens() {
    return grantedOutputTokens;
  }

  /** The budget reservation, when a budget applies. */
  public Optional<Reservation> reservation() {
    return Optional.ofNullable(reservation);
  }

  /** The worst case held: estimated input plus {@link #grantedOutputTokens()} output, priced. */
  public CostReport worstCase() {
    return report(RemoteUsage.of(inputTokens, grantedOutputTokens), 0);
  }

  /** Marks the arrival of the first streamed token (for time-to-first-token); later calls are ignored. */
  public void firstToken() {
    if (firstTokenNanos < 0) {
      firstTokenNanos = guard.ticker().read();
    }
  }

  /**
   * The provider answered. Settles {@code usage} (priced at the provider's model's price when the
   * catalogue has it, else the requested model's).
   *
   * @param text the answer's text, handed to listeners (never recorded in the meter)
   */
  public synchronized CostReport complete(RemoteUsage usage, FinishReason finishReason, String text) {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(finishReason, "finishReason");
    if (ended != null) {
      return ended;
    }
    double seconds = elapsedSeconds();
    CostReport report = report(usage, seconds);
    end(report, finishReason.wireName(), null);
    GenerationResult result = result(report, text == null ? "" : text, finishReason, seconds);
    for (CostListener l : guard.listeners()) {
      RemoteCallGuard.guard(l, context, () -> l.onComplete(context, result));
    }
    return ended;
  }

  /**
   * The call failed. Settles what the provider reported ({@code reported}), or the input
   * estimate with no output when it reported nothing ({@code null}).
   */
  public synchronized CostReport fail(Throwable error, RemoteUsage reported) {
    Objects.requireNonNull(error, "error");
    if (ended != null) {
      return ended;
    }
    CostReport report = report(reported != null ? reported : RemoteUsage.of(inputTokens, 0), elapsedSeconds());
    end(report, FinishReason.ERROR.wireName(), error);
    for (CostListener l : guard.listeners()) {
      RemoteCallGuard.guard(l, context, () -> l.onError(context, error, report));
    }
    return ended;
  }

  /**
   * The caller cancelled. Settles what the provider reported, or else the input estimate plus
   * the tokens of {@code partialText} (counted by the guard's {@link TokenCounter}, at most
   * {@link #grantedOutputTokens()}): a provider bills what it generated before the cancel.
   */
  public synchronized CostReport cancel(RemoteUsage reported, String partialText) {
    if (ended != null) {
      return ended;
    }
    String text = partialText == null ? "" : partialText;
    RemoteUsage usage = reported != null ? reported
        : RemoteUsage.of(inputTokens, Math.min(grantedOutputTokens, guard.tokenCounter().count(text)));
    double seconds = elapsedSeconds();
    CostReport report = report(usage, seconds);
    end(report, FinishReason.CANCELLED.wireName(), null);
    GenerationResult result = result(report, text, FinishReason.CANCELLED, seconds);
    for (CostListener l : guard.listeners()) {
      RemoteCallGuard.guard(l, context, () -> l.onCancel(context, result));
    }
    return ended;
  }

  /** The report of the end, if the call has ended. */
  public synchronized Optional<CostReport> endReport() {
    return Optional.ofNullable(ended);
  }

  // ---------------------------------------------------------------- internals

  private void end(CostReport report, String finishReason, Throwable error) {
    ended = report;
    if (reservation != null) {
      guard.settle(reservation, context,
          RemoteCallGuard.amounts(report.money().amount(), report.usage().totalTokens()));
    }
    Instant now = guard.clock().instant();
    UsageRecord.Builder b = UsageRecord.from(context, report, finishReason, start, now.isBefore(start) ? start : now);
    if (reservation != null) {
      b.reservationId(reservation.id());
    }
    if (error != null) {
      b.error(error.getClass().getSimpleName() + ": " + error.getMessage());
    }
    guard.record(b.build());
  }

  private CostReport report(RemoteUsage usage, double seconds) {
    String providerModel = usage.model().orElse(model);
    RemoteModelPrice p = guard.prices().find(providerModel).orElse(price);
    Money cost = p.cost(usage.inputTokens(), usage.cachedInputTokens(), usage.outputTokens());
    Duration ttft = firstTokenNanos < 0 ? null : Duration.ofNanos(Math.max(0, firstTokenNanos - startNanos));
    Usage u = Usage.builder()
        .modelName(providerModel)
        .promptTokens(usage.inputTokens())
        .completionTokens(usage.outputTokens())
        .sequences(1)
        .decodeSteps(usage.outputTokens())
        .wallSeconds(seconds)
        .timeToFirstToken(ttft)
        .build();
    return new CostReport(u, 0, 0, 0, cost, p.describe());
  }

  private double elapsedSeconds() {
    return Math.max(0, (guard.ticker().read() - startNanos) / 1e9);
  }

  private static GenerationResult result(CostReport report, String text, FinishReason reason, double seconds) {
    GeneratedSequence seq = new GeneratedSequence(0, 0, new long[0], 0, text, text, reason, OptionalDouble.empty());
    Usage u = report.usage();
    Duration total = Duration.ofNanos((long) (seconds * 1e9));
    Duration ttft = u.timeToFirstToken().orElse(Duration.ZERO);
    Duration perToken = u.completionTokens() == 0 ? Duration.ZERO : total.dividedBy(u.completionTokens());
    return new GenerationResult(List.of(seq), u, report, new GenerationTimings(ttft, total, perToken),
        OptionalLong.empty());
  }
}

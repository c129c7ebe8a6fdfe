package io.costgen.cost.budget;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;
import java.util.Optional;

/**
 * The period a {@link Budget}'s limit applies to.
 *
 * <ul>
 *   <li>{@link #perCall()}: each call alone must fit the limit; nothing accumulates.
 *   <li>{@link #rolling(Duration)}: the last N seconds (whole seconds, 1 s to 366 days). Spend is
 *       counted in buckets of {@code max(1 s, floor(N/60))} aligned to the Unix epoch: a spend
 *       counts from its reservation for at least N and less than N + 2 buckets, never less than
 *       N, so the limit holds over every N-long interval.
 *   <li>{@link #calendar(Period, ZoneId)}: calendar hour, day, week (weeks start on
 *       <b>Monday</b>, ISO-8601) or month in a zone. The window resets exactly at the local
 *       boundary (00:00 local, the 1st of the month), computed with the zone's rules: a day is 23
 *       or 25 hours long across a DST change, a month has its true length (28–31 days).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class BudgetWindow {

  /** The kind of window. */
  public enum Period { CALL, ROLLING, HOUR, DAY, WEEK, MONTH }

  /** Longest rolling window. */
  public static final Duration MAX_ROLLING = Duration.ofDays(366);

  private static final BudgetWindow PER_CALL = new BudgetWindow(Period.CALL, null, null);

  private final Period period;
  private final Duration length; // ROLLING only
  private final ZoneId zone; // calendar only
  private final long bucketSeconds; // ROLLING only
  private final long bucketsBack; // ROLLING only: k = ceil(N / bucket)
  private final String id;
  /** The last calendar window computed (a pure cache: zone rules are costly to apply per call). */
  private volatile Span lastSpan;

  private record Span(Instant start, Instant end) {
    boolean contains(Instant t) {
      return !t.isBefore(start) && t.isBefore(end);
    }
  }

  private BudgetWindow(Period period, Duration length, ZoneId zone) {
    this.period = period;
    this.length = length;
    this.zone = zone;
    if (period == Period.ROLLING) {
      long n = length.getSeconds();
      this.bucketSeconds = Math.max(1, n / 60);
      this.bucketsBack = (n + bucketSeconds - 1) / bucketSeconds;
    } else {
      this.bucketSeconds = 0;
      this.bucketsBack = 0;
    }
    this.id = switch (period) {
      case CALL -> "call";
      case ROLLING -> "rolling:" + length.getSeconds() + "s";
      default -> period.name().toLowerCase(java.util.Locale.ROOT) + "@" + zone.normalized().getId();
    };
  }

  /** Each call is checked alone against the limit. */
  public static BudgetWindow perCall() {
    return PER_CALL;
  }

  /**
   * The last {@code length} (whole seconds, 1 s to 366 days).
   *
   * @throws IllegalArgumentException naming {@code window} when out of range or fractional
   */
  public static BudgetWindow rolling(Duration length) {
    Objects.requireNonNull(length, "length");
    if (length.getNano() != 0 || length.getSeconds() < 1 || length.compareTo(MAX_ROLLING) > 0) {
      throw new IllegalArgumentException("window: rolling length " + length
          + " must be whole seconds between 1 s and " + MAX_ROLLING.toDays() + " days");
    }
    return new BudgetWindow(Period.ROLLING, length, null);
  }

  /**
   * A calendar window ({@code HOUR}, {@code DAY}, {@code WEEK} from Monday, {@code MONTH}) in
   * {@code zone}.
   */
  public static BudgetWindow calendar(Period period, ZoneId zone) {
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(zone, "zone");
    if (period == Period.CALL || period == Period.ROLLING) {
      throw new IllegalArgumentException(
          "window: period " + period + " is not a calendar period (HOUR, DAY, WEEK, MONTH)");
    }
    return new BudgetWindow(period, null, zone);
  }

  /** Calendar day in {@code zone}. */
  public static BudgetWindow daily(ZoneId zone) {
    return calendar(Period.DAY, zone);
  }

  /** Calendar month in {@code zone}. */
  public static BudgetWindow monthly(ZoneId zone) {
    return calendar(Period.MONTH, zone);
  }

  public Period period() {
    return period;
  }

  /** The rolling length; empty unless {@link Period#ROLLING}. */
  public Optional<Duration> length() {
    return Optional.ofNullable(length);
  }

  /** The calendar zone; empty unless a calendar period. */
  public Optional<ZoneId> zone() {
    return Optional.ofNullable(zone);
  }

  /** Whether spend accumulates across calls (false only for {@link #perCall()}). */
  public boolean accumulates() {
    return period != Period.CALL;
  }

  /**
   * Start of the window containing {@code now}: the calendar boundary, or for a rolling window
   * the start of the oldest bucket still counted. Empty for per-call windows.
   */
  public Optional<Instant> windowStart(Instant now) {
    return period == Period.CALL ? Optional.empty() : Optional.of(countFrom(now));
  }

  /**
   * When the counter next drops: the next calendar boundary, or for a rolling window the next
   * bucket boundary (when the oldest bucket leaves). Empty for per-call windows.
   */
  public Optional<Instant> nextReset(Instant now) {
    return switch (period) {
      case CALL -> Optional.empty();
      case ROLLING -> Optional.of(bucketStart(now).plusSeconds(bucketSeconds));
      default -> Optional.of(calendarEnd(now));
    };
  }

  /** The bucket a reservation made at {@code now} is stored in (the calendar window start). */
  Instant bucketStart(Instant now) {
    return switch (period) {
      case CALL -> Instant.EPOCH;
      case ROLLING -> Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), bucketSeconds) * bucketSeconds);
      default -> calendarStart(now);
    };
  }

  /** Buckets starting at or after this instant are counted at {@code now}. */
  Instant countFrom(Instant now) {
    return period == Period.ROLLING
        ? bucketStart(now).minusSeconds(bucketsBack * bucketSeconds)
        : bucketStart(now);
  }

  /** Until when a bucket written at {@code now} can still be counted. */
  Instant bucketRetainUntil(Instant now) {
    return switch (period) {
      case CALL -> now;
      case ROLLING -> bucketStart(now).plusSeconds((bucketsBack + 1) * bucketSeconds);
      default -> calendarEnd(now);
    };
  }

  /** Start of the period in which each alert threshold fires at most once. */
  Instant alertPeriodStart(Instant now) {
    if (period == Period.ROLLING) {
      long n = length.getSeconds();
      return Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), n) * n);
    }
    return bucketStart(now);
  }

  private Instant calendarStart(Instant now) {
    return span(now).start();
  }

  private Instant calendarEnd(Instant now) {
    return span(now).end();
  }

  private Span span(Instant now) {
    Span s = lastSpan;
    if (s == null || !s.contains(now)) {
      s = new Span(computeStart(now), computeEnd(now));
      lastSpan = s;
    }
    return s;
  }

  private Instant computeStart(Instant now) {
    ZonedDateTime z = now.atZone(zone);
    LocalDate d = z.toLocalDate();
    return switch (period) {
      case HOUR -> z.truncatedTo(ChronoUnit.HOURS).toInstant();
      case DAY -> d.atStartOfDay(zone).toInstant();
      case WEEK -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(zone).toInstant();
      case MONTH -> d.withDayOfMonth(1).atStartOfDay(zone).toInstant();
      default -> throw new AssertionError(period);
    };
  }

  private Instant computeEnd(Instant now) {
    ZonedDateTime z = now.atZone(zone);
    LocalDate d = z.toLocalDate();
    return switch (period) {
      case HOUR -> {
        Instant start = z.truncatedTo(ChronoUnit.HOURS).toInstant();
        Instant end = start.plus(Duration.ofHours(1));
        // The next hour starts where local time reaches the next whole hour.
        Instant next = end.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant();
        yield next.isAfter(now) ? next : end;
      }
      case DAY -> d.plusDays(1).atStartOfDay(zone).toInstant();
      case WEEK -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).plusWeeks(1)
          .atStartOfDay(zone).toInstant();
      case MONTH -> d.withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant();
      default -> throw new AssertionError(period);
    };
  }

  /**
   * A stable identity used in store keys: {@code call}, {@code rolling:600s},
   * {@code day@Europe/Berlin}. Two windows with the same id count the same way.
   */
  public String id() {
    return id;
  }

  /**
   * The spec form used by {@link Budget#parse}: {@code call}, {@code rolling:10m},
   * {@code day}, {@code month@Europe/Berlin} (the zone is omitted for UTC).
   */
  public String spec() {
    return switch (period) {
      case CALL -> "call";
      case ROLLING -> {
        long s = length.getSeconds();
        yield "rolling:" + (s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s");
      }
      default -> {
        String p = period.name().toLowerCase(java.util.Locale.ROOT);
        yield zone.normalized().equals(ZoneOffset.UTC) ? p : p + "@" + zone.getId();
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BudgetWindow w && id().equals(w.id());
  }

  @Override
  public int hashCode() {
    return id().hashCode();
  }

  @Override
  public String toString() {
    return spec();
  }
}

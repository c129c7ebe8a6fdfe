package io.costgen.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BudgetWindowTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static Instant at(String local, ZoneId zone) {
    return java.time.LocalDateTime.parse(local).atZone(zone).toInstant();
  }

  @Test
  void day_inBerlin_onSpringForwardDay_is23HoursLong_andResetsAtLocalMidnight() {
    BudgetWindow w = BudgetWindow.daily(BERLIN);
    Instant noon = at("2026-03-29T12:00", BERLIN);
    assertThat(w.windowStart(noon)).contains(Instant.parse("2026-03-28T23:00:00Z")); // 00:00 CET (+01)
    assertThat(w.nextReset(noon)).contains(Instant.parse("2026-03-29T22:00:00Z")); // 00:00 CEST (+02)
    assertThat(Duration.between(w.windowStart(noon).get(), w.nextReset(noon).get())).isEqualTo(Duration.ofHours(23));
  }

  @Test
  void day_inBerlin_onFallBackDay_is25HoursLong() {
    BudgetWindow w = BudgetWindow.daily(BERLIN);
    Instant noon = at("2026-10-25T12:00", BERLIN);
    assertThat(Duration.between(w.windowStart(noon).get(), w.nextReset(noon).get())).isEqualTo(Duration.ofHours(25));
    assertThat(w.nextReset(noon)).contains(Instant.parse("2026-10-25T23:00:00Z"));
  }

  @Test
  void day_inNewYork_acrossBothDstChanges_resetsAtLocalMidnight() {
    BudgetWindow w = BudgetWindow.daily(NEW_YORK);
    Instant spring = at("2026-03-08T03:30", NEW_YORK); // just after 02:00 -> 03:00
    assertThat(w.windowStart(spring)).contains(Instant.parse("2026-03-08T05:00:00Z")); // 00:00 EST
    assertThat(w.nextReset(spring)).contains(Instant.parse("2026-03-09T04:00:00Z")); // 00:00 EDT
    Instant fall = at("2026-11-01T23:59", NEW_YORK);
    assertThat(Duration.between(w.windowStart(fall).get(), w.nextReset(fall).get())).isEqualTo(Duration.ofHours(25));
  }

  @Test
  void day_belongsToTheRightDay_oneSecondEitherSideOfMidnight() {
    BudgetWindow w = BudgetWindow.daily(BERLIN);
    Instant midnight = at("2026-03-30T00:00", BERLIN);
    assertThat(w.windowStart(midnight.minusSeconds(1))).contains(at("2026-03-29T00:00", BERLIN));
    assertThat(w.windowStart(midnight)).contains(midnight);
    assertThat(w.nextReset(midnight.minusNanos(1))).contains(midnight);
  }

  @ParameterizedTest
  @CsvSource({
      "2026-02-14T10:00, 2026-02-01T00:00, 2026-03-01T00:00, 28",
      "2028-02-29T23:59, 2028-02-01T00:00, 2028-03-01T00:00, 29",
      "2026-04-30T23:59:59, 2026-04-01T00:00, 2026-05-01T00:00, 30",
      "2026-12-31T23:59:59, 2026-12-01T00:00, 2027-01-01T00:00, 31",
      "2026-03-31T12:00, 2026-03-01T00:00, 2026-04-01T00:00, 31"})
  void month_hasItsTrueLength_andResetsOnTheFirst(String local, String start, String end, int days) {
    BudgetWindow w = BudgetWindow.monthly(BERLIN);
    Instant t = at(local, BERLIN);
    assertThat(w.windowStart(t)).contains(at(start, BERLIN));
    assertThat(w.nextReset(t)).contains(at(end, BERLIN));
    long hours = Duration.between(at(start, BERLIN), at(end, BERLIN)).toHours();
    assertThat(hours).isBetween(days * 24L - 1, days * 24L + 1); // ±1 h in DST months
  }

  @Test
  void month_inUtc_isExactlyTheCalendarMonth_includingLeapFebruary2028() {
    BudgetWindow w = BudgetWindow.monthly(ZoneOffset.UTC);
    Instant t = Instant.parse("2028-02-15T00:00:00Z");
    assertThat(Duration.between(w.windowStart(t).get(), w.nextReset(t).get())).isEqualTo(Duration.ofDays(29));
    assertThat(w.windowStart(Instant.parse("2028-03-01T00:00:00Z"))).contains(Instant.parse("2028-03-01T00:00:00Z"));
  }

  @Test
  void week_startsOnMonday() {
    BudgetWindow w = BudgetWindow.calendar(BudgetWindow.Period.WEEK, ZoneOffset.UTC);
    Instant sunday = Instant.parse("2026-03-15T23:59:59Z");
    assertThat(w.windowStart(sunday)).contains(Instant.parse("2026-03-09T00:00:00Z")); // Monday
    assertThat(w.nextReset(sunday)).contains(Instant.parse("2026-03-16T00:00:00Z"));
    assertThat(w.windowStart(Instant.parse("2026-03-16T00:00:00Z"))).contains(Instant.parse("2026-03-16T00:00:00Z"));
  }

  @Test
  void hour_acrossBerlinSpringForward_hasNoGapAndNoOverlap() {
    BudgetWindow w = BudgetWindow.calendar(BudgetWindow.Period.HOUR, BERLIN);
    Instant t = Instant.parse("2026-03-29T00:30:00Z"); // 01:30 CET, next local hour is 03:00 CEST
    assertThat(w.windowStart(t)).contains(Instant.parse("2026-03-29T00:00:00Z"));
    assertThat(w.nextReset(t)).contains(Instant.parse("2026-03-29T01:00:00Z"));
  }

  @Test
  void hour_inAHalfHourZone_alignsToLocalHours() {
    BudgetWindow w = BudgetWindow.calendar(BudgetWindow.Period.HOUR, ZoneId.of("Asia/Kolkata"));
    Instant t = Instant.parse("2026-03-10T12:10:00Z"); // 17:40 IST
    assertThat(w.windowStart(t)).contains(Instant.parse("2026-03-10T11:30:00Z"));
    assertThat(w.nextReset(t)).contains(Instant.parse("2026-03-10T12:30:00Z"));
  }

  @ParameterizedTest
  @CsvSource({"HOUR, Europe/Berlin", "DAY, Europe/Berlin", "DAY, America/New_York", "WEEK, America/New_York",
      "MONTH, Europe/Berlin", "HOUR, Asia/Kolkata", "DAY, Australia/Lord_Howe", "HOUR, America/New_York"})
  void calendarWindows_tileTime_withoutGapsOrOverlaps_throughAWholeYear(BudgetWindow.Period p, String zone) {
    BudgetWindow w = BudgetWindow.calendar(p, ZoneId.of(zone));
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = Instant.parse("2027-01-01T00:00:00Z");
    int windows = 0;
    while (t.isBefore(end)) {
      Instant start = w.windowStart(t).get();
      Instant next = w.nextReset(t).get();
      assertThat(start).isBeforeOrEqualTo(t);
      assertThat(next).isAfter(t);
      assertThat(w.windowStart(next)).contains(next); // the next window starts where this one ends
      assertThat(w.windowStart(next.minusNanos(1))).contains(start);
      t = next;
      windows++;
    }
    assertThat(windows).isPositive();
  }

  @Test
  void rolling_countsASpend_forAtLeastTheWindowLength() {
    BudgetWindow w = BudgetWindow.rolling(Duration.ofMinutes(10)); // buckets of 10 s, 60 back
    Instant spendAt = Instant.parse("2026-03-10T12:00:07Z");
    Instant bucket = w.bucketStart(spendAt);
    assertThat(bucket).isEqualTo(Instant.parse("2026-03-10T12:00:00Z"));
    // counted at every instant up to spendAt + 10 min ...
    for (int s = 0; s <= 600; s++) {
      assertThat(w.countFrom(spendAt.plusSeconds(s))).isBeforeOrEqualTo(bucket);
    }
    // ... and gone within 10 min + 2 buckets
    assertThat(w.countFrom(spendAt.plusSeconds(600 + 20))).isAfter(bucket);
  }

  @Test
  void rolling_ofTenSeconds_usesOneSecondBuckets() {
    BudgetWindow w = BudgetWindow.rolling(Duration.ofSeconds(10));
    Instant t = Instant.parse("2026-03-10T12:00:10.500Z");
    assertThat(w.countFrom(t)).isEqualTo(Instant.parse("2026-03-10T12:00:00Z"));
    assertThat(w.nextReset(t)).contains(Instant.parse("2026-03-10T12:00:11Z"));
  }

  @Test
  void rolling_rejectsFractionalZeroAndHugeLengths() {
    assertThatThrownBy(() -> BudgetWindow.rolling(Duration.ofMillis(1500))).hasMessageStartingWith("window:");
    assertThatThrownBy(() -> BudgetWindow.rolling(Duration.ZERO)).hasMessageStartingWith("window:");
    assertThatThrownBy(() -> BudgetWindow.rolling(Duration.ofDays(400))).hasMessageStartingWith("window:");
  }

  @Test
  void perCall_hasNoWindow() {
    assertThat(BudgetWindow.perCall().accumulates()).isFalse();
    assertThat(BudgetWindow.perCall().nextReset(Instant.EPOCH)).isEmpty();
  }

  @Test
  void ids_normalizeUtcSpellings_andSpecOmitsUtc() {
    assertThat(BudgetWindow.daily(ZoneId.of("UTC")).id()).isEqualTo(BudgetWindow.daily(ZoneOffset.UTC).id());
    assertThat(BudgetWindow.daily(ZoneId.of("UTC")).spec()).isEqualTo("day");
    assertThat(BudgetWindow.daily(BERLIN).spec()).isEqualTo("day@Europe/Berlin");
    assertThat(BudgetWindow.rolling(Duration.ofMinutes(90)).spec()).isEqualTo("rolling:90m");
  }
}

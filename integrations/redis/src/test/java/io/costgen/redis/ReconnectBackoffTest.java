package io.costgen.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

  private static final long MS = 1_000_000L;

  @Test
  void firstAttempt_isDueAtOnce() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(2));
    assertThat(b.nanosUntilNextAttempt(123 * MS)).isZero();
  }

  @Test
  void waits_doubleFromMin_andStopAtMax() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(75));
    List<Long> waits = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 6; i++) {
      b.onFailure(t);
      waits.add(b.nanosUntilNextAttempt(t) / MS);
      t += 1_000 * MS;
    }
    assertThat(waits).containsExactly(10L, 20L, 40L, 75L, 75L, 75L);
  }

  @Test
  void wait_countsDown_andIsDueExactlyAtTheScheduledTime() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(2));
    b.onFailure(1_000 * MS);
    assertThat(b.nanosUntilNextAttempt(1_000 * MS)).isEqualTo(10 * MS);
    assertThat(b.nanosUntilNextAttempt(1_004 * MS)).isEqualTo(6 * MS);
    assertThat(b.nanosUntilNextAttempt(1_010 * MS)).isZero();
    assertThat(b.nanosUntilNextAttempt(5_000 * MS)).isZero();
  }

  @Test
  void success_resetsTheSchedule_toMin() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(2));
    for (int i = 0; i < 5; i++) {
      b.onFailure(0);
    }
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(320));
    b.onSuccess();
    assertThat(b.nanosUntilNextAttempt(0)).isZero();
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(10));
    b.onFailure(0);
    assertThat(b.nanosUntilNextAttempt(0)).isEqualTo(10 * MS);
  }

  @Test
  void schedule_survivesNanoTimeWrappingAround() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(2));
    long t = Long.MAX_VALUE - 3 * MS; // System.nanoTime() may be anywhere, even near overflow
    b.onFailure(t);
    assertThat(b.nanosUntilNextAttempt(t)).isEqualTo(10 * MS);
    assertThat(b.nanosUntilNextAttempt(t + 5 * MS)).isEqualTo(5 * MS); // past Long.MAX_VALUE
    assertThat(b.nanosUntilNextAttempt(t + 10 * MS)).isZero();
  }

  @Test
  void badBounds_areRefused_namingTheField() {
    assertThatThrownBy(() -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("reconnectBackoff: ");
    assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("reconnectBackoff: ");
  }

  @Test
  void lettuceDelay_staysWithinMinAndMax_andReachesMax() {
    Duration min = Duration.ofMillis(10);
    Duration max = Duration.ofMillis(200);
    Delay d = ReconnectBackoff.lettuceDelay(min, max);
    for (long attempt = 0; attempt <= 100; attempt++) {
      Duration delay = d.createDelay(attempt);
      assertThat(delay).as("attempt %d", attempt).isBetween(min, max);
    }
    assertThat(d.createDelay(1)).isEqualTo(min);
    assertThat(d.createDelay(100)).isEqualTo(max);
  }
}

package io.costgen.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedisKeysTest {

  @Test
  void start_isFixedWidth_andSortsLikeTime_acrossTheWholeInstantRange() {
    List<Instant> instants = new ArrayList<>(List.of(Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.ofEpochSecond(-1, 999_999_999),
        Instant.ofEpochSecond(0, 1), Instant.parse("2026-03-10T00:00:00Z")));
    Random rnd = new Random(7);
    for (int i = 0; i < 500; i++) {
      instants.add(Instant.ofEpochSecond(rnd.nextLong() % 4_000_000_000L, rnd.nextInt(1_000_000_000)));
    }
    List<String> encoded = instants.stream().sorted().map(RedisKeys::start).toList();
    assertThat(encoded).allSatisfy(s -> assertThat(s).hasSize(RedisKeys.START_WIDTH).containsOnlyDigits());
    assertThat(encoded).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void escape_keepsSafeCharacters_encodesEverythingElse_andRoundTrips() {
    assertThat(RedisKeys.escape("tenant=acme")).isEqualTo("tenant%3Dacme");
    assertThat(RedisKeys.escape("a:b")).isEqualTo("a%3Ab");
    assertThat(RedisKeys.escape("a%3Ab")).isEqualTo("a%253Ab"); // '%' itself is encoded: injective
    assertThat(RedisKeys.escape("{x}*?[\n ]")).matches("[A-Za-z0-9._~%-]*");
    assertThat(RedisKeys.escape("ü€")).isEqualTo("%C3%BC%E2%82%AC");
    for (String s : List.of("", "plain-id_1.2~x", "a:b|c%d", "ü€ \r\n\t{}*", "tenant=a\u0000b")) {
      assertThat(ClaimCodec.unescape(RedisKeys.escape(s))).isEqualTo(s);
    }
  }

  @Test
  void micros_floorsToTheMicrosecond_andClampsToWhatLuaHoldsExactly() {
    assertThat(RedisKeys.micros(Instant.ofEpochSecond(1, 999_999))).isEqualTo(1_000_999);
    assertThat(RedisKeys.micros(Instant.ofEpochSecond(-1, 500))).isEqualTo(-1_000_000);
    assertThat(RedisKeys.micros(Instant.MAX)).isEqualTo((1L << 53) - 1);
    assertThat(RedisKeys.micros(Instant.MIN)).isEqualTo(-((1L << 53) - 1));
  }
}

package io.costgen.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.budget.BudgetStore;
import io.costgen.cost.budget.BudgetStoreContractTest;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.SettleStatus;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link BudgetStore} contract (the same suite as the in-memory store) against a real
 * {@code redis-server}, each test in a fresh key namespace; then the Redis-specific properties:
 * exact decimals beyond double precision, precision limits, key escaping and expiry.
 */
class RedisBudgetStoreTest extends BudgetStoreContractTest {

  private static RedisServer server;
  private static ClientResources resources;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private final List<RedisBudgetStore> opened = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    server = RedisServer.startEphemeral();
    resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
  }

  @AfterAll
  static void stopRedis() {
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected BudgetStore newStore() {
    return open("ct" + NAMESPACES.incrementAndGet() + ":");
  }

  private RedisBudgetStore open(String prefix) {
    RedisBudgetStore s = RedisBudgetStore.builder(server.uri()).clientResources(resources).keyPrefix(prefix)
        .commandTimeout(Duration.ofSeconds(5)).build();
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RedisBudgetStore::close);
  }

  private RedisBudgetStore redis() {
    return (RedisBudgetStore) store;
  }

  private static Map<BudgetUnit, BigDecimal> money(String v) {
    return Map.of(BudgetUnit.MONEY, new BigDecimal(v));
  }

  // ------------------------------------------------------------------ exactness

  @Test
  void amounts_areExact_whereDoublesWouldRound() {
    BudgetStore.Key k = key("exact", "global");
    // 10^30 + 10^-30 and a million tenths: both lose digits as doubles
    String id = "big";
    store.reserve(new BudgetStore.ReserveRequest(id, List.of(claim(k, "2000000000000000000000000000000", "0")), 0, 0,
        T0, T0.plusSeconds(60)));
    store.settle(id, money("1000000000000000000000000000000.000000000000000000000000000001"), T0);
    assertThat(store.totals(k, DAY, T0).spent().toPlainString())
        .isEqualTo("1000000000000000000000000000000.000000000000000000000000000001");

    BudgetStore.Key tenths = key("tenths", "global");
    for (int i = 0; i < 30; i++) {
      store.reserve(new BudgetStore.ReserveRequest("t" + i, List.of(claim(tenths, "3", "0.1")), 0, 0, T0,
          T0.plusSeconds(60)));
    }
    BudgetStore.Totals t = store.totals(tenths, DAY, T0);
    assertThat(t.reserved()).isEqualByComparingTo("3"); // 0.1 × 30 is exactly 3, so a 31st tenth does not fit
    assertThat(store.reserve(new BudgetStore.ReserveRequest("t30", List.of(claim(tenths, "3", "0.1")), 0, 0, T0,
        T0.plusSeconds(60)))).isInstanceOf(BudgetStore.Rejected.class);
  }

  @Test
  void randomAmounts_ofEveryScale_sumExactlyAsBigDecimalDoes() {
    java.util.Random rnd = new java.util.Random(42);
    BudgetStore.Key k = key("random", "global");
    BigDecimal spent = BigDecimal.ZERO;
    BigDecimal held = BigDecimal.ZERO;
    for (int i = 0; i < 150; i++) {
      BigDecimal a = new BigDecimal(new java.math.BigInteger(1 + rnd.nextInt(90), rnd), rnd.nextInt(50));
      String id = "r" + i;
      store.reserve(new BudgetStore.ReserveRequest(id, List.of(claim(k, null, a.toPlainString())), 0, 0, T0,
          T0.plusSeconds(60)));
      switch (i % 3) {
        case 0 -> { // settle below the hold: subtracts across limbs
          BigDecimal actual = a.multiply(new BigDecimal("0.3")).stripTrailingZeros();
          store.settle(id, Map.of(BudgetUnit.MONEY, actual), T0);
          spent = spent.add(actual);
        }
        case 1 -> store.release(id, T0);
        default -> held = held.add(a);
      }
      BudgetStore.Totals t = store.totals(k, DAY, T0);
      assertThat(t.spent()).as("spent after %d", i).isEqualByComparingTo(spent);
      assertThat(t.reserved()).as("held after %d", i).isEqualByComparingTo(held);
    }
  }

  @Test
  void shrink_isExact_withManyDecimalPlaces() {
    BudgetStore.Key k = key("shrink", "global");
    // room 1 USD; 0.1 fixed; 1/3 USD rounded to 40 places per token: exactly 2 tokens fit
    BigDecimal perToken = new BigDecimal("0.3333333333333333333333333333333333333333");
    BudgetStore.Claim c = new BudgetStore.Claim(k, BudgetUnit.MONEY, DAY, Optional.of(BigDecimal.ONE),
        new BigDecimal("0.1"), perToken, true, DAY_END);
    BudgetStore.Granted g = (BudgetStore.Granted) store.reserve(new BudgetStore.ReserveRequest("s", List.of(c),
        1_000_000, 1, T0, T0.plusSeconds(60)));
    assertThat(g.tokens()).isEqualTo(2);
    assertThat(g.amounts().get(0)).isEqualByComparingTo(new BigDecimal("0.1").add(perToken.multiply(BigDecimal.valueOf(2))));
  }

  @Test
  void amountsThatWouldLosePrecision_areRejected_beforeAnyChange() {
    BudgetStore.Key k = key("p", "global");
    BigDecimal tooFine = BigDecimal.ONE.movePointLeft(65);
    assertThatThrownBy(() -> store.reserve(new BudgetStore.ReserveRequest("x", List.of(
        new BudgetStore.Claim(k, BudgetUnit.MONEY, DAY, Optional.of(BigDecimal.ONE), tooFine, BigDecimal.ZERO, false,
            DAY_END)), 0, 0, T0, T0.plusSeconds(60))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fixed").hasMessageContaining("64");
    assertThatThrownBy(() -> store.reserve(new BudgetStore.ReserveRequest("y", List.of(claim(k, "1e40", "1")), 0, 0,
        T0, T0.plusSeconds(60)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    assertThatThrownBy(() -> store.reserve(new BudgetStore.ReserveRequest("z", List.of(claim(k, "1", "0")),
        1L << 53, 0, T0, T0.plusSeconds(60)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTokens");
    store.reserve(new BudgetStore.ReserveRequest("ok", List.of(claim(k, "1", "0.5")), 0, 0, T0, T0.plusSeconds(60)));
    assertThatThrownBy(() -> store.settle("ok", money("0.1").entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> tooFine)), T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.totals(k, DAY, T0).reserved()).isEqualByComparingTo("0.5");
    assertThat(store.settle("ok", money("0.25"), T0).status()).isEqualTo(SettleStatus.SETTLED);
  }

  // ------------------------------------------------------------------ keys

  @Test
  void hostileTenantIds_neverShareOrEscapeTheirKeys() {
    RedisBudgetStore s = open("esc:");
    String[] tenants = {"a:b", "a%3Ab", "a", "*", "{x}", "}{", "x\nFLUSHALL\n", "t\r\n*1\r\n$8\r\nFLUSHALL", "ü:€", " ",
        "a:b:c", "a|b", "[a-z]?"};
    for (int i = 0; i < tenants.length; i++) {
      BudgetStore.Key k = new BudgetStore.Key("daily", "day@Z", "tenant=" + tenants[i], DAY);
      BudgetStore.ReserveOutcome o = s.reserve(new BudgetStore.ReserveRequest("r" + tenants[i],
          List.of(claim(k, "1", "1")), 0, 0, T0, T0.plusSeconds(60)));
      assertThat(o).as("tenant %s gets its own counter", tenants[i]).isInstanceOf(BudgetStore.Granted.class);
      s.settle("r" + tenants[i], money("0." + (i + 1)), T0);
    }
    for (int i = 0; i < tenants.length; i++) {
      BudgetStore.Key k = new BudgetStore.Key("daily", "day@Z", "tenant=" + tenants[i], DAY);
      assertThat(s.totals(k, DAY, T0).spent()).as("tenant %s", tenants[i])
          .isEqualByComparingTo(new BigDecimal("0." + (i + 1)));
    }
    // every key is under the prefix and made of safe characters only
    Pattern safe = Pattern.compile("esc:[bhirax]:[A-Za-z0-9._~%:-]*");
    List<String> keys = keys("esc:*");
    assertThat(keys).isNotEmpty().allMatch(k -> safe.matcher(k).matches(), "only escaped characters");
    Pattern anyStore = Pattern.compile("[a-z0-9]+:[bhirax]:[A-Za-z0-9._~%:-]*");
    assertThat(keys("*")).allMatch(k -> anyStore.matcher(k).matches(), "every key of every store is escaped");
  }

  @Test
  void keys_carryATimeToLive_andSweepEmptiesTheNamespace() {
    RedisBudgetStore s = open("ttl:");
    BudgetStore.Key k = key("b", "tenant=a");
    s.reserve(new BudgetStore.ReserveRequest("r1", List.of(claim(k, "1", "0.5")), 0, 0, T0, T0.plusSeconds(60)));
    s.reserve(new BudgetStore.ReserveRequest("r2", List.of(claim(k, "1", "0.25")), 0, 0, T0, T0.plusSeconds(60)));
    s.settle("r1", money("0.5"), T0);
    s.markAlert(k, "threshold:0.5", DAY_END);
    for (String key : keys("ttl:*")) {
      long ttl = Long.parseLong(server.command("PTTL", key).trim().substring(1));
      if (key.startsWith("ttl:x:")) {
        assertThat(ttl).as("sweep index %s", key).isEqualTo(-1);
      } else {
        // retention is the window end (12 h after T0) plus the 1 h margin
        assertThat(ttl).as("ttl of %s", key).isPositive().isLessThanOrEqualTo(Duration.ofHours(13).toMillis());
      }
    }
    assertThat(s.sweep(DAY_END.plusSeconds(1))).isEqualTo(4); // bucket, two reservations, one alert mark
    assertThat(keys("ttl:*")).isEmpty();
  }

  @Test
  void stores_withDifferentPrefixes_areIndependent() {
    RedisBudgetStore a = open("pa:");
    RedisBudgetStore b = open("pb:");
    BudgetStore.Key k = key("b", "global");
    a.reserve(new BudgetStore.ReserveRequest("same-id", List.of(claim(k, "1", "1")), 0, 0, T0, T0.plusSeconds(60)));
    assertThat(b.reserve(new BudgetStore.ReserveRequest("same-id", List.of(claim(k, "1", "1")), 0, 0, T0,
        T0.plusSeconds(60)))).isInstanceOf(BudgetStore.Granted.class);
  }

  @Test
  void aSecondStoreOnTheSameNamespace_seesTheSameCounters_andSettlesOnce() {
    RedisBudgetStore other = open(redis().keyPrefix());
    BudgetStore.Key k = key("shared", "tenant=a");
    store.reserve(new BudgetStore.ReserveRequest("r1", List.of(claim(k, "1", "0.75")), 0, 0, T0, T0.plusSeconds(60)));
    assertThat(other.reserve(new BudgetStore.ReserveRequest("r2", List.of(claim(k, "1", "0.5")), 0, 0, T0,
        T0.plusSeconds(60)))).isInstanceOf(BudgetStore.Rejected.class);
    assertThat(other.settle("r1", money("0.5"), T0).status()).isEqualTo(SettleStatus.SETTLED);
    assertThat(store.settle("r1", money("0.5"), T0).status()).isEqualTo(SettleStatus.DUPLICATE);
    assertThat(store.totals(k, DAY, T0).spent()).isEqualByComparingTo("0.5");
    assertThat(other.totals(k, DAY, T0).used()).isEqualByComparingTo("0.5");
  }

  @Test
  void settle_returnsTheClaimsExactly_forAlerts() {
    BudgetStore.Key k = new BudgetStore.Key("id with spaces:and|pipes", "rolling:300s", "tenant=a b", DAY);
    BudgetStore.Claim c = new BudgetStore.Claim(k, BudgetUnit.ENERGY_JOULES, DAY.minusSeconds(300),
        Optional.of(new BigDecimal("12.50")), new BigDecimal("1.5"), new BigDecimal("0.25"), true, DAY_END);
    store.reserve(new BudgetStore.ReserveRequest("r", List.of(c), 4, 0, T0, T0.plusSeconds(60)));
    BudgetStore.SettleOutcome o = store.settle("r", Map.of(BudgetUnit.ENERGY_JOULES, new BigDecimal("2")), T0);
    assertThat(o.claims()).containsExactly(c);
    assertThat(o.after().get(0).spent()).isEqualByComparingTo("2");
  }

  @Test
  void builder_validatesItsSettings() {
    RedisBudgetStore.Builder b = RedisBudgetStore.builder(server.uri());
    assertThatThrownBy(() -> b.keyPrefix("has space")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPrefix");
    assertThatThrownBy(() -> b.commandTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reconnectBackoff max");
    assertThatThrownBy(() -> RedisBudgetStore.builder(server.uri()).clientResources(resources)
        .reconnectBackoff(Duration.ofMillis(5), Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("clientResources");
  }

  /** Keys matching a glob, read with SCAN-free KEYS (a tiny test server). */
  private static List<String> keys(String glob) {
    String reply = server.command("KEYS", glob);
    List<String> out = new ArrayList<>();
    String[] lines = reply.split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].startsWith("$")) {
        out.add(lines[++i]);
      }
    }
    return out;
  }
}

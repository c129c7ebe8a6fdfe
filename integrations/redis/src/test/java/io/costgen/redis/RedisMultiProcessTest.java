package io.costgen.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.meter.LedgerReader;
import io.costgen.cost.meter.UsageRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs sharing one Redis: two child processes hammering the same tenants never overspend
 * together and their ledgers add up to Redis's counters exactly; a child killed while holding
 * reservations has its holds freed by their lease.
 */
class RedisMultiProcessTest {

  private static RedisServer server;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.startEphemeral();
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  private static Process child(Path stderr, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        BudgetHammerMain.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Test
  void twoProcesses_hammeringTheSameTenants_neverOverspend_andTheirLedgersEqualRedisExactly(@TempDir Path tmp)
      throws Exception {
    Instant at = Instant.parse("2026-03-10T12:00:00Z");
    String prefix = "mp:";
    List<Process> children = new ArrayList<>();
    List<Path> ledgers = new ArrayList<>();
    List<Path> errs = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      Path ledger = tmp.resolve("ledger-" + c);
      Path err = tmp.resolve("child-" + c + ".err");
      ledgers.add(ledger);
      errs.add(err);
      children.add(child(err, "hammer", server.uri(), prefix, at.toString(), ledger.toString(), "600", "4",
          Integer.toString(c + 1)));
    }
    long admitted = 0;
    long rejected = 0;
    try {
      for (int c = 0; c < 2; c++) {
        Process p = children.get(c);
        String out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          out = r.readLine();
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child %d finished", c).isTrue();
        assertThat(p.exitValue()).as("child %d exit; stderr: %s", c, readQuietly(errs.get(c))).isZero();
        assertThat(out).as("child %d; stderr: %s", c, readQuietly(errs.get(c))).startsWith("DONE");
        String[] f = out.split("[ =]");
        admitted += Long.parseLong(f[2]);
        rejected += Long.parseLong(f[4]);
      }
    } finally {
      children.forEach(Process::destroyForcibly);
    }
    assertThat(rejected).as("the limits were reached").isPositive();
    assertThat(admitted).isPositive();

    // Sum both ledgers per tenant.
    Map<String, BigDecimal> money = new HashMap<>();
    Map<String, Long> tokens = new HashMap<>();
    Set<String> reservations = new HashSet<>();
    for (Path l : ledgers) {
      LedgerReader.Result read = LedgerReader.read(l, at.minusSeconds(86_400), at.plusSeconds(86_400));
      assertThat(read.skippedLines()).isZero();
      for (UsageRecord r : read.records()) {
        assertThat(reservations.add(r.reservationId().orElseThrow())).as("each reservation settled once").isTrue();
        money.merge(r.tenantId().orElseThrow(), r.money().amount(), BigDecimal::add);
        tokens.merge(r.tenantId().orElseThrow(), r.promptTokens() + r.completionTokens(), Long::sum);
      }
    }

    try (RedisBudgetStore store = RedisBudgetStore.builder(server.uri()).keyPrefix(prefix).build()) {
      Budgets budgets = Budgets.builder().store(store).clock(Clock.fixed(at, ZoneOffset.UTC))
          .build();
      for (Budget b : BudgetHammerMain.budgets()) {
        budgets.register(b);
      }
      BigDecimal total = BigDecimal.ZERO;
      BudgetStatus global = null;
      for (String t : BudgetHammerMain.TENANTS) {
        Map<String, BudgetStatus> byId = new HashMap<>();
        budgets.statusForTenant(t).forEach(s -> byId.put(s.budgetId(), s));
        BigDecimal m = money.getOrDefault(t, BigDecimal.ZERO);
        total = total.add(m);
        assertThat(byId.get("tenant-money").spent()).as("money of %s", t).isEqualByComparingTo(m);
        assertThat(byId.get("tenant-tokens").spent()).as("tokens of %s", t)
            .isEqualByComparingTo(BigDecimal.valueOf(tokens.getOrDefault(t, 0L)));
        for (BudgetStatus s : byId.values()) {
          assertThat(s.spent()).as("%s of %s within its limit", s.budgetId(), t).isLessThanOrEqualTo(s.limit());
          assertThat(s.reserved()).as("no hold left").isEqualByComparingTo("0");
        }
        global = byId.get("global-money");
      }
      assertThat(global.spent()).as("global = sum of both ledgers").isEqualByComparingTo(total);
      assertThat(global.spent()).isLessThanOrEqualTo(new BigDecimal("6"));
    }
  }

  @Test
  void aKilledClient_holdingReservations_isReleasedByItsLease(@TempDir Path tmp) throws Exception {
    String prefix = "kill:";
    // Both processes use the same offset clock, pinned to midday so that the day window cannot roll over.
    Instant noon = Instant.parse("2026-03-10T12:00:00Z");
    long offset = Duration.between(Instant.now(), noon).toMillis();
    Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofMillis(offset));
    Path err = tmp.resolve("child.err");
    Process p = child(err, "hold", server.uri(), prefix, Long.toString(offset), "4", "500");
    try (RedisBudgetStore store = RedisBudgetStore.builder(server.uri()).keyPrefix(prefix).build()) {
      Instant heldAt;
      try {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertThat(line).as("child held; stderr: %s", readQuietly(err)).startsWith("HELD ");
        heldAt = Instant.parse(line.substring(5));
      } finally {
        p.destroyForcibly(); // SIGKILL: no settle, no release, no close
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

      Budget victim = Budget.parse("money:1/day,id=victim-daily");
      CallContext ctx = CallContext.forTenant("victim");
      // As of when the child held them, all four holds count (the store judges leases by the time it is given).
      Budgets asOfHold = Budgets.builder().store(store).clock(Clock.fixed(heldAt, ZoneOffset.UTC)).build().register(victim);
      assertThat(asOfHold.statusForTenant("victim").get(0).reserved()).isEqualByComparingTo("1.00");

      Budgets live = Budgets.builder().store(store).clock(clock).build().register(victim);
      BigDecimal reserved = null;
      for (int i = 0; i < 600; i++) { // bounded poll: the holds go when their 500 ms lease has passed
        reserved = live.statusForTenant("victim").get(0).reserved();
        if (reserved.signum() == 0) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(reserved).as("holds of the killed client freed").isEqualByComparingTo("0");
      Reservation full = live.reserve(ctx, "m", Map.of(BudgetUnit.MONEY, BigDecimal.ONE), Duration.ofMinutes(1));
      assertThat(full.amounts().get(BudgetUnit.MONEY)).isEqualByComparingTo("1");
    } finally {
      p.destroyForcibly();
    }
  }
}

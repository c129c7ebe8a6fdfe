package io.costgen.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 defect 4: under {@code FAIL_OPEN}, while one thread replayed the settles queued during
 * an outage, other threads' reserves went straight to Redis and were checked against totals that
 * missed them (global spend $75.52 against a $30 limit). Now every operation of a process waits
 * for that process's queued replays.
 *
 * <p>Two JVMs, four threads each, one global $30/day budget. Redis is down when they start, so
 * each admits up to the limit against its local counters (the documented outage allowance); then
 * Redis starts and is killed and restarted twice more. The documented bound for an outage that
 * begins with Redis at S is S + N × limit = 0 + 2 × 30; Redis's final spend equals what the two
 * processes settled, exactly.
 */
class RedisFailOpenBoundTest {

  private static final int THREADS = 4;
  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final Duration PHASE = Duration.ofSeconds(90);

  /** One child: its process and the progress it reported. */
  private static final class Child {
    final Process process;
    final Path stderr;
    final AtomicLong ops = new AtomicLong();
    final AtomicLong admitted = new AtomicLong();
    final AtomicReference<String> done = new AtomicReference<>();
    final Thread reader;

    Child(Process p, Path stderr) {
      this.process = p;
      this.stderr = stderr;
      this.reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            String[] f = line.split(" ");
            if (f[0].equals("P")) {
              ops.accumulateAndGet(Long.parseLong(f[1]), Math::max);
              admitted.accumulateAndGet(Long.parseLong(f[2]), Math::max);
            } else {
              done.set(line);
            }
          }
        } catch (java.io.IOException e) {
          done.compareAndSet(null, "READ FAILED " + e);
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String stderr() {
      try {
        return Files.readString(stderr);
      } catch (Exception e) {
        return "(unreadable)";
      }
    }
  }

  private static void await(String what, List<Child> children, java.util.function.Function<Child, AtomicLong> metric,
      LongPredicate ok) throws InterruptedException {
    long deadline = System.nanoTime() + PHASE.toNanos();
    for (Child c : children) {
      while (!ok.test(metric.apply(c).get())) {
        assertThat(c.process.isAlive()).as("child alive while waiting for %s; stderr: %s", what, c.stderr()).isTrue();
        assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
        Thread.sleep(10); // bounded poll for the child's progress, not a timing assumption
      }
    }
  }

  private static void awaitMoreOps(String what, List<Child> children, long more) throws InterruptedException {
    for (Child c : children) {
      long target = c.ops.get() + more;
      await(what, List.of(c), x -> x.ops, n -> n >= target);
    }
  }

  @Test
  void twoJvms_redisDownAtStart_thenKilledAndRestarted_stayWithinTheOutageBound(@TempDir Path tmp) throws Exception {
    String prefix = "failopen-" + System.nanoTime() + ":";
    try (RedisServer server = RedisServer.prepareDurable()) {
      List<Child> children = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Path err = tmp.resolve("child" + i + ".err");
          Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
              FailOpenChildMain.class.getName(), server.uri(), prefix, Integer.toString(THREADS), NOW.toString())
              .redirectError(err.toFile()).start();
          children.add(new Child(p, err));
        }
        // Outage from the start: each process admits up to the limit locally (300 calls of 0.10), then refuses.
        await("the local limit", children, c -> c.admitted, n -> n >= 300);
        awaitMoreOps("local refusals", children, 100);
        long offline = children.stream().mapToLong(c -> c.admitted.get()).sum();
        assertThat(offline).isEqualTo(600);

        // Redis comes back: the queued settles must reach it before any new reserve does.
        server.start();
        awaitMoreOps("operations after Redis started", children, 1500);
        for (int round = 0; round < 2; round++) {
          server.kill();
          awaitMoreOps("operations while Redis is down (" + round + ")", children, 200);
          server.start();
          awaitMoreOps("operations after the restart (" + round + ")", children, 1500);
        }
      } finally {
        for (Child c : children) {
          c.process.getOutputStream().close(); // stop
        }
      }
      long calls = 0;
      for (Child c : children) {
        assertThat(c.process.waitFor()).as("child exit; stderr: %s", c.stderr()).isZero();
        c.reader.join(PHASE.toMillis());
        assertThat(c.done.get()).as("child result; stderr: %s", c.stderr()).startsWith("DONE ");
        calls += Long.parseLong(c.done.get().substring("DONE ".length()));
      }
      BigDecimal spent = FailOpenChildMain.CALL.multiply(BigDecimal.valueOf(calls));
      // S + N x limit with S = 0 (Redis was down before the first call), N = 2 processes
      assertThat(spent).isLessThanOrEqualTo(new BigDecimal("60"));

      try (RedisBudgetStore store = RedisBudgetStore.builder(server.uri()).keyPrefix(prefix).build()) {
        Budgets budgets = Budgets.builder().store(store).clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build().register(FailOpenChildMain.budget());
        BudgetStatus s = budgets.status(CallContext.forTenant("t0"), "m").get(0);
        assertThat(s.spent()).as("Redis holds every settled call exactly once").isEqualByComparingTo(spent);
        assertThat(s.reserved()).isZero();
      }
    }
  }
}

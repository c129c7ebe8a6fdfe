package io.costgen.cost.meter;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.Money;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryMeterTest {

  private static final Instant NOON = Instant.parse("2026-03-10T12:00:00Z");

  private static UsageRecord call(String tenant, String model, Instant end, double seconds, String usd) {
    return UsageRecord.builder().tenantId(tenant).model(model).promptTokens(10).completionTokens(20).flops(1e9)
        .deviceSeconds(seconds).energyJoules(100).money(Money.usd(usd)).finishReason("eos")
        .totalSeconds(seconds).start(end).end(end).build();
  }

  @Test
  void aggregatesPerDayTenantAndModel_withExactMoney() {
    InMemoryMeter m = InMemoryMeter.create();
    for (int i = 0; i < 10; i++) {
      m.record(call("acme", "gpt2", NOON, 1, "0.1"));
    }
    m.record(call("acme", "llama", NOON, 1, "0.000000001"));
    m.record(call("globex", "gpt2", NOON.plusSeconds(86400), 1, "0.3"));
    List<UsageSummary> s = m.summaries();
    assertThat(s).extracting(x -> x.day() + " " + x.tenantId().get() + " " + x.model() + " " + x.calls())
        .containsExactly("2026-03-10 acme gpt2 10", "2026-03-10 acme llama 1", "2026-03-11 globex gpt2 1");
    assertThat(s.get(0).money()).isEqualTo(Money.usd("1.0"));
    assertThat(s.get(0).promptTokens()).isEqualTo(100);
    assertThat(m.totalMoney(Money.USD)).isEqualTo(Money.usd("1.300000001"));
    assertThat(m.count()).isEqualTo(12);
  }

  @Test
  void days_followTheConfiguredZone() {
    InMemoryMeter m = InMemoryMeter.create(ZoneId.of("America/New_York"));
    m.record(call("acme", "gpt2", Instant.parse("2026-03-11T03:00:00Z"), 1, "1")); // 23:00 EDT, March 10
    assertThat(m.summaries().get(0).day()).isEqualTo(LocalDate.parse("2026-03-10"));
  }

  @Test
  void latencyPercentiles_areExactNearestRank() {
    InMemoryMeter m = InMemoryMeter.create();
    for (int i = 1; i <= 200; i++) { // 0.01 .. 2.00 s, in shuffled order
      int v = (i * 37) % 200 + 1;
      m.record(call("acme", "gpt2", NOON, v / 100.0, "0"));
    }
    UsageSummary s = m.summaries().get(0);
    assertThat(s.latencyP50Seconds()).isEqualTo(1.00); // the 100th of 200
    assertThat(s.latencyP95Seconds()).isEqualTo(1.90); // the 190th
    assertThat(s.latencyP99Seconds()).isEqualTo(1.98); // the 198th
  }

  @Test
  void percentile_ofOneSampleIsThatSample_andOfNoneIsNaN() {
    assertThat(UsageAggregate.percentile(new double[] {0.5}, 0.99)).isEqualTo(0.5);
    assertThat(UsageAggregate.percentile(new double[0], 0.5)).isNaN();
    assertThat(UsageAggregate.percentile(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2);
  }

  @Test
  void rejectionsAndErrors_areCountedApart_andRejectionsHaveNoLatency() {
    InMemoryMeter m = InMemoryMeter.create();
    m.record(UsageRecord.builder().tenantId("acme").model("gpt2").finishReason(UsageRecord.BUDGET_REJECTED)
        .error("budget_exceeded: daily").start(NOON).end(NOON).build());
    UsageSummary onlyRejected = m.summaries().get(0);
    assertThat(onlyRejected.calls()).isZero();
    assertThat(onlyRejected.rejections()).isEqualTo(1);
    assertThat(onlyRejected.latencyP50Seconds()).isNaN();
    m.record(UsageRecord.builder().tenantId("acme").model("gpt2").finishReason("error").error("boom")
        .start(NOON).end(NOON).totalSeconds(0.2).build());
    UsageSummary s = m.summaries().get(0);
    assertThat(s.calls()).isEqualTo(1);
    assertThat(s.errors()).isEqualTo(1);
    assertThat(s.rejections()).isEqualTo(1);
  }

  @Test
  void concurrentRecords_areAllCounted() throws Exception {
    InMemoryMeter m = InMemoryMeter.create();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 5_000; i++) {
            m.record(call("t" + (i % 3), "gpt2", NOON, 0.1, "0.000001"));
          }
          return tt;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(m.count()).isEqualTo(40_000);
    assertThat(m.totalMoney(Money.USD)).isEqualTo(Money.usd("0.04"));
  }
}

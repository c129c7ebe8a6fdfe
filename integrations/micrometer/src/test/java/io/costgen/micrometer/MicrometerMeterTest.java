package io.costgen.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.costgen.cost.CallContext;
import io.costgen.cost.Money;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.meter.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerMeterTest {

  private static final Instant T = Instant.parse("2026-03-10T12:00:00Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static UsageRecord.Builder call(String tenant) {
    return UsageRecord.builder().tenantId(tenant).requestId("req").model("gpt2").promptTokens(12).completionTokens(11)
        .flops(2.5e9).deviceSeconds(0.75).energyJoules(30).co2eGrams(0.004).money(Money.usd("0.25"))
        .finishReason("eos").timeToFirstToken(java.time.Duration.ofMillis(200)).totalSeconds(1.2).start(T).end(T.plusMillis(1200));
  }

  @Test
  void tokenUsage_isAnOtelDistributionSummary_perTokenType_withGenAiTags() {
    MicrometerMeter meter = MicrometerMeter.builder(registry).build();
    meter.record(call("acme").build());
    meter.record(call("acme").promptTokens(30).completionTokens(1).build());

    DistributionSummary in = registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "input")
        .tag("gen_ai.operation.name", "text_completion").tag("gen_ai.provider.name", "costgen")
        .tag("gen_ai.request.model", "gpt2").summary();
    assertThat(in.count()).isEqualTo(2);
    assertThat(in.totalAmount()).isEqualTo(42);
    assertThat(in.getId().getBaseUnit()).isNull(); // Prometheus would mangle {token} into the name
    DistributionSummary out = registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "output").summary();
    assertThat(out.totalAmount()).isEqualTo(12);
    assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("costgen.tenant")).isNull());
  }

  @Test
  void duration_isInSeconds_withErrorType_noneOnSuccess() {
    MicrometerMeter meter = MicrometerMeter.builder(registry).operationName("chat").providerName("acme-llm").build();
    meter.record(call("a").build());
    meter.record(call("a").totalSeconds(0.5).error("java.lang.IllegalStateException: backend died").build());
    meter.record(call("a").error("something odd happened").build());

    Timer ok = registry.get("gen_ai.client.operation.duration").tag("error.type", "none")
        .tag("gen_ai.operation.name", "chat").tag("gen_ai.provider.name", "acme-llm").timer();
    assertThat(ok.count()).isEqualTo(1);
    assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(1200, within(0.001));
    assertThat(registry.get("gen_ai.client.operation.duration").tag("error.type", "java.lang.IllegalStateException")
        .timer().totalTime(TimeUnit.MILLISECONDS)).isCloseTo(500, within(0.001));
    assertThat(registry.get("gen_ai.client.operation.duration").tag("error.type", "_OTHER").timer().count()).isEqualTo(1);
  }

  @Test
  void timeToFirstToken_andTimePerOutputToken_useTheServerMetricNames() {
    MicrometerMeter meter = MicrometerMeter.builder(registry).build();
    meter.record(call("a").build()); // (1.2 − 0.2) s over 10 tokens after the first
    meter.record(call("a").timeToFirstToken(null).build()); // unknown: neither is recorded
    meter.record(call("a").completionTokens(1).timeToFirstToken(java.time.Duration.ofMillis(400)).build()); // one token: no per-token time

    Timer ttft = registry.get("gen_ai.server.time_to_first_token").timer();
    assertThat(ttft.count()).isEqualTo(2);
    assertThat(ttft.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(600, within(0.001));
    Timer tpot = registry.get("gen_ai.server.time_per_output_token").timer();
    assertThat(tpot.count()).isEqualTo(1);
    assertThat(tpot.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(100, within(0.001));
  }

  @Test
  void costAndResources_areCounters_moneyPerCurrency() {
    MicrometerMeter meter = MicrometerMeter.builder(registry).build();
    meter.record(call("a").build());
    meter.record(call("a").build());
    meter.record(call("a").money(Money.of(new BigDecimal("0.5"), Currency.getInstance("EUR"))).build());

    assertThat(registry.get("costgen.cost").tag("currency", "USD").counter().count()).isEqualTo(0.5);
    assertThat(registry.get("costgen.cost").tag("currency", "EUR").counter().count()).isEqualTo(0.5);
    assertThat(registry.get("costgen.flops").counter().count()).isEqualTo(7.5e9);
    Counter device = registry.get("costgen.device.seconds").counter();
    assertThat(device.count()).isEqualTo(2.25);
    assertThat(device.getId().getBaseUnit()).isEqualTo("seconds");
    assertThat(registry.get("costgen.energy.joules").counter().count()).isEqualTo(90);
    assertThat(registry.get("costgen.co2e.grams").counter().count()).isCloseTo(0.012, within(1e-15));
  }

  @Test
  void budgetRejections_areCountedPerBudget_andAreNotCalls() {
    MicrometerMeter meter = MicrometerMeter.builder(registry).build();
    Budgets budgets = Budgets.builder().clock(Clock.fixed(T, ZoneOffset.UTC)).build()
        .register(Budget.parse("money:1/day,id=daily"));
    CallContext ctx = CallContext.forTenant("acme");
    BudgetExceededException e = null;
    try {
      budgets.reserve(ctx, "gpt2", Map.of(BudgetUnit.MONEY, new BigDecimal("2")), Duration.ofMinutes(1));
    } catch (BudgetExceededException x) {
      e = x;
    }
    assertThat(e).isNotNull();
    meter.record(UsageRecord.budgetRejected(ctx, "gpt2", e, T, Money.USD));
    meter.record(UsageRecord.budgetRejected(ctx, "gpt2", e, T, Money.USD));

    assertThat(registry.get("costgen.budget.rejections").tag("costgen.budget.id", "daily").counter().count())
        .isEqualTo(2);
    assertThat(registry.find("gen_ai.client.token.usage").summaries()).allSatisfy(m -> assertThat(m.count()).isZero());
    assertThat(registry.find("gen_ai.client.operation.duration").meters()).isEmpty();
  }

  @Test
  void tenants_areTaggedOnlyWhenAllowed_andCappedToOther() {
    MicrometerMeter meter = MicrometerMeter.builder(registry).tenantTags(true).maxTenants(2).build();
    for (String t : new String[] {"a", "b", "c", "d", "a"}) {
      meter.record(call(t).build());
    }
    meter.record(call(null).build());

    Map<String, Long> calls = new java.util.TreeMap<>();
    for (Meter m : registry.find("gen_ai.client.operation.duration").meters()) {
      calls.put(m.getId().getTag("costgen.tenant"), ((Timer) m).count());
    }
    assertThat(calls).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("a", 2L, "b", 1L, "other", 2L, "none", 1L)));
  }

  @Test
  void budgetGauges_showSpentAndRemaining_globalAlways_perTenantWhenTagged() {
    Budgets budgets = Budgets.builder().clock(Clock.fixed(T, ZoneOffset.UTC))
        .build()
        .register(Budget.parse("money:10/day,scope=global,id=global"))
        .register(Budget.parse("tokens:1000/day,id=tenant-tokens"));
    CallContext acme = CallContext.forTenant("acme");
    Reservation r = budgets.reserve(acme, "gpt2", Map.of(BudgetUnit.MONEY, new BigDecimal("1.5"), BudgetUnit.TOKENS,
        new BigDecimal("300")), Duration.ofMinutes(1));
    budgets.settle(r.id(), Map.of(BudgetUnit.MONEY, new BigDecimal("1.25"), BudgetUnit.TOKENS, new BigDecimal("200")));
    budgets.reserve(acme, "gpt2", Map.of(BudgetUnit.MONEY, new BigDecimal("0.5"), BudgetUnit.TOKENS,
        new BigDecimal("100")), Duration.ofMinutes(1)); // held

    SimpleMeterRegistry untagged = new SimpleMeterRegistry();
    MicrometerMeter.builder(untagged).budgets(budgets).build().record(call("acme").build());
    assertThat(untagged.get("costgen.budget.spent").tag("costgen.budget.id", "global").tag("costgen.budget.unit", "USD")
        .gauge().value()).isEqualTo(1.25);
    assertThat(untagged.find("costgen.budget.spent").tag("costgen.budget.id", "tenant-tokens").gauges()).isEmpty();

    MicrometerMeter.builder(registry).budgets(budgets).tenantTags(true).build().record(call("acme").build());
    Gauge spent = registry.get("costgen.budget.spent").tag("costgen.budget.id", "tenant-tokens")
        .tag("costgen.budget.scope", "tenant=acme").tag("costgen.budget.unit", "tokens").gauge();
    assertThat(spent.value()).isEqualTo(200);
    assertThat(registry.get("costgen.budget.reserved").tag("costgen.budget.id", "tenant-tokens").gauge().value())
        .isEqualTo(100);
    assertThat(registry.get("costgen.budget.remaining").tag("costgen.budget.id", "tenant-tokens").gauge().value())
        .isEqualTo(700);
    assertThat(registry.get("costgen.budget.remaining").tag("costgen.budget.id", "global").gauge().value())
        .isEqualTo(8.25);
    assertThat(registry.get("costgen.budget.limit").tag("costgen.budget.id", "global").gauge().value()).isEqualTo(10);
  }

  @Test
  void prometheusScrape_hasOtelNames_andOneTagSetPerName() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMeter meter = MicrometerMeter.builder(prometheus).tenantTags(true).build();
    meter.record(call("acme").build());
    meter.record(call("acme").error("java.io.IOException: gone").build());
    String text = prometheus.scrape();
    assertThat(text).contains("gen_ai_client_token_usage_count{").contains("gen_ai_token_type=\"input\"")
        .contains("gen_ai_token_type=\"output\"").contains("gen_ai_request_model=\"gpt2\"")
        .contains("gen_ai_client_operation_duration_seconds_bucket").contains("error_type=\"java.io.IOException\"")
        .contains("error_type=\"none\"").contains("gen_ai_server_time_to_first_token_seconds")
        .contains("costgen_cost_total{").contains("currency=\"USD\"").contains("costgen_tenant=\"acme\"");
  }

  @Test
  void builder_validates() {
    assertThatThrownBy(() -> MicrometerMeter.builder(registry).maxTenants(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTenants");
    assertThatThrownBy(() -> MicrometerMeter.builder(registry).providerName(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("providerName");
  }
}

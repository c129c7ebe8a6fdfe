package io.costgen.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CostModel;
import io.costgen.cost.Money;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real generate() call priced per token still reports the device time it measured:
 * {@code costgen_device_seconds_total} is the call's measured device-seconds, not 0.
 */
class DeviceSecondsEndToEndTest {

  @Test
  void perTokenPricing_stillCountsMeasuredDeviceSeconds() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TextGenerator generator = TextGenerator.builder(ToyBackend.builder().vocabSize(64).build())
        .costModel(CostModel.builder().perMillionTokens(Money.usd("0.50"), Money.usd("1.50")).build())
        .meter(MicrometerMeter.builder(registry).build())
        .build();

    GenerationResult r = generator.generate(new long[][] {{1, 2, 3}},
        GenerationConfig.builder().maxNewTokens(4).minNewTokens(4).build());

    assertThat(r.usage().deviceSeconds()).isPositive();
    assertThat(r.cost().money().amount()).isPositive();   // priced per token, not per device-hour
    double counted = registry.get("costgen.device.seconds").counter().count();
    assertThat(counted).isPositive().isCloseTo(r.usage().deviceSeconds(), within(1e-12));

    Matcher m = Pattern.compile("(?m)^costgen_device_seconds_total(\\{[^}]*\\})? (\\S+)$").matcher(registry.scrape());
    assertThat(m.find()).as("costgen_device_seconds_total in the Prometheus scrape").isTrue();
    assertThat(Double.parseDouble(m.group(2))).isPositive();
  }
}

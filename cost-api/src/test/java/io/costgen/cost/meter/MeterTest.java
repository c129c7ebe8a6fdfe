package io.costgen.cost.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.Money;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeterTest {

  private static final UsageRecord R = UsageRecord.builder().tenantId("acme").model("gpt2").money(Money.usd("0.1"))
      .finishReason("eos").start(Instant.EPOCH).end(Instant.EPOCH).completionText("secret").build();

  @Test
  void composite_recordsIntoEveryMeter_andRethrowsTheFirstFailureAfterTryingAll() {
    List<String> seen = new ArrayList<>();
    Meter failing = r -> {
      throw new IllegalStateException("disk full");
    };
    Meter m = Meter.composite(r -> seen.add("a"), failing, r -> seen.add("c"));
    assertThatThrownBy(() -> m.record(R)).hasMessage("disk full");
    assertThat(seen).containsExactly("a", "c");
  }

  @Test
  void guarded_swallowsAndLogsFailures() {
    Meter m = Meter.guarded(r -> {
      throw new IllegalStateException("boom");
    });
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // slf4j-simple (the test binding) writes to whatever System.err is at the time of the call.
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      m.record(R); // no exception
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("WARN", "failed to record " + R.id(), "; ignored", "IllegalStateException: boom");
    Meter.noop().record(R);
  }

  @Test
  void loggingMeter_writesOneKeyValueLine_withoutText() {
    String line = LoggingMeter.line(R);
    assertThat(line).startsWith("usage id=" + R.id()).contains(" tenant=acme ", " model=gpt2 ", " money=$0.10 ", " currency=USD ", " finish=eos ")
        .doesNotContain("secret").doesNotContain("\n");
    UsageRecord odd = UsageRecord.builder().tenantId("a b=\"c\"").model("gpt2").finishReason("error")
        .error("line1\nline2").start(Instant.EPOCH).end(Instant.EPOCH).build();
    assertThat(LoggingMeter.line(odd)).contains("tenant=\"a b=\\\"c\\\"\"", "error=\"line1\\u000aline2\"").doesNotContain("\n");
    LoggingMeter.create().record(R);
  }

  @Test
  void loggingMeter_showsTinyAmountsReadably() {
    UsageRecord tiny = UsageRecord.builder().tenantId("acme").model("gpt2")
        .money(Money.usd("0.000000031890144477611943425")).finishReason("eos")
        .start(Instant.EPOCH).end(Instant.EPOCH).build();
    assertThat(LoggingMeter.line(tiny)).contains(" money=$0.0000000319 ").doesNotContain("0.000000031890144");
    UsageRecord large = UsageRecord.builder().tenantId("acme").model("gpt2").money(Money.usd("694444.444"))
        .finishReason("eos").start(Instant.EPOCH).end(Instant.EPOCH).build();
    assertThat(LoggingMeter.line(large)).contains(" money=$694,444.44 ");
  }
}

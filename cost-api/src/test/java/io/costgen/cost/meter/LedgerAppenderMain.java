package io.costgen.cost.meter;

import io.costgen.cost.Money;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Child process for {@link JsonLinesLedgerMultiProcessTest}: appends {@code count} records to a
 * shared ledger directory as tenant {@code writer}, printing {@code ACK <id>} for each one after
 * {@code record()} returned, then {@code DONE}. Record i costs {@code i × 0.000001} USD and has
 * {@code i} prompt tokens, so the parent knows every total exactly.
 *
 * <p>Arguments: ledger directory, writer name, count, end instant (ISO-8601).
 */
public final class LedgerAppenderMain {

  private LedgerAppenderMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String writer = args[1];
    int count = Integer.parseInt(args[2]);
    Instant end = Instant.parse(args[3]);
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
    try (JsonLinesLedger ledger = JsonLinesLedger.builder(dir).fsync(FsyncPolicy.everyNMillis(100)).build()) {
      for (int i = 1; i <= count; i++) {
        UsageRecord r = UsageRecord.builder().tenantId(writer).requestId(writer + "-" + i).model("gpt2")
            .promptTokens(i).completionTokens(1).money(Money.usd("0.000001").times(i))
            .finishReason("eos").start(end.minusMillis(5)).end(end).totalSeconds(0.005)
            .build();
        ledger.record(r);
        out.println("ACK " + r.id());
      }
    }
    out.println("DONE");
    out.flush();
  }
}

package io.costgen.cost.meter;

import io.costgen.cost.Money;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Child process for {@link JsonLinesLedgerKillTest}: appends records to a ledger with
 * {@link FsyncPolicy#EVERY_RECORD} and prints {@code ACK <id>} for each one after
 * {@code record()} returned, until it is killed (or its stdout is gone). Records end one
 * second apart starting at the given instant, so a run crosses a daily file boundary.
 *
 * <p>Arguments: ledger directory, first end instant (ISO-8601).
 */
public final class LedgerWriterMain {

  private LedgerWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Instant first = Instant.parse(args[1]);
    PrintStream out = System.out;
    try (JsonLinesLedger ledger = JsonLinesLedger.builder(dir).fsync(FsyncPolicy.EVERY_RECORD).build()) {
      out.println("READY");
      out.flush();
      for (long i = 0; i < 10_000_000L; i++) {
        Instant end = first.plusSeconds(i);
        UsageRecord r = UsageRecord.builder().tenantId("t" + (i % 7)).requestId("req-" + i).model("gpt2")
            .promptTokens(10 + i % 50).completionTokens(i % 200).money(Money.usd("0.000001").times(i))
            .finishReason("eos").start(end.minusMillis(250)).end(end).totalSeconds(0.25)
            .completionText("x".repeat((int) (i % 300))) // not written: the ledger does not include text
            .build();
        ledger.record(r);
        out.println("ACK " + r.id());
        out.flush();
        if (out.checkError()) {
          return; // the parent went away
        }
      }
    }
  }
}

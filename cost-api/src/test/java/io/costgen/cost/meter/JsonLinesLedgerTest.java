package io.costgen.cost.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.Money;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesLedgerTest {

  @TempDir
  Path dir;

  private static final Instant NOON = Instant.parse("2026-03-10T12:00:00Z");
  private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-04-01T00:00:00Z");

  private static UsageRecord.Builder record(Instant end) {
    return UsageRecord.builder().tenantId("acme").requestId("req").model("gpt2").promptTokens(12).completionTokens(30)
        .flops(1.5e12).deviceSeconds(0.75).energyJoules(210.5).co2eGrams(0.02).money(Money.usd("0.000000123"))
        .finishReason("eos").timeToFirstToken(java.time.Duration.ofMillis(50)).totalSeconds(0.75).start(end.minusMillis(750)).end(end);
  }

  @Test
  void open_onAPathThatCannotBeADirectory_throwsUncheckedMeterException_namingIt() throws IOException {
    // A regular file where the ledger folder should go: createDirectories fails for any user.
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    Path ledgerDir = file.resolve("ledger");
    assertThatThrownBy(() -> JsonLinesLedger.open(ledgerDir))
        .isInstanceOf(MeterException.class)
        .isInstanceOf(io.costgen.cost.CostgenException.class)
        .hasMessageContaining(ledgerDir.toString())
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void read_ofAMissingDirectory_throwsUncheckedMeterException_namingIt() {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> LedgerReader.read(missing, FROM, TO))
        .isInstanceOf(MeterException.class)
        .hasMessageContaining(missing.toString())
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void timeToFirstToken_isWrittenInSeconds_underItsNewKey_andAbsentWhenUnknown() throws IOException {
    UsageRecord known = record(NOON).id("known").build();
    UsageRecord unknown = record(NOON).id("unknown").timeToFirstToken(null).build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(known);
      ledger.record(unknown);
    }
    List<String> lines = Files.readAllLines(dir.resolve("usage-2026-03-10.jsonl"));
    assertThat(lines.get(0)).contains("\"timeToFirstTokenSeconds\":0.05").doesNotContain("ttftSeconds");
    assertThat(lines.get(1)).doesNotContain("timeToFirstToken").doesNotContain("ttftSeconds").doesNotContain(":-1");
    assertThat(LedgerReader.read(dir, FROM, TO).records()).containsExactly(known, unknown);
    assertThat(unknown.timeToFirstToken()).isEmpty();
  }

  @Test
  void aLedgerWrittenBeforeTheRename_withTtftSeconds_stillReads() throws IOException {
    // Lines as costgen wrote them before timeToFirstTokenSeconds: "ttftSeconds", -1 for unknown.
    String old = "{\"v\":1,\"id\":\"%s\",\"start\":\"2026-03-10T11:59:59Z\",\"end\":\"2026-03-10T12:00:00Z\","
        + "\"tenant\":\"acme\",\"requestId\":\"req\",\"model\":\"gpt2\",\"tags\":{},\"promptTokens\":12,"
        + "\"completionTokens\":30,\"flops\":1.5E12,\"deviceSeconds\":0.75,\"energyJoules\":210.5,"
        + "\"co2eGrams\":0.02,\"money\":\"0.000000123\",\"currency\":\"USD\",\"finishReason\":\"eos\","
        + "\"ttftSeconds\":%s,\"totalSeconds\":0.75}\n";
    Files.writeString(dir.resolve("usage-2026-03-10.jsonl"), String.format(old, "a", "0.05") + String.format(old, "b", "-1.0"));
    LedgerReader.Result read = LedgerReader.read(dir, FROM, TO);
    assertThat(read.skippedLines()).isZero();
    assertThat(read.records()).extracting(UsageRecord::id).containsExactly("a", "b");
    assertThat(read.records().get(0).timeToFirstToken()).contains(java.time.Duration.ofMillis(50));
    assertThat(read.records().get(1).timeToFirstToken()).isEmpty();
    assertThat(read.records().get(0).money()).isEqualTo(Money.usd("0.000000123"));
  }

  @Test
  void record_roundTripsEveryField_exactly() throws IOException {
    UsageRecord r = record(NOON).tags(Map.of("team", "search", "env", "prod")).error("BackendException: oom")
        .reservationId("r-1").build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(r);
    }
    List<UsageRecord> back = LedgerReader.read(dir, FROM, TO).records();
    assertThat(back).containsExactly(r);
    assertThat(back.get(0).money().amount().toPlainString()).isEqualTo("0.000000123");
  }

  @Test
  void promptAndCompletionText_areNotWritten_unlessTheLedgerOptsIn() throws IOException {
    UsageRecord r = record(NOON).promptText("secret prompt").completionText("secret answer").build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(r);
    }
    String file = Files.readString(dir.resolve("usage-2026-03-10.jsonl"));
    assertThat(file).doesNotContain("secret");
    assertThat(LedgerReader.read(dir, FROM, TO).records().get(0)).isEqualTo(r.withoutText());

    Path other = dir.resolve("with-text");
    try (JsonLinesLedger ledger = JsonLinesLedger.builder(other).includeText(true).build()) {
      ledger.record(r);
    }
    assertThat(LedgerReader.read(other, FROM, TO).records()).containsExactly(r);
  }

  @Test
  void files_rollDaily_byRecordEndTime_inTheLedgerZone() throws IOException {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    try (JsonLinesLedger ledger = JsonLinesLedger.builder(dir).zone(berlin).build()) {
      ledger.record(record(Instant.parse("2026-03-29T21:59:59Z")).build()); // 23:59:59 CEST, March 29
      ledger.record(record(Instant.parse("2026-03-29T22:00:00Z")).build()); // 00:00 CEST, March 30
      ledger.record(record(Instant.parse("2026-03-29T21:00:00Z")).build()); // back to March 29
    }
    assertThat(lines(dir.resolve(JsonLinesLedger.fileName(LocalDate.parse("2026-03-29"))))).hasSize(2);
    assertThat(lines(dir.resolve(JsonLinesLedger.fileName(LocalDate.parse("2026-03-30"))))).hasSize(1);
  }

  @Test
  void tornLastLine_isSkippedWithAWarning_andTheNextWriteStartsOnANewLine() throws IOException {
    UsageRecord a = record(NOON).build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(a);
    }
    Path file = dir.resolve("usage-2026-03-10.jsonl");
    String full = new String(UsageRecordJson.toLine(record(NOON).build(), false), StandardCharsets.UTF_8);
    Files.writeString(file, full.substring(0, full.length() / 2), StandardOpenOption.APPEND); // a crash mid-write

    LedgerReader.Result torn = LedgerReader.read(dir, FROM, TO);
    assertThat(torn.records()).containsExactly(a);
    assertThat(torn.skippedLines()).isEqualTo(1);

    UsageRecord b = record(NOON.plusSeconds(1)).build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(b);
    }
    LedgerReader.Result after = LedgerReader.read(dir, FROM, TO);
    assertThat(after.records()).containsExactly(a, b);
    assertThat(after.skippedLines()).isEqualTo(1);
  }

  @Test
  void tornMultiByteCharacter_doesNotBreakReading() throws IOException {
    UsageRecord a = record(NOON).tenantId("Zürich").build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(a);
    }
    byte[] line = UsageRecordJson.toLine(record(NOON).tenantId("Zürich").build(), false);
    int cut = new String(line, StandardCharsets.ISO_8859_1).indexOf("\u00c3") + 1; // inside the 2-byte 'ü'
    byte[] partial = java.util.Arrays.copyOf(line, cut);
    Files.write(dir.resolve("usage-2026-03-10.jsonl"), partial, StandardOpenOption.APPEND);
    LedgerReader.Result r = LedgerReader.read(dir, FROM, TO);
    assertThat(r.records()).containsExactly(a);
    assertThat(r.skippedLines()).isEqualTo(1);
  }

  @Test
  void aRecordIdWrittenTwice_countsOnceOnReading() throws IOException {
    UsageRecord r = record(NOON).id("fixed-id").build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(r);
      ledger.record(r); // e.g. a retry after a timeout that had in fact succeeded
      ledger.record(record(NOON).build());
    }
    LedgerReader.Result read = LedgerReader.read(dir, FROM, TO);
    assertThat(read.records()).hasSize(2);
    assertThat(read.duplicates()).isEqualTo(1);
  }

  @Test
  void read_filtersByEndTime_halfOpen() throws IOException {
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(record(NOON.minusSeconds(1)).requestId("before").build());
      ledger.record(record(NOON).requestId("at").build());
      ledger.record(record(NOON.plusSeconds(3600)).requestId("end").build());
    }
    assertThat(LedgerReader.read(dir, NOON, NOON.plusSeconds(3600)).records())
        .extracting(UsageRecord::requestId).containsExactly("at");
    assertThatThrownBy(() -> LedgerReader.read(dir, NOON, NOON.minusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyNMillisPolicy_writesBeforeAcknowledging_andForcesOnClose() throws IOException {
    UsageRecord r = record(NOON).build();
    JsonLinesLedger ledger = JsonLinesLedger.builder(dir).fsync(FsyncPolicy.everyNMillis(50)).build();
    ledger.record(r);
    // acknowledged: already in the file (the OS has it), whatever the fsync timing
    assertThat(LedgerReader.read(dir, FROM, TO).records()).containsExactly(r);
    ledger.flush();
    ledger.close();
    ledger.close(); // idempotent
    assertThatThrownBy(() -> ledger.record(r)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void concurrentWriters_produceIntactLines() throws Exception {
    int threads = 8;
    int each = 300;
    try (JsonLinesLedger ledger = JsonLinesLedger.builder(dir).fsync(FsyncPolicy.everyNMillis(5)).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int tt = t;
          fs.add(pool.submit(() -> {
            for (int i = 0; i < each; i++) {
              ledger.record(record(NOON.plusSeconds(i)).tenantId("t" + tt).build());
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    }
    LedgerReader.Result read = LedgerReader.read(dir, FROM, TO);
    assertThat(read.records()).hasSize(threads * each);
    assertThat(read.skippedLines()).isZero();
  }

  @Test
  void fsyncPolicy_validatesItsPeriod() {
    assertThatThrownBy(() -> FsyncPolicy.everyNMillis(0)).hasMessageStartingWith("millis:");
    assertThatThrownBy(() -> new FsyncPolicy(-1)).hasMessageStartingWith("everyMillis:");
    assertThat(FsyncPolicy.everyNMillis(20).toString()).isEqualTo("EVERY_N_MILLIS(20)");
    assertThat(FsyncPolicy.EVERY_RECORD.everyRecord()).isTrue();
  }

  private static List<String> lines(Path p) throws IOException {
    return Files.readAllLines(p);
  }
}

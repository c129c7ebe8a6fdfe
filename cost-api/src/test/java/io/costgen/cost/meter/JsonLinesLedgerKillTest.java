package io.costgen.cost.meter;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.Money;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM (SIGKILL via {@link Process#destroyForcibly()}) while it appends to a ledger
 * with {@link FsyncPolicy#EVERY_RECORD}: every record it acknowledged is read back, none twice,
 * and the ledger keeps working after the crash.
 */
class JsonLinesLedgerKillTest {

  private static final int ACKS_BEFORE_KILL = 400;

  @Test
  void killDashNine_midRun_losesNoAcknowledgedRecord_andDuplicatesNone(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ledger");
    Path stderr = tmp.resolve("child-stderr.txt");
    Instant first = Instant.parse("2026-03-10T23:59:00Z"); // crosses midnight after 60 records
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LedgerWriterMain.class.getName(), dir.toString(), first.toString())
        .redirectError(stderr.toFile())
        .start();
    Set<String> acked = new LinkedHashSet<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("child started; stderr: %s", readQuietly(stderr)).isEqualTo("READY");
      while (acked.size() < ACKS_BEFORE_KILL) {
        line = out.readLine();
        assertThat(line).as("child still running; stderr: %s", readQuietly(stderr)).isNotNull();
        acked.add(line.substring("ACK ".length()));
      }
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
      assertThat(child.waitFor()).isNotZero();
    } finally {
      child.destroyForcibly();
    }

    LedgerReader.Result read = LedgerReader.read(dir, first.minusSeconds(3600), first.plusSeconds(1_000_000));
    Set<String> ids = new HashSet<>();
    for (UsageRecord r : read.records()) {
      assertThat(ids.add(r.id())).as("record %s read once", r.id()).isTrue();
      assertThat(r.completionText()).isEmpty();
    }
    assertThat(ids).containsAll(acked);
    assertThat(read.duplicates()).isZero();
    assertThat(read.skippedLines()).isLessThanOrEqualTo(1); // at most the line torn by the kill
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("usage-")).sorted().toList())
          .containsExactly("usage-2026-03-10.jsonl", "usage-2026-03-11.jsonl");
    }

    // After the crash the ledger appends cleanly to the file the child was writing (behind a torn line, if any).
    Instant later = Instant.parse("2026-03-11T12:00:00Z");
    UsageRecord after = UsageRecord.builder().model("gpt2").requestId("after").money(Money.usd("1"))
        .finishReason("eos").start(later).end(later).build();
    try (JsonLinesLedger ledger = JsonLinesLedger.open(dir)) {
      ledger.record(after);
    }
    List<UsageRecord> again = LedgerReader.read(dir, first.minusSeconds(3600), later.plusSeconds(1)).records();
    assertThat(again).extracting(UsageRecord::id).contains(after.id()).containsAll(acked);
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return "(unreadable: " + e + ")";
    }
  }
}

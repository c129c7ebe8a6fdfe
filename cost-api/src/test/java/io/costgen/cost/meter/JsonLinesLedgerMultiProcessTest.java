package io.costgen.cost.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 defect 2: several processes appending to one ledger directory. Before append mode and
 * the per-record lock, two writers overwrote each other's records (19,486 of 40,000 lost).
 */
class JsonLinesLedgerMultiProcessTest {

  private static final int WRITERS = 4;
  private static final int RECORDS = 10_000;

  @Test
  void fourProcesses_appendingToOneDirectory_loseAndDuplicateNothing(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ledger");
    Instant end = Instant.parse("2026-03-10T12:00:00Z");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      children.add(new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
          LedgerAppenderMain.class.getName(), dir.toString(), "w" + w, Integer.toString(RECORDS), end.toString())
          .redirectError(tmp.resolve("w" + w + ".err").toFile())
          .start());
    }
    ExecutorService readers = Executors.newFixedThreadPool(WRITERS);
    Set<String> acked = new HashSet<>();
    try {
      List<Future<List<String>>> acks = new ArrayList<>();
      for (Process p : children) {
        acks.add(readers.submit(() -> {
          List<String> ids = new ArrayList<>();
          try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
              if (line.startsWith("ACK ")) {
                ids.add(line.substring(4));
              } else if (line.equals("DONE")) {
                ids.add(line);
              }
            }
          }
          return ids;
        }));
      }
      for (int w = 0; w < WRITERS; w++) {
        List<String> ids = acks.get(w).get();
        assertThat(children.get(w).waitFor()).as("writer %d; stderr: %s", w,
            Files.readString(tmp.resolve("w" + w + ".err"))).isZero();
        assertThat(ids).as("writer %d finished", w).endsWith("DONE").hasSize(RECORDS + 1);
        acked.addAll(ids.subList(0, RECORDS));
      }
    } finally {
      readers.shutdownNow();
      children.forEach(Process::destroyForcibly);
    }
    assertThat(acked).hasSize(WRITERS * RECORDS);

    LedgerReader.Result read = LedgerReader.read(dir, end.minusSeconds(3600), end.plusSeconds(3600));
    assertThat(read.skippedLines()).isZero();
    assertThat(read.duplicates()).isZero();
    assertThat(read.records()).hasSize(WRITERS * RECORDS);
    Map<String, BigDecimal> moneyByTenant = new HashMap<>();
    Map<String, Long> tokensByTenant = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (UsageRecord r : read.records()) {
      assertThat(seen.add(r.id())).isTrue();
      moneyByTenant.merge(r.tenantId().orElseThrow(), r.money().amount(), BigDecimal::add);
      tokensByTenant.merge(r.tenantId().orElseThrow(), r.promptTokens(), Long::sum);
    }
    assertThat(seen).isEqualTo(acked);
    // record i costs i × 0.000001 USD and has i prompt tokens: each writer's totals are exact
    long n = RECORDS;
    BigDecimal perWriter = new BigDecimal("0.000001").multiply(BigDecimal.valueOf(n * (n + 1) / 2));
    for (int w = 0; w < WRITERS; w++) {
      assertThat(moneyByTenant.get("w" + w)).isEqualByComparingTo(perWriter);
      assertThat(tokensByTenant.get("w" + w)).isEqualTo(n * (n + 1) / 2);
    }
    // each line of the file is one whole record
    List<String> lines = Files.readAllLines(dir.resolve(JsonLinesLedger.fileName(end.atZone(ZoneOffset.UTC)
        .toLocalDate())));
    assertThat(lines).hasSize(WRITERS * RECORDS).allMatch(l -> l.startsWith("{") && l.endsWith("}"));
  }
}

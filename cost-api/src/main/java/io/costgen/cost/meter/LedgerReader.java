package io.costgen.cost.meter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link JsonLinesLedger} directory. Lines that are not complete records (a torn write
 * after a crash, or any other damage) are skipped with a WARN naming file and line; a record id
 * seen again counts once (the first occurrence wins). Stateless and thread-safe.
 */
public final class LedgerReader {

  private static final Logger LOG = LoggerFactory.getLogger(LedgerReader.class);

  private LedgerReader() {}

  /**
   * What {@link #read} found: the records (file date order, then file order), how many lines were
   * skipped as unreadable, and how many duplicate ids were dropped.
   */
  public record Result(List<UsageRecord> records, int skippedLines, int duplicates) {
    public Result {
      records = List.copyOf(records);
    }
  }

  /**
   * The records in {@code dir} whose end time is in {@code [from, to)}. Files are chosen by the
   * date in their name with a day of slack on both sides (any ledger zone is within ±18 h of UTC).
   *
   * @throws MeterException (unchecked; the {@link IOException} as its cause) if the directory or
   *     a file cannot be read; the message names the path
   */
  public static Result read(Path dir, Instant from, Instant to) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("to: " + to + " is before from " + from);
    }
    LocalDate first = from.atZone(ZoneOffset.UTC).toLocalDate().minusDays(1);
    LocalDate last = to.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1);
    TreeMap<LocalDate, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "usage-*.jsonl")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        try {
          LocalDate d = LocalDate.parse(name.substring("usage-".length(), name.length() - ".jsonl".length()));
          if (!d.isBefore(first) && !d.isAfter(last)) {
            files.put(d, p);
          }
        } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
          LOG.debug("ignoring {} (not a ledger file name)", p);
        }
      }
    } catch (IOException e) {
      throw new MeterException("ledger: cannot list " + dir + ": " + e, e);
    }
    List<UsageRecord> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int skipped = 0;
    int duplicates = 0;
    for (Path p : files.values()) {
      // InputStreamReader replaces malformed UTF-8 (a torn multi-byte char) instead of failing.
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(Files.newInputStream(p), StandardCharsets.UTF_8), 1 << 16)) {
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          UsageRecord r;
          try {
            r = UsageRecordJson.parse(line);
          } catch (IllegalArgumentException e) {
            skipped++;
            LOG.warn("ledger {} line {}: skipped unreadable line ({}); a torn write from a crash looks like this",
                p, lineNo, e.getMessage());
            continue;
          }
          if (!seen.add(r.id())) {
            duplicates++;
            continue;
          }
          if (!r.end().isBefore(from) && r.end().isBefore(to)) {
            out.add(r);
          }
        }
      } catch (IOException e) {
        throw new MeterException("ledger: cannot read " + p + ": " + e, e);
      }
    }
    return new Result(out, skipped, duplicates);
  }
}

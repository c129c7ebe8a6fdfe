package io.costgen.bench.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads this process's memory figures from {@code /proc/self/status} (Linux): {@code VmHWM}, the
 * peak resident set size, and {@code VmRSS}, the current one, in KiB. Empty where the file is
 * missing (not Linux). Thread-safe.
 */
public final class ProcStatus {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcStatus() {}

  /** Peak resident set size of this process, KiB. */
  public static OptionalLong peakRssKib() {
    return read("VmHWM");
  }

  /** Current resident set size of this process, KiB. */
  public static OptionalLong rssKib() {
    return read("VmRSS");
  }

  private static OptionalLong read(String field) {
    try {
      return parseKib(Files.readAllLines(STATUS), field);
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** The value of {@code field} ({@code "VmHWM:\t  1234 kB"}) in {@code lines}, KiB. */
  public static OptionalLong parseKib(List<String> lines, String field) {
    String prefix = field + ":";
    for (String line : lines) {
      if (line.startsWith(prefix)) {
        String[] parts = line.substring(prefix.length()).trim().split("\\s+");
        if (parts.length >= 1 && !parts[0].isEmpty()) {
          long v = Long.parseLong(parts[0]);
          if (parts.length >= 2 && parts[1].equalsIgnoreCase("mB")) {
            v *= 1024;
          }
          return OptionalLong.of(v);
        }
      }
    }
    return OptionalLong.empty();
  }
}

package io.costgen.cost;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Facts about the host read without measuring: CPU model, architecture, physical memory. Stateless. */
final class HostProbe {
  private static final Logger LOG = LoggerFactory.getLogger(HostProbe.class);

  private HostProbe() {}

  static String arch() {
    return System.getProperty("os.arch", "unknown");
  }

  /** The CPU model name ({@code /proc/cpuinfo} where available, else OS and architecture). */
  static String cpuModel() {
    Path cpuinfo = Paths.get("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            String k = line.substring(0, colon).trim();
            if (k.equals("model name") || k.equals("Model") || k.equals("Hardware")) {
              String v = line.substring(colon + 1).trim();
              if (!v.isEmpty()) {
                return v;
              }
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read /proc/cpuinfo: {}", e.toString());
      }
    }
    return System.getProperty("os.name", "unknown") + " " + arch();
  }

  /** Physical memory of the host, bytes (the JVM's maximum heap where it cannot be read). */
  static long physicalMemoryBytes() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      long total = sun.getTotalMemorySize();
      if (total > 0) {
        return total;
      }
    }
    return Runtime.getRuntime().maxMemory();
  }
}

package io.costgen.bench.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link RunSpec} in a fresh JVM (same Java, same class path) so that every
 * configuration's peak RSS is its own, and reads back its {@link RunResult}. The child's
 * standard error is forwarded, prefixed, to {@code log}. Not thread-safe.
 */
public final class ChildLauncher {
  private final List<String> jvmArgs;
  private final PrintStream log;
  private final long timeoutSeconds;
  private final Path jfrDir;

  /**
   * @param jvmArgs extra JVM options for every child (heap size etc.)
   * @param jfrDir when not null, each child records a JFR file there ({@code -XX:StartFlightRecording})
   */
  public ChildLauncher(List<String> jvmArgs, PrintStream log, long timeoutSeconds, Path jfrDir) {
    this.jvmArgs = List.copyOf(jvmArgs);
    this.log = log;
    this.timeoutSeconds = timeoutSeconds;
    this.jfrDir = jfrDir;
  }

  /** The java launcher of this JVM. */
  static String javaBinary() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Runs {@code spec}; {@code label} names it in logs and JFR file names. */
  public RunResult run(RunSpec spec, String label) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmArgs);
    if (jfrDir != null) {
      String file = jfrDir.resolve(label.replaceAll("[^A-Za-z0-9._-]", "_") + ".jfr").toString();
      cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + file);
    }
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChildMain.class.getName());
    cmd.add(ChildMain.JSON.writeValueAsString(spec));
    return parse(runForLine(cmd, label, RunResult.MARKER));
  }

  /**
   * Runs {@code cmd} (any program), forwarding its standard error, prefixed with {@code label},
   * to the log, and returns the last standard-output line that starts with {@code marker}.
   *
   * @throws IOException when it does not finish within the timeout, exits non-zero or prints no
   *     such line (the message carries the rest of its standard output)
   */
  public String runForLine(List<String> cmd, String label, String marker) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Process p = pb.start();
    Thread errPump = new Thread(() -> pump(p, label), "bench-child-stderr");
    errPump.setDaemon(true);
    errPump.start();
    String resultLine = null;
    StringBuilder stdout = new StringBuilder();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(marker)) {
          resultLine = line;
        } else {
          stdout.append(line).append('\n');
        }
      }
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(label + ": child JVM did not finish within " + timeoutSeconds + " s");
    }
    errPump.join(5_000);
    if (p.exitValue() != 0 || resultLine == null) {
      throw new IOException(label + ": child JVM exited with status " + p.exitValue()
          + (resultLine == null ? " and no result line" : "") + (stdout.length() > 0 ? "; stdout:\n" + stdout : ""));
    }
    return resultLine;
  }

  /** Parses a child's result line. */
  static RunResult parse(String line) throws IOException {
    if (!line.startsWith(RunResult.MARKER)) {
      throw new IOException("not a result line: " + line);
    }
    return ChildMain.JSON.readValue(line.substring(RunResult.MARKER.length()), RunResult.class);
  }

  private void pump(Process p, String label) {
    try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = err.readLine()) != null) {
        log.println("  [" + label + "] " + line);
      }
    } catch (IOException e) {
      log.println("  [" + label + "] (stderr closed: " + e.getMessage() + ")");
    }
  }
}

package io.costgen.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a fresh JVM (this JVM's java, by default this JVM's class path)
 * and captures its exit code, stdout and stderr: for what only a new process can show (native
 * crashes, the command line, files left on disk at exit, several processes at once).
 *
 * <p>Every child starts with {@value #ENABLE_NATIVE_ACCESS}, as the README tells host applications
 * to: a child runs with {@code -cp}, where no jar manifest's {@code Enable-Native-Access} applies,
 * and on JDK 24+ ONNX Runtime's and DJL's {@code System.load} would otherwise print four
 * "restricted method" warning lines to stderr. Java 17 and later accept the option (checked on
 * 17 and 25; before 24 it changes nothing here), so the command line is the same on every JDK.
 */
public final class ChildJvm {
  /** The JVM option every child gets (see the class comment). */
  public static final String ENABLE_NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  private final String mainClass;
  private final List<String> jvmArgs = new ArrayList<>();
  private final List<String> args = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private String classPath = System.getProperty("java.class.path");
  private Duration timeout = Duration.ofMinutes(3);
  private Path javaHome = Path.of(System.getProperty("java.home"));

  private ChildJvm(String mainClass) {
    this.mainClass = mainClass;
  }

  /** A child JVM that runs {@code main}'s {@code main(String[])}. */
  public static ChildJvm of(Class<?> main) {
    return new ChildJvm(main.getName());
  }

  /** A child JVM that runs the named class's {@code main(String[])}. */
  public static ChildJvm of(String mainClass) {
    return new ChildJvm(mainClass);
  }

  public ChildJvm jvmArg(String arg) {
    jvmArgs.add(arg);
    return this;
  }

  public ChildJvm args(String... a) {
    args.addAll(List.of(a));
    return this;
  }

  public ChildJvm args(List<String> a) {
    args.addAll(a);
    return this;
  }

  public ChildJvm env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public ChildJvm classPath(String cp) {
    this.classPath = cp;
    return this;
  }

  /** Runs the child on the JDK or JRE at {@code home} instead of this JVM's. */
  public ChildJvm javaHome(Path home) {
    this.javaHome = home;
    return this;
  }

  /**
   * A JDK with virtual threads (21+): this JVM's when it has them, else the one named by the
   * system property {@code costgen.test.jdk21plus}, else {@code /usr/lib/jvm/temurin-25-jdk-amd64}
   * (where the build machines have Java 25). Fails (never skips) when none is there.
   */
  public static Path virtualThreadJdk() {
    return jdkAtLeast(21, "costgen.test.jdk21plus");
  }

  /**
   * A JDK that restricts native access (24+, where a {@code System.load} by class-path code prints
   * "WARNING: A restricted method ..." unless native access is enabled): this JVM's when it is one,
   * else the one named by the system property {@code costgen.test.jdk24plus}, else
   * {@code /usr/lib/jvm/temurin-25-jdk-amd64}. Fails (never skips) when none is there.
   */
  public static Path restrictedNativeAccessJdk() {
    return jdkAtLeast(24, "costgen.test.jdk24plus");
  }

  private static Path jdkAtLeast(int feature, String property) {
    if (Runtime.version().feature() >= feature) {
      return Path.of(System.getProperty("java.home"));
    }
    Path home = Path.of(System.getProperty(property, "/usr/lib/jvm/temurin-25-jdk-amd64"));
    String advice = "; install one there or pass -D" + property + "=/path/to/jdk (this JVM is Java "
        + Runtime.version().feature() + ")";
    if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
      throw new AssertionError("this test needs a Java " + feature + "+ JDK for its child JVM: none at " + home
          + advice);
    }
    int found = featureVersion(home);
    if (found < feature) {
      throw new AssertionError("this test needs a Java " + feature + "+ JDK for its child JVM: " + home
          + " is Java " + found + advice);
    }
    return home;
  }

  /** The feature version in {@code home/release} ({@code JAVA_VERSION="25.0.3"} → 25); 0 when unknown. */
  private static int featureVersion(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(v.split("[.+-]")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  public ChildJvm timeout(Duration t) {
    this.timeout = t;
    return this;
  }

  /** This JVM's class path plus non-existent entries until it is at least {@code chars} long. */
  public static String paddedClassPath(int chars) {
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    int i = 0;
    while (cp.length() < chars) {
      cp.append(java.io.File.pathSeparatorChar).append("/nonexistent/costgen-padding/entry-").append(i++)
          .append("/classes");
    }
    return cp.toString();
  }

  /** The command line this child runs. */
  public List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin").resolve("java").toString());
    cmd.add(ENABLE_NATIVE_ACCESS);
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Starts the child without waiting; its output goes to files under {@code dir}. */
  public Running start(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path out = Files.createTempFile(dir, "child", ".out");
    Path err = Files.createTempFile(dir, "child", ".err");
    ProcessBuilder pb = new ProcessBuilder(command()).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    return new Running(pb.start(), out, err, timeout);
  }

  /** Runs the child to completion (failing the test if it outlives the timeout). */
  public Result run(Path dir) throws IOException, InterruptedException {
    return start(dir).await();
  }

  /** A started child. */
  public static final class Running {
    private final Process process;
    private final Path out;
    private final Path err;
    private final Duration timeout;

    Running(Process process, Path out, Path err, Duration timeout) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.timeout = timeout;
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
      return process.isAlive();
    }

    /** Waits up to {@code d}; true when the child has exited. */
    public boolean waitFor(Duration d) throws InterruptedException {
      return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Kills the child and waits for it to be gone. */
    public void kill() throws InterruptedException {
      process.destroyForcibly().waitFor();
    }

    /** What the child has written to stdout so far. */
    public String out() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    public Result await() throws IOException, InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("child JVM still running after " + timeout + "; stderr:\n"
            + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }
  }

  /** Exit code and captured output of a finished child. */
  public record Result(int exitCode, String out, String err) {
    /** For assertion messages. */
    public String describe() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }
}

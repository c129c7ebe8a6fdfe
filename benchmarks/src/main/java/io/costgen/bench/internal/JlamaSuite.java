package io.costgen.bench.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModel;
import io.costgen.testkit.SyntheticModels;
import io.costgen.testkit.WeightFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code jlama} suite: costgen and Jlama (the Java-native inference engine) side by side on
 * the same llama-small weights, costgen from the synthetic ONNX model, Jlama from the same
 * weights written as a Hugging Face safetensors folder ({@link SyntheticModels#cachedSafetensors}).
 * Every measurement runs in a fresh JVM (peak RSS is its own): costgen in {@link CostgenSide} on
 * this JVM's Java, Jlama in {@code benchmarks/jlama-driver} on Java 21+ (Jlama needs the
 * incubating Vector API; costgen's build stays on Java 17). The two alternate, A-B then B-A, so a
 * slow phase of a shared machine does not always hit the same engine.
 *
 * <p>When Java 21+ or the driver jar is missing, the section says so and what to build; the
 * rest of the run goes on. Not thread-safe.
 */
public final class JlamaSuite {

  /** Where the driver jar is built ({@code mvn -f benchmarks/jlama-driver/pom.xml package}). */
  static final String DRIVER_JAR = "benchmarks/jlama-driver/target/costgen-jlama-driver.jar";

  /** The JDK this project's machines carry for Java 25 runs. */
  static final String DEFAULT_JAVA_HOME = "/usr/lib/jvm/temurin-25-jdk-amd64";

  static final String BUILD_HINT = "build it with `JAVA_HOME=" + DEFAULT_JAVA_HOME
      + " mvn -B -q -f benchmarks/jlama-driver/pom.xml package`";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Where to find the Jlama side.
   *
   * @param java a {@code java} launcher of Java 21+, or null to search ({@code $COSTGEN_JLAMA_JAVA},
   *     {@value #DEFAULT_JAVA_HOME}, then any {@code /usr/lib/jvm/*} of version 21+)
   * @param driverJar the driver jar, or null for {@value #DRIVER_JAR} under the working directory
   *     or beside {@code costgen-bench.jar}'s folder
   */
  public record Locations(Path java, Path driverJar) {}

  /**
   * Counts of one run.
   *
   * @param rounds alternating child pairs per precision (round 0: Jlama first, then costgen)
   * @param promptTokens decode prompt length, tokens per row
   * @param newTokens new tokens per row (decode steps = newTokens − 1)
   * @param warmup unmeasured batch-1 runs first in every child (JIT, first-touch)
   * @param reps measured batch-1 runs per child
   * @param b8Reps measured batch-8 runs per child
   * @param ttftPrompts TTFT prompt lengths
   * @param ttftReps measured TTFT runs per length and child
   * @param secondsCap a series stops after one measured run once it took longer
   */
  record Counts(int rounds, int promptTokens, int newTokens, int warmup, int reps, int b8Reps,
      List<Integer> ttftPrompts, int ttftReps, double secondsCap) {
    static Counts full() {
      return new Counts(2, 32, 32, 1, 3, 1, List.of(128, 512), 2, 120);
    }

    static Counts quick() {
      return new Counts(1, 16, 8, 1, 1, 1, List.of(128), 1, 30);
    }
  }

  /** One precision: the two model folders (costgen's may be missing). */
  record Variant(String label, ModelRef costgen, Path jlamaDir, String costgenMissing) {}

  private final Path cacheDir;
  private final Counts counts;
  private final Locations locations;
  private final List<String> childJvmArgs;
  private final ChildLauncher launcher;
  private final PrintStream log;

  JlamaSuite(Path cacheDir, boolean quick, Locations locations, List<String> childJvmArgs,
      ChildLauncher launcher, PrintStream log) {
    this.cacheDir = cacheDir;
    this.counts = quick ? Counts.quick() : Counts.full();
    this.locations = locations == null ? new Locations(null, null) : locations;
    this.childJvmArgs = List.copyOf(childJvmArgs);
    this.launcher = launcher;
    this.log = log;
  }

  /** Runs the suite; returns the markdown of its section (a "not run" paragraph when it cannot run). */
  String run() {
    Optional<Path> java = findJava(locations.java());
    if (java.isEmpty()) {
      return "Not run: no Java 21 or newer found (Jlama needs the incubating Vector API). Give"
          + " `--jlama-java PATH/bin/java` or set `$COSTGEN_JLAMA_JAVA`; looked in " + DEFAULT_JAVA_HOME
          + " and /usr/lib/jvm.\n";
    }
    Optional<Path> driver = findDriver(locations.driverJar());
    if (driver.isEmpty()) {
      return "Not run: the Jlama driver jar was not found (" + DRIVER_JAR + "); " + BUILD_HINT
          + " (or give `--jlama-driver FILE`).\n";
    }
    SyntheticModel model = BenchModels.llamaSmall();
    List<Variant> variants = new ArrayList<>();
    try {
      log.println("Jlama: preparing " + model.name() + " as ONNX and as a safetensors folder...");
      ModelRef onnx = BenchModels.synthetic(cacheDir, model, Layout.WITH_PAST);
      Path hf = SyntheticModels.cachedSafetensors(cacheDir, model);
      variants.add(new Variant("fp32", onnx, hf, null));
      Path q4 = quantized(java.get(), driver.get(), hf);
      log.println("Jlama: preparing the int4 (MatMulNBits) twin of " + model.name() + "...");
      ModelRef int4 = BenchModels.synthetic(cacheDir, model.toBuilder().weightFormat(WeightFormat.INT4).build(),
          Layout.WITH_PAST);
      variants.add(new Variant("4-bit", int4, q4, null));
    } catch (IOException | RuntimeException e) {
      return "Not run: cannot prepare the models: " + e + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    JlamaReport report = new JlamaReport(counts);
    for (Variant v : variants) {
      for (int round = 0; round < counts.rounds(); round++) {
        boolean jlamaFirst = round % 2 == 0;
        Map<String, Object> j = null;
        Map<String, Object> c = null;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == jlamaFirst) {
            j = jlamaChild(java.get(), driver.get(), v, round, round == 0);
          } else if (v.costgen() != null) {
            c = costgenChild(v, round);
          }
        }
        report.add(v.label(), v.costgenMissing(), c, j);
      }
    }
    return report.render(java.get(), driver.get());
  }

  private Map<String, Object> jlamaChild(Path java, Path driver, Variant v, int round, boolean tokenByToken) {
    Map<String, Object> req = JlamaProtocol.request(v.jlamaDir().toString(), null, counts.promptTokens(),
        counts.newTokens(), List.of(1, 8), counts.warmup(), counts.reps(), counts.b8Reps(), counts.ttftPrompts(),
        counts.ttftReps(), counts.secondsCap(), BenchModels.llamaSmall().vocabSize());
    // After the measurements, untimed: the decode prompts again with the prompt fed one forward per
    // token, which tells a difference of Jlama's batched prefill from one of its decode steps.
    req.put("tokenByTokenAgain", tokenByToken);
    List<String> cmd = new ArrayList<>(List.of(java.toString()));
    cmd.addAll(jlamaJvmFlags());
    cmd.addAll(childJvmArgs);
    cmd.addAll(List.of("-jar", driver.toString(), "measure"));
    return child(cmd, req, "Jlama " + v.label() + " round " + (round + 1));
  }

  private Map<String, Object> costgenChild(Variant v, int round) {
    Map<String, Object> req = JlamaProtocol.request(v.costgen().dir(), v.costgen().file(), counts.promptTokens(),
        counts.newTokens(), List.of(1, 8), counts.warmup(), counts.reps(), counts.b8Reps(), counts.ttftPrompts(),
        counts.ttftReps(), counts.secondsCap(), BenchModels.llamaSmall().vocabSize());
    List<String> cmd = new ArrayList<>(List.of(ChildLauncher.javaBinary()));
    cmd.addAll(childJvmArgs);
    cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
        System.getProperty("java.class.path"), CostgenSide.class.getName()));
    return child(cmd, req, "costgen " + v.label() + " round " + (round + 1));
  }

  /** The JVM flags Jlama documents: the Vector API module, preview features, native access. */
  static List<String> jlamaJvmFlags() {
    return List.of("--add-modules", "jdk.incubator.vector", "--enable-preview",
        "--enable-native-access=ALL-UNNAMED");
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> child(List<String> cmd, Map<String, Object> req, String label) {
    long t0 = System.nanoTime();
    log.printf("[jlama] %s ...%n", label);
    Path file = null;
    try {
      file = Files.createTempFile("costgen-jlama-request", ".json");
      JSON.writeValue(file.toFile(), req);
      List<String> full = new ArrayList<>(cmd);
      full.add(file.toString());
      String line = launcher.runForLine(full, label, JlamaProtocol.MARKER);
      Map<String, Object> r = JSON.readValue(line.substring(JlamaProtocol.MARKER.length()), Map.class);
      log.printf("[jlama] %s: done in %.0f s (peak RSS %d MiB)%n", label, (System.nanoTime() - t0) / 1e9,
          ((Number) r.get("peakRssKib")).longValue() >> 10);
      return r;
    } catch (IOException e) {
      log.printf("[jlama] %s: FAILED: %s%n", label, e.getMessage());
      return Map.of("error", e.getMessage().lines().findFirst().orElse("failed"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file
        }
      }
    }
  }

  /** The Jlama Q4 copy of {@code hf}, made once with Jlama's own quantizer (cached beside it). */
  private Path quantized(Path java, Path driver, Path hf) throws IOException, InterruptedException {
    Path target = hf.resolveSibling(hf.getFileName() + "-jq4");
    if (Files.isDirectory(target)) {
      return target;
    }
    Path tmp = hf.resolveSibling(".tmp-" + hf.getFileName() + "-jq4-" + ProcessHandle.current().pid());
    Path request = Files.createTempFile("costgen-jlama-quantize", ".json");
    try {
      JSON.writeValue(request.toFile(), Map.of("source", hf.toString(), "target", tmp.toString(), "type", "Q4"));
      List<String> cmd = new ArrayList<>(List.of(java.toString()));
      cmd.addAll(jlamaJvmFlags());
      cmd.addAll(List.of("-Xmx2g", "-jar", driver.toString(), "quantize", request.toString()));
      log.println("Jlama: quantizing " + hf.getFileName() + " to Q4 with Jlama's quantizer...");
      launcher.runForLine(cmd, "Jlama quantize", JlamaProtocol.MARKER);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename " + tmp + " to " + target, e);
      }
      return target;
    } finally {
      Files.deleteIfExists(request);
      deleteTree(tmp);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (Files.isDirectory(p)) {
          deleteTree(p);
        } else {
          Files.delete(p);
        }
      }
    }
    Files.delete(dir);
  }

  // ------------------------------------------------------------------ locating the Jlama side

  /** A Java 21+ launcher: {@code explicit}, else {@code $COSTGEN_JLAMA_JAVA}, else a search. */
  static Optional<Path> findJava(Path explicit) {
    if (explicit != null) {
      return Files.isExecutable(explicit) ? Optional.of(explicit) : Optional.empty();
    }
    String env = System.getenv("COSTGEN_JLAMA_JAVA");
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    List<Path> homes = new ArrayList<>(List.of(Paths.get(DEFAULT_JAVA_HOME)));
    Path jvms = Paths.get("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(jvms)) {
        for (Path p : s) {
          homes.add(p);
        }
      } catch (IOException ignored) {
        // no candidates there
      }
    }
    for (Path home : homes) {
      Path bin = home.resolve("bin").resolve("java");
      if (Files.isExecutable(bin) && javaMajor(home).orElse(0) >= 21) {
        return Optional.of(bin);
      }
    }
    return Optional.empty();
  }

  /** The feature version of the JDK at {@code home}, from its {@code release} file. */
  static Optional<Integer> javaMajor(Path home) {
    try {
      return parseReleaseVersion(Files.readString(home.resolve("release"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

  /** The feature version in a JDK {@code release} file ({@code JAVA_VERSION="25.0.1"} → 25). */
  static Optional<Integer> parseReleaseVersion(String release) {
    Matcher m = JAVA_VERSION.matcher(release);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  /** The driver jar: {@code explicit}, else {@value #DRIVER_JAR} under the working directory or the bench jar's checkout. */
  static Optional<Path> findDriver(Path explicit) {
    if (explicit != null) {
      return Files.isRegularFile(explicit) ? Optional.of(explicit.toAbsolutePath()) : Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Paths.get(DRIVER_JAR).toAbsolutePath());
    try {
      Path self = Paths.get(JlamaSuite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // benchmarks/target/costgen-bench.jar (or benchmarks/target/classes) → benchmarks/jlama-driver/target/…
      Path benchmarks = self.getParent() == null ? null : self.getParent().getParent();
      if (benchmarks != null) {
        candidates.add(benchmarks.resolve("jlama-driver/target/costgen-jlama-driver.jar"));
      }
    } catch (URISyntaxException | RuntimeException ignored) {
      // only the working-directory candidate
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static String mib(long kib) {
    return String.format(Locale.ROOT, "%,d MiB", kib >> 10);
  }
}

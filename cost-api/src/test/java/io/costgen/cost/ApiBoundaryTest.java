package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API boundary, enforced over the main sources of every module in the reactor (see
 * docs/architecture.md): no module's main code uses another module's {@code .internal} packages, and
 * {@code cost-api} and {@code core} never reference ONNX Runtime ({@code ai.onnxruntime}).
 * Test code may use internals (test-kit and the module's own tests do).
 */
class ApiBoundaryTest {

  private static final Pattern INTERNAL = Pattern.compile("\\bio\\.costgen(?:\\.[a-z0-9_]+)*\\.internal\\b"
      + "(?:\\.[a-z0-9_]+)*");

  /**
   * Known crossings, each with its reason; the list may only shrink. Key: "module -> package".
   */
  private static final Set<String> ALLOWED = Set.of(
      // The chat CLI parses --tools/--var JSON with core's template JSON reader so values reach the
      // template exactly as ChatContext would read them; to be replaced by a public chat API call.
      "samples -> io.costgen.core.chat.internal");

  @Test
  void noModuleUsesAnotherModulesInternalPackages() throws IOException {
    Map<String, Path> modules = mainSourceRoots();
    Map<String, String> ownerOfPackage = new HashMap<>();
    for (Map.Entry<String, Path> m : modules.entrySet()) {
      for (Path file : javaFiles(m.getValue())) {
        String pkg = m.getValue().relativize(file.getParent()).toString().replace('/', '.')
            .replace('\\', '.');
        ownerOfPackage.putIfAbsent(pkg, m.getKey());
      }
    }
    Set<String> crossings = new TreeSet<>();
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, Path> m : modules.entrySet()) {
      for (Path file : javaFiles(m.getValue())) {
        Matcher x = INTERNAL.matcher(Files.readString(file));
        while (x.find()) {
          String pkg = packageOf(x.group(), ownerOfPackage);
          String owner = ownerOfPackage.get(pkg);
          if (owner != null && !owner.equals(m.getKey())) {
            String key = m.getKey() + " -> " + pkg;
            crossings.add(key);
            if (!ALLOWED.contains(key)) {
              violations.add(key + " in " + modules.get(m.getKey()).relativize(file) + " (owned by " + owner + ")");
            }
          }
        }
      }
    }
    assertThat(violations).as("main code using another module's .internal package").isEmpty();
    assertThat(crossings).as("an allowed crossing that no longer exists: remove it from ALLOWED")
        .containsAll(ALLOWED);
  }

  @Test
  void costApiAndCoreNeverTouchOnnxRuntime() throws IOException {
    Map<String, Path> modules = mainSourceRoots();
    List<String> violations = new ArrayList<>();
    for (String module : List.of("cost-api", "core")) {
      assertThat(modules).containsKey(module);
      for (Path file : javaFiles(modules.get(module))) {
        if (Files.readString(file).contains("ai.onnxruntime")) {
          violations.add(module + ": " + modules.get(module).relativize(file));
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theScanSeesTheWholeReactor() throws IOException {
    // Guards the two tests above against passing because they found nothing to scan.
    assertThat(mainSourceRoots()).containsKeys("cost-api", "core", "onnx-backend", "samples", "projection",
        "test-kit", "benchmarks", "integrations/redis");
  }

  /** The longest package owned by some module that the reference starts with (drops class names). */
  private static String packageOf(String reference, Map<String, String> owners) {
    String s = reference;
    while (!owners.containsKey(s) && s.lastIndexOf('.') > 0) {
      s = s.substring(0, s.lastIndexOf('.'));
    }
    return s;
  }

  /** Module folder (relative, with '/') → its src/main/java, for every module under the reactor root. */
  private static Map<String, Path> mainSourceRoots() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("pom.xml")).as("the reactor root above cost-api").exists();
    assertThat(Files.readString(root.resolve("pom.xml"))).contains("<module>cost-api</module>");
    Map<String, Path> out = new HashMap<>();
    try (Stream<Path> s = Files.walk(root, 6)) {
      s.filter(p -> p.endsWith(Path.of("src", "main", "java")) && Files.isDirectory(p))
          .filter(p -> !root.relativize(p).toString().contains("target"))
          .forEach(p -> out.put(root.relativize(p.getParent().getParent().getParent()).toString()
              .replace('\\', '/'), p));
    }
    return out;
  }

  private static List<Path> javaFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

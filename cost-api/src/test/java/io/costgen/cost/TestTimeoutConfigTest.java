package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every test in the reactor runs under {@code junit.jupiter.execution.timeout.default} (set once
 * in the parent pom's surefire configuration; {@link DefaultTimeoutTest} checks it reaches the
 * engine): each module inherits the parent and none replaces surefire's configuration parameters
 * without it.
 */
class TestTimeoutConfigTest {

  private static final String KEY = "junit.jupiter.execution.timeout.default";

  @Test
  void everyReactorModuleInheritsTheParentAndKeepsTheTimeout() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    String parentPom = Files.readString(root.resolve("pom.xml"));
    assertThat(parentPom).contains(KEY);
    List<String> modules = modules(root, parentPom);
    assertThat(modules).contains("cost-api", "core", "onnx-backend", "integrations/redis", "benchmarks");
    List<String> problems = new ArrayList<>();
    for (String m : modules) {
      String pom = Files.readString(root.resolve(m).resolve("pom.xml"));
      if (!pom.contains("<artifactId>costgen-parent</artifactId>")) {
        problems.add(m + ": does not inherit costgen-parent");
      }
      if (pom.contains("<configurationParameters>") && !pom.contains(KEY)) {
        problems.add(m + ": replaces surefire's configurationParameters without " + KEY);
      }
    }
    assertThat(problems).isEmpty();
  }

  /** Module folders of the root pom, and of nested aggregator poms (relative, with '/'). */
  private static List<String> modules(Path root, String pom) throws IOException {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    while (m.find()) {
      String dir = m.group(1).trim();
      Path child = root.resolve(dir).resolve("pom.xml");
      if (dir.equals("bom") || !Files.exists(child)) {
        continue; // the BOM has no code and no tests
      }
      out.add(dir);
      String childPom = Files.readString(child);
      for (String nested : modules(root.resolve(dir), childPom)) {
        out.add(dir + "/" + nested);
      }
    }
    return out;
  }
}

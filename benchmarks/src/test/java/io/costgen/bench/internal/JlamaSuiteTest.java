package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jlama suite's harness: locating its pieces, the child protocol and the tables (no Jlama run). */
class JlamaSuiteTest {

  @TempDir
  Path tmp;

  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

  private JlamaSuite suite(JlamaSuite.Locations where) {
    return new JlamaSuite(tmp, true, where, List.of(), new ChildLauncher(List.of(), log, 60, null), log);
  }

  @Test
  void parseReleaseVersion_readsTheFeatureVersion() {
    assertThat(JlamaSuite.parseReleaseVersion("IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.1\"\n"))
        .contains(25);
    assertThat(JlamaSuite.parseReleaseVersion("JAVA_VERSION=\"1.8.0_392\"")).contains(8);
    assertThat(JlamaSuite.parseReleaseVersion("JAVA_VERSION=\"17.0.15\"")).contains(17);
    assertThat(JlamaSuite.parseReleaseVersion("no version here")).isEmpty();
  }

  @Test
  void run_saysWhatIsMissing_whenJavaOrTheDriverIsAbsent() throws IOException {
    String noJava = suite(new JlamaSuite.Locations(tmp.resolve("no-such-java"), null)).run();
    assertThat(noJava).startsWith("Not run: no Java 21 or newer found").contains("--jlama-java");

    Path fakeJava = Files.createFile(tmp.resolve("java"));
    assertThat(fakeJava.toFile().setExecutable(true)).isTrue();
    String noDriver = suite(new JlamaSuite.Locations(fakeJava, tmp.resolve("missing.jar"))).run();
    assertThat(noDriver).startsWith("Not run: the Jlama driver jar was not found")
        .contains("mvn -B -q -f benchmarks/jlama-driver/pom.xml package");
    // Nothing was written: the checks come before any model is prepared.
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("java");
    }
  }

  @Test
  void findDriver_acceptsAnExistingExplicitJarOnly() throws IOException {
    Path jar = Files.createFile(tmp.resolve("driver.jar"));
    assertThat(JlamaSuite.findDriver(jar)).contains(jar.toAbsolutePath());
    assertThat(JlamaSuite.findDriver(tmp.resolve("nope.jar"))).isEqualTo(Optional.empty());
  }

  @Test
  void request_givesBothEnginesTheSamePrompts() {
    Map<String, Object> a = JlamaProtocol.request("/a", null, 32, 32, List.of(1, 8), 1, 3, 1, List.of(128, 512), 2,
        60, 32000);
    Map<String, Object> b = JlamaProtocol.request("/b", "model.onnx", 32, 32, List.of(1, 8), 1, 3, 1,
        List.of(128, 512), 2, 60, 32000);
    assertThat(a.get("decode")).usingRecursiveComparison().isEqualTo(b.get("decode"));
    assertThat(a.get("ttft")).usingRecursiveComparison().isEqualTo(b.get("ttft"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> decode = (List<Map<String, Object>>) a.get("decode");
    assertThat(((long[][]) decode.get(1).get("prompts")).length).isEqualTo(8);
    assertThat(decode.get(0).get("warmup")).isEqualTo(1);
    assertThat(decode.get(1).get("warmup")).isEqualTo(0);
  }

  @Test
  void agreement_countsEqualRowsAndTheCommonPrefix() {
    long[][] a = {{1, 2, 3, 4}, {5, 6, 7, 8}};
    long[][] b = {{1, 2, 3, 4}, {5, 9, 7, 8}};
    assertThat(JlamaReport.agreement(a, b))
        .isEqualTo("1 of 2 rows identical; 5 of 8 tokens equal before the first difference");
    assertThat(JlamaReport.agreement(a, a)).startsWith("2 of 2 rows identical; 8 of 8");
    assertThat(JlamaReport.agreement(a, new long[][] {{1}})).isNull();
  }

  @Test
  void advantage_isAboveOneWhenCostgenIsAhead_forSpeedTimeAndMemory() {
    // costgen: faster decode, slower TTFT, less memory.
    Map<String, Object> costgen = result(20.0, 0.5, 600);
    Map<String, Object> jlama = result(10.0, 0.25, 900);
    List<JlamaReport.Measure> m = JlamaReport.measures(List.of(128));
    assertThat(JlamaReport.roundAdvantages(List.of(costgen), List.of(jlama), m.get(0))).containsExactly(2.0);
    assertThat(JlamaReport.roundAdvantages(List.of(costgen), List.of(jlama), m.get(2))).containsExactly(0.5);
    JlamaReport.Measure endRss = m.stream().filter(x -> x.label().equals("peak RSS at end")).findFirst().orElseThrow();
    assertThat(JlamaReport.roundAdvantages(List.of(costgen), List.of(jlama), endRss)).containsExactly(1.5);
  }

  @Test
  void render_showsMissingCostgenModelsAndFailedChildren() {
    JlamaReport report = new JlamaReport(JlamaSuite.Counts.quick());
    Map<String, Object> j = result(10.0, 0.25, 900);
    j.put("java", "Java 25");
    j.put("kernels", "Panama");
    j.put("threads", 2);
    report.add("fp32", null, Map.of("error", "boom"), j);
    report.add("4-bit", "no int4 model", null, j);
    String md = report.render(Path.of("/jdk/bin/java"), Path.of("driver.jar"));
    assertThat(md).contains("Java 25, Jlama kernels `Panama`, 2 threads")
        .contains("not run: no int4 model")
        .contains("- costgen fp32: boom")
        .contains("– (costgen did not run)");
  }

  private static Map<String, Object> result(double tps, double ttftSeconds, long rssMib) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("loadSeconds", 1.0);
    r.put("decode", List.of(Map.of("batch", 1, "tokensPerSecond", List.of(tps), "tokens", List.of(List.of(1, 2))),
        Map.of("batch", 8, "tokensPerSecond", List.of(tps * 4), "tokens", List.of(List.of(1, 2)))));
    r.put("ttft", List.of(Map.of("promptTokens", 128, "seconds", List.of(ttftSeconds), "firstToken", 7)));
    r.put("peakRssAfterBatch1Kib", rssMib * 1024);
    r.put("peakRssKib", rssMib * 1024);
    return r;
  }

  @Test
  void runForLine_failsClearly_whenTheChildPrintsNoResult() {
    ChildLauncher launcher = new ChildLauncher(List.of(), log, 60, null);
    assertThatThrownBy(() -> launcher.runForLine(List.of("sh", "-c", "echo hello; exit 0"), "t", "MARK "))
        .isInstanceOf(IOException.class).hasMessageContaining("no result line").hasMessageContaining("hello");
  }
}

package io.costgen.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.costgen.cost.LatencyEstimate;
import io.costgen.cost.Money;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScenarioTest {

  static String builtInText(String name) throws IOException {
    try (InputStream in = Scenario.class.getResourceAsStream(
        "/io/costgen/projection/scenarios/" + name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** 1-based line of the first line containing {@code needle}. */
  static int lineOf(String text, String needle) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    throw new AssertionError(needle + " not in text");
  }

  @Test
  void semiAnalysis_reproducesThePublishedDollarsGpusServersAndCentsPerQuery() {
    ScenarioResult run = Scenario.load("chatgpt-semianalysis-2023").run();
    ProjectionResult r = run.stated();
    assertThat(r.requestsPerDay()).isEqualTo(195e6);
    assertThat(r.outputTokensPerDay()).isEqualTo(3.9e11);
    assertThat(r.costPerDay().amount().doubleValue()).isCloseTo(694_444, withinPercentage(0.01));
    assertThat(r.devices().peak()).isEqualTo(28_936);
    assertThat(r.devices().servers()).hasValue(3_617);
    assertThat(r.costPerRequest().amount().doubleValue()).isCloseTo(0.0036, withinPercentage(2));
    assertThat(r.costPerMillionOutputTokens().amount().doubleValue()).isCloseTo(1.78, withinPercentage(1));
    assertThat(run.comparisons()).hasSize(4).allSatisfy(c -> assertThat(c.within(2)).isTrue());
    // the first-principles roofline, side by side, at the file's batch 64 on 8 A100s
    ProjectionResult fp = run.firstPrinciples();
    assertThat(fp.method()).isEqualTo(DailyCostProjection.Method.ROOFLINE);
    assertThat(fp.batch()).hasValue(64);
    assertThat(fp.devices().perReplica()).isEqualTo(8);
    assertThat(fp.bound()).contains(LatencyEstimate.Bound.MEMORY);
    assertThat(fp.costPerDay()).isGreaterThan(r.costPerDay());
    // and the batch the roofline needs to reach SemiAnalysis' implied 312 tokens/s per GPU
    DailyCostProjection.BatchRequirement need = run.batchForStatedThroughput().orElseThrow();
    assertThat(need.batch()).isGreaterThan(64);
    assertThat(need.devicesPerReplica()).isGreaterThan(8);
    assertThat(need.outputTokensPerDeviceSecond()).isGreaterThanOrEqualTo(312);
    assertThat(run.training()).isPresent();
    assertThat(run.training().get().flops()).isCloseTo(3.14e23, withinPercentage(0.5));
  }

  @Test
  void goldstein_reproducesOneHundredThousandDollarsADayAndOneCentPerQuery() {
    ScenarioResult run = Scenario.load("chatgpt-goldstein-2022").run();
    ProjectionResult r = run.stated();
    assertThat(r.costPerDay().amount().doubleValue()).isCloseTo(100_000, withinPercentage(1));
    assertThat(r.costPerRequest().amount().doubleValue()).isCloseTo(0.01, withinPercentage(1));
    assertThat(r.costPerMonth().amount().doubleValue()).isCloseTo(3e6, withinPercentage(2));
    assertThat(run.comparisons()).allSatisfy(c -> assertThat(c.within(1)).isTrue());
    // batch 1 on the roofline is memory-bound and faster than his 20 words/s
    assertThat(run.firstPrinciples().bound()).contains(LatencyEstimate.Bound.MEMORY);
    assertThat(run.firstPrinciples().outputTokensPerDeviceSecond()).isGreaterThan(2.5);
    assertThat(run.batchForStatedThroughput().orElseThrow().batch()).isEqualTo(1);
  }

  @Test
  void epoch_reproducesThreeTenthsOfAWattHourPerQuery_computeBound() {
    ScenarioResult run = Scenario.load("epoch-energy-2025").run();
    ProjectionResult r = run.stated();
    assertThat(r.method()).isEqualTo(DailyCostProjection.Method.ROOFLINE);
    assertThat(r.energyWhPerRequest()).isCloseTo(0.301, withinPercentage(1));
    assertThat(r.deviceSecondsPerRequest()).isCloseTo(1.01, withinPercentage(1));
    assertThat(r.bound()).contains(LatencyEstimate.Bound.COMPUTE);
    // Epoch's FLOP/query: 2 × 100 B × 500 = 1e14; the stand-in shape is within 0.5 %
    double flops = r.projection().model().decodeFlops(0, 500, 1);
    assertThat(flops).isCloseTo(1e14, withinPercentage(0.5));
    assertThat(run.comparisons()).hasSize(2).allSatisfy(c -> assertThat(c.within(1)).isTrue());
    assertThat(run.firstPrinciples().costPerDay()).isEqualTo(r.costPerDay());
  }

  @Test
  void builtIns_loadByName_caseInsensitive_andListTheirSources() {
    assertThat(Scenario.builtInNames()).containsExactly(
        "chatgpt-semianalysis-2023", "chatgpt-goldstein-2022", "epoch-energy-2025");
    for (String name : Scenario.builtInNames()) {
      Scenario s = Scenario.load(name.toUpperCase());
      assertThat(s.name()).isEqualTo(name);
      assertThat(s.source()).contains("http");
      assertThat(s.notes()).isNotEmpty();
      assertThat(s.published().source()).isNotBlank();
    }
    assertThatThrownBy(() -> Scenario.load("chatgpt-2099"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chatgpt-2099").hasMessageContaining("chatgpt-semianalysis-2023");
  }

  @Test
  void aUserFile_loadsAsATemplate_andResolveAcceptsNamesAndPaths(@TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("mine.json");
    Files.writeString(f, builtInText("chatgpt-goldstein-2022")
        .replace("\"requestsPerDay\": 10000000", "\"requestsPerDay\": 20000000"));
    Scenario mine = Scenario.load(f);
    assertThat(mine.origin()).isEqualTo(f.toString());
    assertThat(mine.projection().project().costPerDay().amount().doubleValue())
        .isCloseTo(200_000, withinPercentage(1e-6));
    assertThat(Scenario.resolve(f.toString()).name()).isEqualTo("chatgpt-goldstein-2022");
    assertThat(Scenario.resolve("epoch-energy-2025").name()).isEqualTo("epoch-energy-2025");
    assertThatThrownBy(() -> Scenario.resolve(dir.resolve("nope.json").toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither a built-in");
    // a template changed through the builder
    DailyCostProjection p = mine.projection().toBuilder().pricePerDeviceHour(Money.usd("1.5")).build();
    assertThat(p.project().costPerDay().amount().doubleValue()).isCloseTo(100_000, withinPercentage(1e-6));
  }

  @ParameterizedTest
  @ValueSource(strings = {"utilization", "outputTokens", "peakToAverage", "profile",
      "pricePerDeviceHour", "computeEfficiency", "pue", "weightDtype", "measuredThroughput"})
  void aMissingField_isAnErrorNamingTheFieldAndItsObjectsLine(String field) throws IOException {
    String text = builtInText("chatgpt-semianalysis-2023");
    int fieldLine = lineOf(text, "\"" + field + "\"");
    String[] lines = text.split("\n", -1);
    // the enclosing object: walk up, skipping nested objects, to the line that opens it
    int objectLine = fieldLine - 1;
    int depth = 0;
    while (true) {
      String l = lines[objectLine - 1].trim();
      if (l.startsWith("}")) {
        depth++;
      }
      if (l.endsWith("{")) {
        if (depth == 0) {
          break;
        }
        depth--;
      }
      objectLine--;
    }
    String section = lines[objectLine - 1].trim().replaceAll("\"([^\"]+)\".*", "$1");
    String broken = text.replaceFirst("\\s*\"" + field + "\": [^\\n]*?,?\\n", "\n")
        .replaceAll(",(\\s*\\n\\s*\\})", "$1");
    assertThat(broken.split("\"" + field + "\"", -1).length)
        .isEqualTo(text.split("\"" + field + "\"", -1).length - 1);
    assertThatThrownBy(() -> Scenario.parse(broken, "broken.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("broken.json:" + objectLine + ": ")
        .hasMessageContaining(section + "." + field)
        .hasMessageContaining("missing required field '" + field + "'");
  }

  @Test
  void aMisspelledField_isAnErrorNamingItsLine_andSuggestingTheName() throws IOException {
    String text = builtInText("chatgpt-semianalysis-2023")
        .replace("\"utilization\": 0.5", "\"utilisation\": 0.5");
    int line = lineOf(text, "\"utilisation\"");
    assertThatThrownBy(() -> Scenario.parse(text, "typo.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("typo.json:" + line + ": ")
        .hasMessageContaining("unknown field 'utilisation'")
        .hasMessageContaining("did you mean 'utilization'");
  }

  @Test
  void badValues_areErrorsNamingTheFieldAndItsLine() throws IOException {
    String text = builtInText("chatgpt-goldstein-2022");
    assertBad(text.replace("\"utilization\": 1.0", "\"utilization\": 1.5"), "utilization",
        "fleet.utilization: 1.5 must be in (0, 1]");
    assertBad(text.replace("\"utilization\": 1.0", "\"utilization\": 0"), "utilization",
        "fleet.utilization: 0.0 must be in (0, 1]");
    assertBad(text.replace("\"requestsPerDay\": 10000000", "\"requestsPerDay\": 0"),
        "requestsPerDay", "traffic.requestsPerDay: 0.0 must be a finite value > 0");
    assertBad(text.replace("\"requestsPerDay\": 10000000", "\"requestsPerDay\": -3"),
        "requestsPerDay", "traffic.requestsPerDay: -3.0");
    assertBad(text.replace("\"A100-80GB-SXM\"", "\"Z100\""), "\"profile\"",
        "hardware.profile: hardware: unknown name 'Z100'");
    assertBad(text.replace("\"weightDtype\": \"fp16\"", "\"weightDtype\": \"fp12\""),
        "weightDtype", "model.weightDtype");
    assertBad(text.replace("\"devicesPerReplica\": 8", "\"devicesPerReplica\": \"many\""),
        "devicesPerReplica", "hardware.devicesPerReplica");
    assertBad(text.replace("\"provisioning\": \"elastic\"", "\"provisioning\": \"cloud\""),
        "provisioning", "fleet.provisioning");
  }

  @Test
  void malformedJson_orAWrongType_reportsTheLine() throws IOException {
    String text = builtInText("chatgpt-goldstein-2022");
    String wrongType = text.replace("\"outputTokens\": 30", "\"outputTokens\": \"thirty\"");
    assertThatThrownBy(() -> Scenario.parse(wrongType, "t.json"))
        .hasMessageStartingWith("t.json:" + lineOf(wrongType, "thirty") + ": ")
        .hasMessageContaining("traffic.outputTokens");
    String noComma = text.replace("\"promptTokens\": 0,", "\"promptTokens\": 0");
    assertThatThrownBy(() -> Scenario.parse(noComma, "t.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("t.json:" + (lineOf(noComma, "\"promptTokens\"") + 1) + ": ");
  }

  @Test
  void aComputeDtypeTheHardwareLacks_isAnErrorOnItsLine() throws IOException {
    String text = builtInText("epoch-energy-2025")
        .replace("\"computeDtype\": \"bf16\"", "\"computeDtype\": \"int4\"");
    assertBad(text, "computeDtype", "model.computeDtype");
  }

  private static void assertBad(String text, String lineNeedle, String message) {
    int line = lineOf(text, lineNeedle.startsWith("\"") ? lineNeedle : "\"" + lineNeedle + "\"");
    assertThatThrownBy(() -> Scenario.parse(text, "bad.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad.json:" + line + ": ")
        .hasMessageContaining(message);
  }

  @Test
  void closest_suggestsNamesWithinThreeEdits() {
    assertThat(Scenario.closest("utilisation", List.of("provisioning", "utilization")))
        .isEqualTo("utilization");
    assertThat(Scenario.closest("zzzzzzzz", List.of("pue"))).isNull();
  }
}

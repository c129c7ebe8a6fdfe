package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.costgen.cost.OnlineCorrection;
import io.costgen.samples.cli.CostgenCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI keeps what each call taught the cost model (its online corrections) beside the
 * calibration cache, so the next {@code costgen generate} starts from it; {@code --json} carries
 * the call's start estimate and the bound a hard budget reserves for it.
 */
class CliCorrectionsTest {

  @TempDir Path cache;
  private String old;

  @BeforeEach
  void isolateTheCache() {
    old = System.getProperty("costgen.calibrationCache");
    System.setProperty("costgen.calibrationCache", cache.resolve("calibration.json").toString());
  }

  @AfterEach
  void restore() {
    if (old == null) {
      System.clearProperty("costgen.calibrationCache");
    } else {
      System.setProperty("costgen.calibrationCache", old);
    }
  }

  private static Run generate() {
    return CostgenCliTest.run("generate", "--model", CostgenCliTest.stories(), "--prompt",
        "Once upon a time", "--max-new-tokens", "8", "--json");
  }

  @Test
  void json_carriesTheEstimateAndTheBound() throws Exception {
    Run r = generate();
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode cost = r.json().get("cost");
    double estimate = cost.get("estimatedDeviceSeconds").asDouble();
    double bound = cost.get("boundDeviceSeconds").asDouble();
    assertThat(estimate).isPositive();
    // The bound of a cold first call: the estimate × the cold-start margin + the first-pass allowance.
    assertThat(bound).isGreaterThan(2 * estimate);
    assertThat(new java.math.BigDecimal(cost.get("boundAmount").asText()))
        .isGreaterThan(new java.math.BigDecimal(cost.get("estimatedAmount").asText()));
  }

  @Test
  void secondRun_startsFromTheCorrectionsTheFirstRunLearned() throws Exception {
    Path file = cache.resolve("corrections.json");
    Run first = generate();
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(file).exists();
    String scope = scope(file);
    OnlineCorrection learned = OnlineCorrection.load(file, scope);
    String decodeKey = key(file, scope, "| decode |");
    assertThat(learned.count(decodeKey)).isEqualTo(1);
    double ratio = learned.correction(decodeKey).orElseThrow();

    Run second = generate();
    assertThat(second.exitCode()).as(second.err()).isZero();
    double e1 = first.json().get("cost").get("estimatedDeviceSeconds").asDouble();
    double e2 = second.json().get("cost").get("estimatedDeviceSeconds").asDouble();
    // Same call, same roofline: only the learned decode correction can move the estimate.
    assertThat(e2).isNotEqualTo(e1);
    assertThat(e2 > e1).isEqualTo(ratio > 1);
    assertThat(OnlineCorrection.load(file, scope).count(decodeKey)).isEqualTo(2);
  }

  @Test
  void corruptCorrectionsFile_isIgnored_andReplaced() throws Exception {
    Path file = cache.resolve("corrections.json");
    Files.writeString(file, "{\"scopes\": [not json");
    Run r = generate();
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode root = Json.MAPPER.readTree(file.toFile());
    assertThat(root.get("scopes").size()).isEqualTo(1);
    assertThat(OnlineCorrection.load(file, scope(file)).count(key(file, scope(file), "| decode |")))
        .isEqualTo(1);
  }

  private static String scope(Path file) throws Exception {
    List<String> scopes = new ArrayList<>();
    Json.MAPPER.readTree(file.toFile()).get("scopes").fieldNames().forEachRemaining(scopes::add);
    assertThat(scopes).hasSize(1);
    return scopes.get(0);
  }

  private static String key(Path file, String scope, String phase) throws Exception {
    List<String> keys = new ArrayList<>();
    Json.MAPPER.readTree(file.toFile()).get("scopes").get(scope).get("ratios").fieldNames()
        .forEachRemaining(keys::add);
    return keys.stream().filter(k -> k.contains("stories260k") && k.contains(phase)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + phase + " key in " + keys));
  }
}

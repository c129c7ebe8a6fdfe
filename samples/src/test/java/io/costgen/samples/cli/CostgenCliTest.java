package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.costgen.core.testing.SharedModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostgenCliTest {

  /** llama2.c run.c greedy reference for "Once upon a time" (stories260k README). */
  private static final long[] ONCE_UPON_A_TIME = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395,
      317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394,
      261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333,
      415, 426, 13, 438, 310};

  record Run(int exitCode, String out, String err) {
    JsonNode json() throws Exception {
      return Json.MAPPER.readTree(out);
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CostgenCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  static String stories() {
    return SharedModels.model(SharedModels.STORIES_260K).toString();
  }

  @Test
  void generate_json_reproducesStories260kGreedyReference() throws Exception {
    Run r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-length", "65", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode json = r.json();
    JsonNode seq = json.get("sequences").get(0);
    List<Long> ids = new ArrayList<>();
    seq.get("tokenIds").forEach(n -> ids.add(n.asLong()));
    assertThat(ids).containsExactly(java.util.Arrays.stream(ONCE_UPON_A_TIME).boxed().toArray(Long[]::new));
    assertThat(seq.get("generatedTokenIds")).hasSize(60);
    assertThat(seq.get("text").asText()).startsWith("Once upon a time, there was a little girl named Lily.")
        .endsWith("but it was too high.\nLily");
    assertThat(seq.get("completion").asText()).startsWith(", there was a little girl");
    assertThat(seq.get("finishReason").asText()).isEqualTo("length");
    assertThat(json.get("usage").get("promptTokens").asLong()).isEqualTo(5);
    assertThat(json.get("usage").get("completionTokens").asLong()).isEqualTo(60);
    assertThat(json.get("timing").get("totalMs").asDouble()).isPositive();
    assertThat(json.get("cost").get("flops").asDouble()).isPositive();
    assertThat(json.get("cost").get("currency").asText()).isEqualTo("USD");
  }

  @Test
  void generate_json_ordersSequencesByInputThenRank_forInputIdBatchWithBeams() throws Exception {
    Run r = run("generate", "--model", stories(), "--input-ids", "1,403,407;1,291,382,294", "--max-new-tokens", "6",
        "--num-beams", "3", "--num-return-sequences", "2", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode seqs = r.json().get("sequences");
    assertThat(seqs).hasSize(4);
    assertThat(seqs.get(0).get("input").asInt()).isZero();
    assertThat(seqs.get(1).get("input").asInt()).isZero();
    assertThat(seqs.get(2).get("input").asInt()).isEqualTo(1);
    assertThat(seqs.get(0).get("score").asDouble()).isGreaterThanOrEqualTo(seqs.get(1).get("score").asDouble());
    assertThat(seqs.get(2).get("tokenIds").get(1).asLong()).isEqualTo(291);
  }

  @Test
  void generate_hardwareOption_pricesOnTargetProfile() throws Exception {
    Run r = run("generate", "--model", stories(), "--prompt", "Once", "--max-new-tokens", "4", "--json",
        "--hardware", "H100-SXM", "--price-per-hour", "2.00");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode cost = r.json().get("cost");
    assertThat(cost.get("pricing").asText()).contains("H100-SXM").contains("2");
    assertThat(new java.math.BigDecimal(cost.get("money").asText())).isPositive();
  }

  @Test
  void calibrate_json_printsExactlyTheDocumentedKeys_andGenerateUsesTheCachedCalibration(@TempDir Path cache)
      throws Exception {
    String old = System.getProperty("costgen.calibrationCache");
    Path file = cache.resolve("calibration.json");
    System.setProperty("costgen.calibrationCache", file.toString());
    try {
      Run c = run("calibrate", "--json", "--budget-ms", "60");
      assertThat(c.exitCode()).as(c.err()).isZero();
      List<String> keys = new ArrayList<>();
      c.json().fieldNames().forEachRemaining(keys::add);
      assertThat(keys).containsExactly("device", "threads", "onnxRuntime", "fp32FlopsPerSecond",
          "fp16FlopsPerSecond", "int8OpsPerSecond", "int4FlopsPerSecond", "bandwidthBytesPerSecond",
          "passOverheadSeconds", "measuredAt");
      assertThat(c.json().get("threads").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(c.json().get("fp32FlopsPerSecond").asDouble()).isPositive();
      assertThat(file).exists();

      Run g = run("generate", "--model", stories(), "--prompt", "Once", "--max-new-tokens", "3", "--json");
      assertThat(g.exitCode()).as(g.err()).isZero();
      assertThat(g.json().get("cost").get("pricing").asText()).contains("calibrated cpu");
      assertBad(run("calibrate", "--threads", "-1"), "--threads");
    } finally {
      if (old == null) {
        System.clearProperty("costgen.calibrationCache");
      } else {
        System.setProperty("costgen.calibrationCache", old);
      }
    }
  }

  @Test
  void generate_withoutPricingFlags_pricesTheMeasuredEnergy_andStatesTheBasis() throws Exception {
    Run r = run("generate", "--model", stories(), "--prompt", "Once", "--max-new-tokens", "4", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode cost = r.json().get("cost");
    assertThat(new java.math.BigDecimal(cost.get("money").asText())).isPositive();
    assertThat(cost.get("pricing").asText()).contains("energy(").contains("0.1545 USD/kWh");
    assertThat(cost.get("electricityPricePerKwh").asText()).isEqualTo("0.1545");
    assertThat(cost.get("electricityPriceSource").asText()).contains("EIA").contains("January 2024");

    Run text = run("generate", "--model", stories(), "--prompt", "Once", "--max-new-tokens", "2");
    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out()).contains("electricity 0.1545 USD/kWh by default (EIA");
  }

  @Test
  void generate_compare_pricesTheSameCallOnCatalogueHardwareAndRemoteModels() throws Exception {
    Run r = run("generate", "--model", stories(), "--prompt", "Once", "--max-new-tokens", "4", "--json",
        "--compare", "H100-SXM,gpt-4o-mini");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode compare = r.json().get("compare");
    assertThat(compare).hasSize(2);
    assertThat(compare.get(0).get("target").asText()).isEqualTo("H100-SXM");
    assertThat(compare.get(0).get("basis").asText()).contains("roofline").contains("Lambda");
    assertThat(compare.get(1).get("target").asText()).isEqualTo("gpt-4o-mini");
    assertThat(compare.get(1).get("basis").asText()).startsWith("per-token");
    for (JsonNode e : compare) {
      assertThat(new java.math.BigDecimal(e.get("money").asText())).isPositive();
      assertThat(e.get("currency").asText()).isEqualTo("USD");
    }
    assertBad(run("generate", "--model", stories(), "--prompt", "Once", "--compare", "H100-SXM,nonesuch-9"),
        "nonesuch-9");
  }

  @Test
  void generate_perTokenPrices_giveExactDecimalAmount() throws Exception {
    Run r = run("generate", "--model", stories(), "--prompt", "Once", "--max-new-tokens", "4", "--json",
        "--price-per-1m-input", "1", "--price-per-1m-output", "2", "--grid-gco2-per-kwh", "0",
        "--price-kwh", "0");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode json = r.json();
    long in = json.get("usage").get("promptTokens").asLong();
    long out = json.get("usage").get("completionTokens").asLong();
    java.math.BigDecimal expected = java.math.BigDecimal.valueOf(in).add(java.math.BigDecimal.valueOf(2 * out))
        .movePointLeft(6);
    assertThat(new java.math.BigDecimal(json.get("cost").get("money").asText())).isEqualByComparingTo(expected);
    assertThat(json.get("cost").get("co2eGrams").asDouble()).isZero();
  }

  @Test
  void generate_stream_printsThePromptThenTheCompletion_likeTheNonStreamedOutput() {
    Run streamed = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-new-tokens", "20",
        "--stream");
    Run plain = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-new-tokens", "20");
    assertThat(streamed.exitCode()).as(streamed.err()).isZero();
    String streamedText = streamed.out().substring(0, streamed.out().indexOf("\nusage:")).strip();
    String plainText = plain.out().substring(0, plain.out().indexOf("\nusage:")).strip();
    assertThat(plainText).startsWith("Once upon a time,");
    assertThat(streamedText).isEqualTo(plainText);
  }

  @Test
  void generate_withoutModel_fallsBackToDemoModel_whenHubUnreachable(@TempDir Path cache) throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String old = System.getProperty(ModelLocator.ENDPOINT_PROPERTY);
    System.setProperty(ModelLocator.ENDPOINT_PROPERTY, "http://127.0.0.1:" + closedPort);
    try {
      Run r = run("generate", "--prompt", "hello", "--max-new-tokens", "5", "--json");
      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.err()).contains("demo model").doesNotContain("\n\n");
      assertThat(r.json().get("usage").get("completionTokens").asLong()).isEqualTo(5);
    } finally {
      if (old == null) {
        System.clearProperty(ModelLocator.ENDPOINT_PROPERTY);
      } else {
        System.setProperty(ModelLocator.ENDPOINT_PROPERTY, old);
      }
    }
  }

  @Test
  void generate_badInput_exitsNonZeroWithOneLineNamingTheOption() {
    assertBad(run("generate", "--model", "/definitely/not/here", "--prompt", "x"), "--model");
    assertBad(run("generate", "--model", stories(), "--input-ids", "1,2;;3"), "--input-ids");
    assertBad(run("generate", "--model", stories(), "--input-ids", "1,999999"), "vocabulary");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--do-sample", "--temperature", "0"),
        "temperature");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--top-p", "1.5"), "--top-p");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--num-beams", "2",
        "--num-return-sequences", "3"), "--num-return-sequences");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--max-new-tokens", "100000"), "context length");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--early-stopping", "maybe"),
        "--early-stopping");
    Run cuda = run("generate", "--model", stories(), "--prompt", "x", "--provider", "cuda");
    assertBad(cuda, "CUDA not available: missing the onnxruntime_gpu artifact");
    assertThat(cuda.exitCode()).as("an environment failure").isEqualTo(1);
    assertThat(cuda.err()).startsWith("costgen: CUDA not available: missing").contains("install")
        .doesNotContain("Exception");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--hardware", "TPU-v9"), "hardware");
  }

  @Test
  void estimate_json_hasAllSectionsForPreset() throws Exception {
    Run r = run("estimate", "--preset", "gpt2", "--hardware", "A100-80GB-SXM", "--dtype", "fp16",
        "--prompt-tokens", "100", "--new-tokens", "50", "--training-tokens", "3e11", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode json = r.json();
    assertThat(json.get("model").get("parameters").asLong()).isEqualTo(124_439_808L);
    assertThat(json.get("perToken").get("forwardFlops").asDouble())
        .isGreaterThan(json.get("perToken").get("kaplanForwardFlops").asDouble());
    assertThat(json.get("request").get("bound").asText()).isEqualTo("memory");
    assertThat(json.get("training").get("flops").asDouble()).isEqualTo(6.0 * 124_439_808L * 3e11);
    assertThat(new java.math.BigDecimal(json.get("cost").get("money").asText())).isPositive();
  }

  @Test
  void estimate_badInput_namesTheOption() {
    assertBad(run("estimate", "--preset", "gpt-5"), "preset");
    assertBad(run("estimate", "--preset", "gpt2", "--mfu", "1.5"), "--mfu");
    assertBad(run("estimate", "--preset", "gpt2", "--prompt-tokens", "-1"), "--prompt-tokens");
    assertBad(run("estimate", "--preset", "gpt2", "--hardware", "nope"), "hardware");
  }

  @Test
  void hardware_json_listsTheCatalog() throws Exception {
    Run r = run("hardware", "--json");
    assertThat(r.exitCode()).isZero();
    List<String> names = new ArrayList<>();
    r.json().forEach(n -> names.add(n.get("name").asText()));
    assertThat(names).contains("T4", "L4", "A10G", "A100-40GB", "A100-80GB-SXM", "H100-SXM", "H100-PCIe", "H200",
        "B200", "MI300X");
  }


  @Test
  void generate_budgetWithLedger_carriesDailySpendAcrossRuns_andRefusalExitsThree(@TempDir Path ledger)
      throws Exception {
    String[] call = {"generate", "--model", stories(), "--prompt", "Once upon a time", "--max-new-tokens", "10",
        "--tenant", "acme", "--budget", "tokens:35/day", "--ledger", ledger.toString(), "--json"};
    Run first = run(call);
    Run second = run(call);
    Run third = run(call);
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(third.exitCode()).isEqualTo(3);
    assertThat(third.err()).contains("acme").contains("limit 35").contains("spent 30");

    Run report = run("report", "--ledger", ledger.toString(), "--json");
    assertThat(report.exitCode()).as(report.err()).isZero();
    JsonNode acme = report.json().get("days").get(0).get("tenants").get(0);
    assertThat(acme.get("tenant").asText()).isEqualTo("acme");
    assertThat(acme.get("calls").asInt()).isEqualTo(2);
    assertThat(acme.get("rejections").asInt()).isEqualTo(1);
    assertThat(acme.get("completionTokens").asInt()).isEqualTo(20);

    Run csv = run("report", "--ledger", ledger.toString(), "--csv", "--tenant", "acme");
    assertThat(csv.out().lines()).hasSize(3).first().asString().startsWith("day,tenant,model,calls");
  }

  @Test
  void generate_hardMoneyBudgetUnderMeasuredTime_isNeverOverspent_coldStartIncluded(@TempDir Path ledger)
      throws Exception {
    // Issue 11 item 5: this exact call recorded 0.76-1.09 USD against a 0.5 USD budget (the cold
    // first pass overran a 2 x roofline reservation). The cold bound alone no longer fits: refused.
    for (int i = 0; i < 3; i++) {
      Run r = run("generate", "--model", stories(), "--prompt", "hi", "--max-new-tokens", "3",
          "--price-per-hour", "100000", "--budget", "money:0.5/day", "--ledger", ledger.toString(), "--json");
      assertThat(r.exitCode()).as(r.out() + r.err()).isIn(0, 3);
    }
    Run report = run("report", "--ledger", ledger.toString(), "--json");
    assertThat(report.exitCode()).as(report.err()).isZero();
    java.math.BigDecimal spent = java.math.BigDecimal.ZERO;
    for (JsonNode day : report.json().get("days")) {
      for (JsonNode t : day.get("tenants")) {
        spent = spent.add(new java.math.BigDecimal(t.get("money").asText()));
      }
    }
    assertThat(spent).isLessThanOrEqualTo(new java.math.BigDecimal("0.5"));
  }

  @Test
  void generate_shrinkBudget_cutsTheCall_withFinishReasonBudget() throws Exception {
    Run r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-new-tokens", "30",
        "--budget", "tokens:20/call,shrink", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode seq = r.json().get("sequences").get(0);
    assertThat(seq.get("finishReason").asText()).isEqualTo("budget");
    assertThat(seq.get("generatedTokenIds")).hasSize(15);
  }

  @Test
  void generate_malformedBudget_namesTheOption() {
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--budget", "money:-1/day"), "--budget");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--budget", "coins:5/day"), "--budget");
    assertBad(run("generate", "--model", stories(), "--prompt", "x", "--tenant", "bad\u0007id".translateEscapes()),
        "tenantId");
  }

  @Test
  void project_scenario_reproducesSemiAnalysisDollars() throws Exception {
    Run r = run("project", "--scenario", "chatgpt-semianalysis-2023", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode stated = r.json().has("stated") ? r.json().get("stated") : r.json();
    assertThat(new java.math.BigDecimal(stated.get("costPerDay").asText()).doubleValue())
        .isCloseTo(694_444, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(stated.get("devices").get("servers").asLong()).isEqualTo(3617);
  }

  @Test
  void project_inlineWithVary_printsCsvRowsAndWritesHtml(@TempDir Path dir) {
    Path html = dir.resolve("r.html");
    Run r = run("project", "--preset", "llama-2-7b", "--requests-per-day", "1e6", "--prompt-tokens", "500",
        "--output-tokens", "300", "--hardware", "H100-SXM", "--vary", "traffic=1e5..1e7:3", "--csv",
        "--html", html.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("traffic,");
    assertThat(html).exists().content().contains("<svg");
  }

  @Test
  void project_badInput_namesTheField() {
    assertBad(run("project", "--preset", "llama-2-7b", "--requests-per-day", "0", "--prompt-tokens", "5",
        "--output-tokens", "5"), "--requests-per-day");
    assertBad(run("project", "--preset", "llama-2-7b", "--requests-per-day", "10", "--prompt-tokens", "5",
        "--output-tokens", "5", "--utilization", "1.5"), "utilization");
    assertBad(run("project", "--scenario", "no-such-scenario"), "no-such-scenario");
    assertBad(run("project", "--preset", "llama-2-7b", "--requests-per-day", "10"), "--prompt-tokens");
  }

  private static void assertBad(Run r, String mention) {
    assertThat(r.exitCode()).as(r.out() + r.err()).isNotZero();
    assertThat(r.err().strip()).as("one line").doesNotContain("\n");
    assertThat(r.err()).contains(mention);
  }
}

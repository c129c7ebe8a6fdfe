package io.costgen.projection.report;

import io.costgen.projection.ProjectionResult;
import io.costgen.projection.DailyCostProjectionTest;
import io.costgen.projection.CostShare;
import io.costgen.projection.DailyCostProjection;
import io.costgen.projection.Scenario;
import io.costgen.projection.ScenarioResult;
import io.costgen.projection.SensitivityTable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

  /** Headless Chromium; CI installs it (apt-get install chromium). Override: -Dcostgen.chromium. */
  private static final Path CHROMIUM = Path.of(System.getProperty("costgen.chromium", "/usr/bin/chromium"));
  private static final long CHROMIUM_TIMEOUT_SECONDS = 120;

  @Test
  void report_isSelfContained_withChartsNumbersAndInputs() {
    ScenarioResult run = Scenario.load("chatgpt-semianalysis-2023").run();
    String html = HtmlReport.render(run, run.scenario().projection().vary("traffic=1e7..1e9:5"));
    assertThat(html).startsWith("<!DOCTYPE html>");
    assertThat(html).doesNotContain("<script").doesNotContain("src=\"http")
        .doesNotContain("href=\"http").doesNotContain("<link");
    assertThat(html).contains("$694,444.44", "28,936", "3,617 servers",
        "id=\"chart-cost\"", "id=\"chart-devices\"", "id=\"chart-breakdown\"",
        "Published versus projected", "utilization", "A100-80GB-SXM");
    assertThat(HtmlReport.formatMoney(run.stated().costPerRequest())).isEqualTo("$0.00356");
  }

  @Test
  void report_withoutATable_variesTrafficAroundTheProjection() {
    ProjectionResult r = DailyCostProjectionTest.llama7bOnH100().build().project();
    String html = HtmlReport.render(r);
    assertThat(html).contains("Sensitivity: traffic=100000..10000000:5:log");
    assertThat(count(html, "<circle class=\"point\"")).isEqualTo(5 + 2 * 5);
  }

  @Test
  void report_showsTheElectricityShare_whenElectricityIsPriced() {
    ProjectionResult r = DailyCostProjectionTest.llama7bOnH100()
        .electricityPerKwh(io.costgen.cost.Money.usd("0.15")).utilization(0.5).build().project();
    String html = HtmlReport.render(r);
    assertThat(count(html, "class=\"segment\"")).isEqualTo(4);
    assertThat(html).contains("electricity: " + HtmlReport.formatMoney(
        r.share(CostShare.Part.ELECTRICITY).perDay()));
    assertThat(html).doesNotContain("inside the device-hour price");
  }

  @Test
  void report_marksInfeasiblePoints() {
    DailyCostProjection p = Scenario.load("chatgpt-semianalysis-2023").firstPrinciples();
    String html = HtmlReport.render(p.project(), p.vary("batch=16..256:5"));
    assertThat(html).contains("infeasible: devicesPerReplica: 8 is too few");
    assertThat(count(html, ">n/a</text>")).isEqualTo(2 * 3); // batches 128, 256 in 3 series
  }

  @Test
  void report_rendersInHeadlessChromium_withTheNumbersAndSvgCharts(@TempDir Path dir)
      throws Exception {
    assertThat(Files.isExecutable(CHROMIUM))
        .as("headless Chromium is required for this test at %s (Debian: apt-get install chromium;"
            + " or set -Dcostgen.chromium=PATH)", CHROMIUM)
        .isTrue();
    ScenarioResult run = Scenario.load("chatgpt-semianalysis-2023").run();
    SensitivityTable table = run.scenario().projection().vary("traffic=1e7..1e9:5");
    Path report = dir.resolve("report.html");
    HtmlReport.write(report, run, table);
    String url = report.toUri().toString();

    String dom = chromium(dir, "dom", "--dump-dom", url);
    assertThat(dom).contains("$694,444.44").contains("28,936").contains("3,617 servers")
        .contains(HtmlReport.formatMoney(run.stated().costPerRequest()))
        .contains(HtmlReport.formatMoney(run.stated().costPerMillionOutputTokens()));
    for (ProjectionResult r : table.results()) {
      assertThat(dom).contains(HtmlReport.formatMoney(r.costPerDay()));
    }
    assertThat(count(dom, "<svg")).isEqualTo(4);
    assertThat(dom).contains("id=\"chart-cost\"").contains("id=\"chart-devices\"")
        .contains("id=\"chart-breakdown\"").contains("id=\"chart-breakdown-roofline\"");
    assertThat(count(dom, "<polyline")).isEqualTo(3); // cost, average devices, peak devices
    // as stated: busy + idle; first principles: prefill + decode + idle
    assertThat(count(dom, "class=\"segment\"")).isEqualTo(2 + 3);
    assertThat(dom).contains("prefill: " + HtmlReport.formatMoney(
        run.firstPrinciples().share(CostShare.Part.PREFILL).perDay()));
    assertThat(dom).contains("cost per day (USD)").contains("requests per day (log scale)");

    Path png = dir.resolve("r.png");
    chromium(dir, "shot", "--screenshot=" + png, "--window-size=1200,1600", url);
    assertThat(png).exists();
    assertThat(Files.size(png)).as("screenshot bytes").isGreaterThan(20_000);
    try (DataInputStream in = new DataInputStream(Files.newInputStream(png))) {
      byte[] signature = new byte[8];
      in.readFully(signature);
      assertThat(signature).containsExactly(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
      in.readInt(); // IHDR length
      in.readInt(); // "IHDR"
      assertThat(in.readInt()).as("width").isEqualTo(1200);
      assertThat(in.readInt()).as("height").isEqualTo(1600);
    }
  }

  /** Runs Chromium headless with the isolation flags, bounded in time; returns its stdout. */
  private static String chromium(Path dir, String tag, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--user-data-dir=" + dir.resolve("profile-" + tag)));
    cmd.addAll(List.of(args));
    Path out = dir.resolve(tag + ".out");
    Path err = dir.resolve(tag + ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    try (InputStream ignored = p.getInputStream()) {
      if (!p.waitFor(CHROMIUM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("chromium " + tag + " did not finish in "
            + CHROMIUM_TIMEOUT_SECONDS + " s; stderr: " + tail(err));
      }
    }
    assertThat(p.exitValue()).as("chromium %s exit code; stderr: %s", tag, tail(err)).isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static String tail(Path f) throws IOException {
    if (!Files.exists(f)) {
      return "";
    }
    String s = Files.readString(f, StandardCharsets.UTF_8);
    return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
  }

  private static int count(String s, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}

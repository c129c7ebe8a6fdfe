package io.costgen.samples.cli;

import io.costgen.cost.DType;
import io.costgen.cost.Money;
import io.costgen.projection.DailyCostProjection;
import io.costgen.projection.report.HtmlReport;
import io.costgen.projection.report.ProjectionJson;
import io.costgen.projection.Scenario;
import io.costgen.projection.ScenarioResult;
import io.costgen.projection.SensitivityTable;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code costgen project}: the daily compute operating cost of a service, from a scenario
 * (built-in name or JSON file) or inline inputs, optionally varied over a range and rendered as
 * JSON, CSV or a self-contained HTML report.
 */
@Command(name = "project", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Project the daily compute operating cost of a service (devices, dollars, energy, carbon).")
final class ProjectCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--scenario", paramLabel = "NAME|FILE",
      description = "Built-in scenario (chatgpt-semianalysis-2023, chatgpt-goldstein-2022, epoch-energy-2025) or a JSON file.")
  String scenario;

  @Option(names = "--requests-per-day") Double requestsPerDay;
  @Option(names = "--daily-active-users") Double dailyActiveUsers;
  @Option(names = "--queries-per-user") Double queriesPerUser;
  @Option(names = "--prompt-tokens") Long promptTokens;
  @Option(names = "--output-tokens") Long outputTokens;
  @Option(names = "--peak-to-average") Double peakToAverage;
  @Option(names = "--preset", description = "Model preset (see `costgen estimate --help`).") String preset;
  @Option(names = "--config", description = "A Hugging Face config.json.") Path config;
  @Option(names = "--dtype", description = "Weight dtype: fp32, fp16, bf16, int8, int4.") String dtype;
  @Option(names = "--hardware") String hardware;
  @Option(names = "--devices-per-replica") Integer devicesPerReplica;
  @Option(names = "--devices-per-server") Integer devicesPerServer;
  @Option(names = "--mfu") Double mfu;
  @Option(names = "--bandwidth-efficiency") Double bandwidthEfficiency;
  @Option(names = "--batch") Integer batch;
  @Option(names = "--target-latency", paramLabel = "SECONDS") Double targetLatency;
  @Option(names = "--measured-throughput", paramLabel = "TOKENS_PER_DEVICE_SECOND") Double measuredThroughput;
  @Option(names = "--utilization") Double utilization;
  @Option(names = "--price-per-hour", paramLabel = "USD") BigDecimal pricePerHour;
  @Option(names = "--pue") Double pue;
  @Option(names = "--grid-gco2-per-kwh") Double grid;

  @Option(names = "--vary", paramLabel = "VAR=FROM..TO[:N][:log|:lin] | hardware=a,b",
      description = "Vary one input: traffic, batch, hardware, dtype, price, ...") String vary;
  @Option(names = "--json") boolean json;
  @Option(names = "--csv", description = "Print the sensitivity table as CSV (needs --vary).") boolean csv;
  @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report.") Path html;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (csv && vary == null) {
      throw new IllegalArgumentException("--csv: prints the sensitivity table; add --vary");
    }
    if (scenario != null) {
      Scenario s = Scenario.resolve(scenario);
      ScenarioResult run = s.run();
      SensitivityTable table = vary == null ? null : varyScenario(s);
      if (html != null) {
        if (table == null) {
          HtmlReport.write(html, run);
        } else {
          HtmlReport.write(html, run, table);
        }
      }
      if (csv) {
        out.print(ProjectionJson.toCsv(table));
      } else if (json) {
        out.println(table == null ? ProjectionJson.toJson(run) : ProjectionJson.toJson(run, table));
      } else {
        printScenario(out, run);
      }
      return 0;
    }
    DailyCostProjection projection = inline();
    DailyCostProjection.Result result = projection.project();
    SensitivityTable table = vary == null ? null : projection.vary(vary);
    if (html != null) {
      if (table == null) {
        HtmlReport.write(html, result);
      } else {
        HtmlReport.write(html, result, table);
      }
    }
    if (csv) {
      out.print(ProjectionJson.toCsv(table));
    } else if (json) {
      out.println(table == null ? ProjectionJson.toJson(result) : ProjectionJson.toJson(result, table));
    } else {
      printResult(out, result);
    }
    return 0;
  }

  private SensitivityTable varyScenario(Scenario s) {
    try {
      return s.projection().vary(vary);
    } catch (IllegalStateException e) {
      // A stated (measured) throughput ignores batch/hardware/dtype: vary the roofline variant.
      return s.firstPrinciples().vary(vary);
    }
  }

  private DailyCostProjection inline() {
    DailyCostProjection.Builder b = DailyCostProjection.builder();
    if (requestsPerDay != null) {
      b.requestsPerDay(requestsPerDay);
    } else if (dailyActiveUsers != null) {
      b.dailyActiveUsers(dailyActiveUsers, queriesPerUser == null ? 1 : queriesPerUser);
    } else {
      throw new IllegalArgumentException("traffic: give --scenario, --requests-per-day, or --daily-active-users"
          + " [--queries-per-user]");
    }
    if (preset != null || config != null) {
      b.model(ModelSources.shape(preset, config, null));
    } else {
      throw new IllegalArgumentException("model: give --preset NAME or --config config.json (or --scenario)");
    }
    if (promptTokens == null || outputTokens == null) {
      throw new IllegalArgumentException((promptTokens == null ? "--prompt-tokens" : "--output-tokens")
          + ": required with inline inputs (tokens per request)");
    }
    b.promptTokens(promptTokens);
    b.outputTokens(outputTokens);
    if (peakToAverage != null) b.peakToAverage(peakToAverage);
    if (dtype != null) {
      DType d = DType.parse(dtype);
      b.weightDtype(d);
    }
    if (hardware != null) b.hardware(hardware);
    if (devicesPerReplica != null) b.devicesPerReplica(devicesPerReplica);
    if (devicesPerServer != null) b.devicesPerServer(devicesPerServer);
    if (mfu != null) b.computeEfficiency(mfu);
    if (bandwidthEfficiency != null) b.bandwidthEfficiency(bandwidthEfficiency);
    if (batch != null) b.batch(batch);
    if (targetLatency != null) b.targetLatencySeconds(targetLatency);
    if (measuredThroughput != null) b.measuredThroughput(measuredThroughput);
    if (utilization != null) b.utilization(utilization);
    if (pricePerHour != null) {
      b.pricePerDeviceHour(Money.usd(pricePerHour));
    } else {
      b.catalogPrice();
    }
    if (pue != null) b.pue(pue);
    if (grid != null) b.gridCarbonIntensity(grid);
    return b.build();
  }

  private static void printScenario(PrintWriter out, ScenarioResult run) {
    out.println(run.scenario().title());
    out.println("as stated:");
    printResult(out, run.stated());
    out.println("first-principles roofline:");
    printResult(out, run.firstPrinciples());
    for (ScenarioResult.Comparison c : run.comparisons()) {
      out.printf(Locale.ROOT, "  published %-28s %,.4g vs projected %,.4g (%.1f%%)%n", c.metric(), c.published(),
          c.projected(), 100 * (c.ratio() - 1));
    }
  }

  static void printResult(PrintWriter out, DailyCostProjection.Result r) {
    out.printf(Locale.ROOT, "  tokens/day %.4g, devices avg %.1f peak %d%s, %.4g device-h/day%s%n",
        r.tokensPerDay(), r.devices().average(), r.devices().peak(),
        r.devices().servers().isPresent() ? " (" + r.devices().servers().getAsLong() + " servers)" : "",
        r.deviceHoursPerDay(),
        r.bound().map(b -> ", " + b.name().toLowerCase(Locale.ROOT) + "-bound").orElse(""));
    out.printf(Locale.ROOT, "  cost/day %s, /request %s, /1M output tokens %s; %.4g kWh/day, %.4g Wh/request,"
        + " %.4g kg CO2e/day%n", r.costPerDay(), r.costPerRequest(), r.costPerMillionOutputTokens(),
        r.energyKwhPerDay(), r.energyWhPerRequest(), r.co2eKgPerDay());
    for (String w : r.warnings()) {
      out.println("  warning: " + w);
    }
  }
}

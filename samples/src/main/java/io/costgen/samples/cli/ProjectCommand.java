package io.costgen.samples.cli;

import io.costgen.projection.ProjectionResult;
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
      description = "Built-in scenario (chatgpt-semianalysis-2023, chatgpt-goldstein-2022, epoch-energy-2025) or a"
          + " JSON file. Default: none (inline inputs).")
  String scenario;

  @Option(names = "--requests-per-day", paramLabel = "N",
      description = "Requests per day, (0, 1e15]. Default: from --daily-active-users, else required.")
  Double requestsPerDay;
  @Option(names = "--daily-active-users", paramLabel = "N",
      description = "Daily active users, (0, 1e11] (with --queries-per-user). Default: none.")
  Double dailyActiveUsers;
  @Option(names = "--queries-per-user", paramLabel = "N",
      description = "Requests per user per day, (0, 1e6]. Default: 1.")
  Double queriesPerUser;
  @Option(names = "--prompt-tokens", paramLabel = "N",
      description = "Prompt tokens per request, 0 to " + EstimateCommand.MAX_TOKENS + "; required with inline inputs."
          + " Default: none.")
  Long promptTokens;
  @Option(names = "--output-tokens", paramLabel = "N",
      description = "Output tokens per request, 0 to " + EstimateCommand.MAX_TOKENS + "; required with inline inputs."
          + " Default: none.")
  Long outputTokens;
  @Option(names = "--peak-to-average", paramLabel = "X",
      description = "Peak traffic over average, [1, 100]. Default: the projection's (see docs/daily-cost.md).")
  Double peakToAverage;
  @Option(names = "--preset", paramLabel = "NAME",
      description = "Model preset (see `costgen estimate --help`). Default: none (--preset or --config is required).")
  String preset;
  @Option(names = "--config", paramLabel = "FILE", description = "A Hugging Face config.json. Default: none.") Path config;
  @Option(names = "--dtype", paramLabel = "D", description = "Weight dtype: fp32, fp16, bf16, int8, int4."
      + " Default: fp16.") String dtype;
  @Option(names = "--hardware", paramLabel = "NAME",
      description = "Hardware profile (see `costgen hardware`); required with inline inputs. Default: none.")
  String hardware;
  @Option(names = "--devices-per-replica", paramLabel = "N",
      description = "Devices holding one model copy, 1 to 1000000. Default: as few as the weights need.")
  Integer devicesPerReplica;
  @Option(names = "--devices-per-server", paramLabel = "N",
      description = "Devices per server, 1 to 1024. Default: 8.")
  Integer devicesPerServer;
  @Option(names = "--mfu", paramLabel = "X",
      description = "Model FLOP utilisation, (0, 1]. Default: the roofline's.")
  Double mfu;
  @Option(names = "--bandwidth-efficiency", paramLabel = "X",
      description = "Achieved fraction of peak memory bandwidth, (0, 1]. Default: the roofline's.")
  Double bandwidthEfficiency;
  @Option(names = "--batch", paramLabel = "N",
      description = "Sequences decoded together, 1 to 1000000. Default: the largest that fits (or meets --target-latency).")
  Integer batch;
  @Option(names = "--target-latency", paramLabel = "SECONDS",
      description = "Per-request latency target, (0, 86400] seconds. Default: none.")
  Double targetLatency;
  @Option(names = "--measured-throughput", paramLabel = "TOKENS_PER_DEVICE_SECOND",
      description = "Use this measured throughput instead of the roofline, (0, 1e12]. Default: roofline.")
  Double measuredThroughput;
  @Option(names = "--utilization", paramLabel = "X",
      description = "Average busy fraction of the devices, (0, 1]. Default: the projection's.")
  Double utilization;
  @Option(names = "--price-per-hour", paramLabel = "USD",
      description = "Price per device-hour, 0 to 1000000. Default: the hardware's catalog price.")
  BigDecimal pricePerHour;
  @Option(names = "--pue", paramLabel = "X",
      description = "Power usage effectiveness, 1 to 3. Default: the projection's.")
  Double pue;
  @Option(names = "--grid-gco2-per-kwh", paramLabel = "G",
      description = "Grid carbon intensity in gCO2e/kWh, 0 to 2000. Default: the projection's.")
  Double grid;

  @Option(names = "--vary", paramLabel = "VAR=FROM..TO[:N][:log|:lin] | hardware=a,b",
      description = "Vary one input: traffic, batch, hardware, dtype, price, ... Default: none.") String vary;
  @Option(names = "--json", description = "Print JSON instead of text.") boolean json;
  @Option(names = "--csv", description = "Print the sensitivity table as CSV (needs --vary).") boolean csv;
  @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report to FILE. Default: none.")
  Path html;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    checkOptions();
    if (csv && vary == null) {
      throw new IllegalArgumentException("--csv: prints the sensitivity table; add --vary");
    }
    if (scenario != null) {
      Scenario s = named("--scenario", () -> Scenario.resolve(scenario));
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
    DailyCostProjection projection;
    try {
      projection = inline();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(OptionNames.cliMessage(e.getMessage(), spec), e);
    }
    ProjectionResult result = projection.project();
    SensitivityTable table = vary == null ? null : named("--vary", () -> projection.vary(vary));
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

  /** Range checks before any work. */
  private void checkOptions() {
    rangeOpen("--requests-per-day", requestsPerDay, 1e15);
    rangeOpen("--daily-active-users", dailyActiveUsers, 1e11);
    rangeOpen("--queries-per-user", queriesPerUser, 1e6);
    if (promptTokens != null) {
      OptionChecks.range("--prompt-tokens", promptTokens, 0, EstimateCommand.MAX_TOKENS, null);
    }
    if (outputTokens != null) {
      OptionChecks.range("--output-tokens", outputTokens, 0, EstimateCommand.MAX_TOKENS, null);
    }
    if (peakToAverage != null) {
      OptionChecks.range("--peak-to-average", peakToAverage, 1, false, 100);
    }
    if (devicesPerReplica != null) {
      OptionChecks.range("--devices-per-replica", devicesPerReplica, 1, 1_000_000, null);
    }
    if (devicesPerServer != null) {
      OptionChecks.range("--devices-per-server", devicesPerServer, 1, 1024, null);
    }
    rangeOpen("--mfu", mfu, 1);
    rangeOpen("--bandwidth-efficiency", bandwidthEfficiency, 1);
    if (batch != null) {
      OptionChecks.range("--batch", batch, 1, 1_000_000, null);
    }
    rangeOpen("--target-latency", targetLatency, 86400);
    rangeOpen("--measured-throughput", measuredThroughput, 1e12);
    rangeOpen("--utilization", utilization, 1);
    OptionChecks.price("--price-per-hour", pricePerHour);
    if (pue != null) {
      OptionChecks.range("--pue", pue, 1, false, 3);
    }
    if (grid != null) {
      OptionChecks.range("--grid-gco2-per-kwh", grid, 0, false, 2000);
    }
    if (hardware != null) {
      OptionChecks.hardware("--hardware", hardware);
    }
    if (dtype != null) {
      OptionChecks.dtype("--dtype", dtype);
    }
    if (json && csv) {
      throw new IllegalArgumentException("--csv: conflicts with --json; allowed: one of --json, --csv");
    }
  }

  /** Runs {@code f}; a bad-input error from the library is reported under {@code option}. */
  private static <T> T named(String option, java.util.function.Supplier<T> f) {
    try {
      return f.get();
    } catch (IllegalArgumentException e) {
      String m = CostgenCli.oneLine(e.getMessage());
      throw new IllegalArgumentException(m.startsWith(option) ? m : option + ": " + m, e);
    }
  }

  private static void rangeOpen(String option, Double v, double max) {
    if (v != null) {
      OptionChecks.range(option, v, 0, true, max);
    }
  }

  private SensitivityTable varyScenario(Scenario s) {
    try {
      return named("--vary", () -> s.projection().vary(vary));
    } catch (IllegalStateException e) {
      // A stated (measured) throughput ignores batch/hardware/dtype: vary the roofline variant.
      return named("--vary", () -> s.firstPrinciples().vary(vary));
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

  static void printResult(PrintWriter out, ProjectionResult r) {
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

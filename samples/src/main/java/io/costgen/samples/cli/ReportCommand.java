package io.costgen.samples.cli;

import io.costgen.cost.HardwareProfile;
import io.costgen.cost.ModelShape;
import io.costgen.projection.report.DailyReport;
import io.costgen.cost.meter.LedgerReader;
import io.costgen.cost.meter.UsageRecord;
import io.costgen.projection.DailyCostProjection;
import io.costgen.projection.MeasuredWorkload;
import io.costgen.projection.report.ProjectionJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code costgen report}: the daily view of what actually ran, from a usage ledger: per day,
 * tenant and model, calls, tokens, FLOPs, device-hours, energy, CO2e, money, latency percentiles
 * and budget rejections; optionally the calibrated projection of the same workload to more
 * traffic on other hardware.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Daily usage and cost report from a ledger folder (and a calibrated projection).")
final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--ledger", required = true, paramLabel = "DIR") Path ledger;
  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day (default: 30 days before --to).") LocalDate from;
  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day, inclusive (default: today).") LocalDate to;
  @Option(names = "--zone", defaultValue = "UTC", description = "Time zone of the days; default ${DEFAULT-VALUE}.") String zone;
  @Option(names = "--tenant", description = "Only this tenant.") String tenant;
  @Option(names = "--json") boolean json;
  @Option(names = "--csv") boolean csv;
  @Option(names = "--project-to-traffic", paramLabel = "REQUESTS_PER_DAY",
      description = "Project the measured per-request usage to this many requests per day.") Double projectTo;
  @Option(names = "--hardware", description = "Target hardware of the projection (default A100-80GB-SXM).")
  String hardware;
  @Option(names = "--model-preset", description = "Shape of the measured model when it is not a preset name"
      + " (default: the ledger's model name as a preset).") String modelPreset;

  @Override
  public Integer call() throws IOException {
    if (!Files.isDirectory(ledger)) {
      throw new IllegalArgumentException("--ledger: " + ledger + " is not a directory");
    }
    ZoneId z;
    try {
      z = ZoneId.of(zone);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--zone: unknown time zone '" + zone + "'");
    }
    LocalDate last = to == null ? LocalDate.now(z) : to;
    LocalDate first = from == null ? last.minusDays(30) : from;
    if (first.isAfter(last)) {
      throw new IllegalArgumentException("--from: " + first + " is after --to " + last);
    }
    List<UsageRecord> records = new ArrayList<>();
    for (UsageRecord r : LedgerReader.read(ledger, first.atStartOfDay(z).toInstant(),
        last.plusDays(1).atStartOfDay(z).toInstant()).records()) {
      if (tenant == null || r.tenantId().filter(tenant::equals).isPresent()) {
        records.add(r);
      }
    }
    DailyReport report = DailyReport.of(records, z);
    PrintWriter out = spec.commandLine().getOut();
    if (projectTo != null) {
      DailyCostProjection.Result projected = project(records);
      if (json) {
        out.println(ProjectionJson.toJson(projected));
      } else {
        out.printf(Locale.ROOT, "projection of %d measured calls to %.4g requests/day:%n", records.size(), projectTo);
        ProjectCommand.printResult(out, projected);
      }
      return 0;
    }
    if (csv) {
      out.print(report.toCsv());
    } else if (json) {
      out.println(report.toJson());
    } else {
      out.print(report.toCsv().replace(',', '\t'));
    }
    return 0;
  }

  private DailyCostProjection.Result project(List<UsageRecord> records) {
    long requests = 0;
    long prompt = 0;
    long completion = 0;
    double deviceSeconds = 0;
    String model = null;
    for (UsageRecord r : records) {
      if (UsageRecord.BUDGET_REJECTED.equals(r.finishReason()) || r.error().isPresent()) {
        continue;
      }
      requests++;
      prompt += r.promptTokens();
      completion += r.completionTokens();
      deviceSeconds += r.deviceSeconds();
      model = model == null ? r.model() : model;
    }
    if (requests == 0) {
      throw new IllegalArgumentException("--ledger: no completed calls in the chosen days to calibrate from");
    }
    ModelShape shape;
    try {
      shape = ModelShape.preset(modelPreset != null ? modelPreset : model);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--model-preset: the ledger's model '" + model
          + "' is not a preset; name the measured model's shape with --model-preset", e);
    }
    MeasuredWorkload workload = new MeasuredWorkload(requests, prompt, completion, deviceSeconds,
        HardwareProfile.cpu(), shape, 1);
    return DailyCostProjection.builder()
        .calibratedFrom(workload)
        .requestsPerDay(projectTo)
        .hardware(hardware == null ? "A100-80GB-SXM" : hardware)
        .catalogPrice()
        .build()
        .project();
  }
}

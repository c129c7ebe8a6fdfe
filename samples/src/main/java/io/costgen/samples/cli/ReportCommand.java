package io.costgen.samples.cli;

import io.costgen.projection.ProjectionResult;
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

  /** Most requests per day a projection accepts. */
  static final double MAX_REQUESTS_PER_DAY = 1e15;

  @Option(names = "--ledger", required = true, paramLabel = "DIR",
      description = "The ledger folder written by `costgen generate --ledger` (required).")
  Path ledger;
  @Option(names = "--from", paramLabel = "YYYY-MM-DD",
      description = "First day, 1970-01-01 to 9999-12-31. Default: 30 days before --to.") LocalDate from;
  @Option(names = "--to", paramLabel = "YYYY-MM-DD",
      description = "Last day, inclusive, 1970-01-01 to 9999-12-31. Default: today.") LocalDate to;
  @Option(names = "--zone", defaultValue = "UTC", paramLabel = "ZONE",
      description = "Time zone of the days (a java.time zone id such as Europe/Berlin or +02:00).") String zone;
  @Option(names = "--tenant", paramLabel = "ID", description = "Only this tenant. Default: every tenant.") String tenant;
  @Option(names = "--json", description = "Print JSON instead of a table.") boolean json;
  @Option(names = "--csv", description = "Print CSV (RFC 4180; cells a spreadsheet would run as formulas are"
      + " prefixed with ').") boolean csv;
  @Option(names = "--project-to-traffic", paramLabel = "REQUESTS_PER_DAY",
      description = "Project the measured per-request usage to this many requests per day, (0, 1e15]."
          + " Default: no projection.") Double projectTo;
  @Option(names = "--hardware", paramLabel = "NAME", defaultValue = "A100-80GB-SXM",
      description = "Target hardware of the projection (see `costgen hardware`).")
  String hardware;
  @Option(names = "--model-preset", paramLabel = "NAME", description = "Shape of the measured model when it is not"
      + " a preset name. Default: the ledger's model name as a preset.") String modelPreset;

  @Override
  public Integer call() throws IOException {
    if (!Files.isDirectory(ledger)) {
      throw new IllegalArgumentException("--ledger: " + ledger + " is not a directory; allowed: an existing ledger"
          + " folder");
    }
    ZoneId z;
    try {
      z = ZoneId.of(zone);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--zone: unknown time zone '" + OptionChecks.clip(zone)
          + "'; allowed: a zone id such as UTC, Europe/Berlin or +02:00");
    }
    if (projectTo != null) {
      OptionChecks.range("--project-to-traffic", projectTo, 0, true, MAX_REQUESTS_PER_DAY);
      OptionChecks.hardware("--hardware", hardware);
    }
    if (tenant != null) {
      OptionChecks.text("--tenant", tenant, 256);
    }
    if (json && csv) {
      throw new IllegalArgumentException("--csv: conflicts with --json; allowed: one of --json, --csv");
    }
    LocalDate last = to == null ? LocalDate.now(z) : to;
    LocalDate first = from == null ? last.minusDays(30) : from;
    if (first.isAfter(last)) {
      throw new IllegalArgumentException("--from: " + first + " is after --to " + last + "; allowed: a day up to "
          + last);
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
      ProjectionResult projected = project(records);
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
      out.print(table(report.toCsv()));
    }
    return 0;
  }

  /** The CSV as tab-separated text for a terminal: quoted cells unquoted, tabs and line breaks in cells as spaces. */
  static String table(String csv) {
    StringBuilder out = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < csv.length(); i++) {
      char c = csv.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
          out.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          out.append(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
        }
      } else if (c == '"') {
        quoted = true;
      } else {
        out.append(c == ',' ? '\t' : c);
      }
    }
    return out.toString();
  }

  private ProjectionResult project(List<UsageRecord> records) {
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
        .hardware(hardware)
        .catalogPrice()
        .build()
        .project();
  }
}

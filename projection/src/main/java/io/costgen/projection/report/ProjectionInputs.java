package io.costgen.projection.report;

import static io.costgen.projection.DailyCostProjection.num;

import io.costgen.cost.RooflineModel;
import io.costgen.projection.DailyCostProjection;
import io.costgen.projection.MeasuredWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A projection's inputs as text rows (name, value, unit), in the order a report shows them:
 * what the text, HTML and JSON reports print under "inputs". Stateless.
 */
public final class ProjectionInputs {
  private ProjectionInputs() {}

  /**
   * One input of a projection, for tables and reports.
   *
   * @param name the builder / scenario field name
   * @param value the value as text
   * @param unit its unit or a short note (may be empty)
   */
  public record Input(String name, String value, String unit) {
    public Input {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(unit, "unit");
    }
  }

  /** The inputs of {@code p} as rows, in report order. */
  public static List<Input> describe(DailyCostProjection p) {
    List<Input> rows = new ArrayList<>();
    if (p.dailyActiveUsers().isPresent()) {
      rows.add(new Input("dailyActiveUsers", num(p.dailyActiveUsers().getAsDouble()), "users"));
      rows.add(new Input("requestsPerUser", num(p.requestsPerUser().getAsDouble()), "requests per user per day"));
    }
    rows.add(new Input("requestsPerDay", num(p.requestsPerDay()), "requests"));
    rows.add(new Input("promptTokens", Long.toString(p.promptTokens()), "tokens per request"));
    rows.add(new Input("outputTokens", Long.toString(p.outputTokens()), "tokens per request"));
    rows.add(new Input("peakToAverage", num(p.peakToAverage()), "peak ÷ average traffic"));
    rows.add(new Input("model", p.model().name() + " (" + String.format(Locale.ROOT, "%,d",
        p.model().parameters()) + " parameters)", ""));
    RooflineModel r = p.roofline(1);
    rows.add(new Input("weightDtype", r.weightDtype().name(), ""));
    rows.add(new Input("kvCacheDtype", r.kvCacheDtype().name(), ""));
    rows.add(new Input("computeDtype", r.computeDtype().name(), ""));
    rows.add(new Input("hardware", p.hardware().name(), ""));
    rows.add(new Input("devicesPerReplica", p.devicesPerReplica().isEmpty() ? "auto (fit weights + KV cache)"
        : Integer.toString(p.devicesPerReplica().getAsInt()), "devices"));
    rows.add(new Input("devicesPerServer", p.devicesPerServer().isEmpty() ? "-"
        : Integer.toString(p.devicesPerServer().getAsInt()), "devices"));
    rows.add(new Input("method", p.method().name(), ""));
    if (p.measuredThroughput().isPresent()) {
      rows.add(new Input("measuredThroughput", num(p.measuredThroughput().getAsDouble()),
          "output tokens per busy device-second"));
    } else {
      rows.add(new Input("computeEfficiency", num(p.computeEfficiency()), "MFU"));
      rows.add(new Input("bandwidthEfficiency", num(p.bandwidthEfficiency()), "fraction of peak"));
      if (p.targetLatencySeconds().isPresent()) {
        rows.add(new Input("targetLatencySeconds", num(p.targetLatencySeconds().getAsDouble()), "s per request"));
      } else {
        rows.add(new Input("batch", Integer.toString(p.batch().orElse(1)), "rows"));
      }
    }
    if (p.calibration().isPresent()) {
      MeasuredWorkload c = p.calibration().get();
      rows.add(new Input("calibration", c.requests() + " requests, " + num(c.deviceSeconds()) + " device-s on "
          + c.measuredOn().name(), ""));
    }
    rows.add(new Input("utilization", num(p.utilization()), "busy ÷ paid device time"));
    rows.add(new Input("provisioning", p.provisioning().name(), ""));
    rows.add(new Input("pricePerDeviceHour", p.pricePerDeviceHour().toString(),
        p.hasExplicitPrice() ? "per device-hour" : "per device-hour (catalog)"));
    p.electricityPerKwh().ifPresent(e -> rows.add(new Input("electricityPerKwh", e.toString(), "per kWh")));
    rows.add(new Input("powerWattsPerDevice", num(p.busyWattsPerDevice()),
        "W busy (" + (p.powerWattsPerDevice().isEmpty() ? "TDP" : num(p.powerWattsPerDevice().getAsDouble()) + " W")
            + " × " + num(p.powerFactor()) + ")"));
    rows.add(new Input("idlePowerFraction", num(p.idlePowerFraction()), "of busy power"));
    rows.add(new Input("pue", num(p.pue()), ""));
    rows.add(new Input("gridGramsCo2ePerKwh", num(p.gridGramsCo2ePerKwh()), "gCO2e/kWh"));
    return List.copyOf(rows);
  }
}

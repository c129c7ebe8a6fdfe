package io.costgen.projection.report;

import io.costgen.projection.ProjectionResult;
import io.costgen.projection.CostShare;
import io.costgen.projection.DailyCostProjection;
import io.costgen.projection.Scenario;
import io.costgen.projection.ScenarioResult;
import io.costgen.projection.SensitivityTable;
import io.costgen.projection.TrainingEstimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.cost.Money;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * JSON and CSV renderings of projections for the CLI ({@code costgen project}). A result is an
 * object whose first keys are
 *
 * <pre>
 * {"tokensPerDay":3.9E11,"devices":{"average":28935.2,"peak":28936,"servers":3617},
 *  "deviceHoursPerDay":694444.4,"costPerDay":"694444.44…","costPerRequest":"0.00356…",
 *  "costPerMillionOutputTokens":"1.78…","energyKwhPerDay":…,"energyWhPerRequest":…,
 *  "co2eKgPerDay":…,"bound":"memory","currency":"USD", …}
 * </pre>
 *
 * followed by more detail ({@code method}, {@code requestsPerDay}, {@code batch},
 * {@code latencySeconds}, {@code costPerMonth}, {@code costPerYear}, {@code breakdown},
 * {@code warnings}, …). Money is a decimal string (exact, no exponent); {@code bound},
 * {@code batch}, {@code latencySeconds} and {@code devices.servers} are {@code null} when they do
 * not apply (a measured throughput has no roofline bound; servers only when asked). With a
 * sensitivity table the object gains {@code "varied"} (the input's key) and
 * {@code "sensitivity"}: one object per value, {@code {"value":"1e6", …the result's keys…}} or
 * {@code {"value":…, "infeasible":"why"}}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProjectionJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The top-level figures of a scenario's JSON, copied from its headline view. */
  private static final List<String> HEADLINE = List.of("tokensPerDay", "devices", "deviceHoursPerDay",
      "costPerDay", "costPerRequest", "costPerMillionOutputTokens", "energyKwhPerDay",
      "energyWhPerRequest", "co2eKgPerDay", "bound", "currency");

  private ProjectionJson() {}

  /** A result as compact JSON. */
  public static String toJson(ProjectionResult result) {
    return write(resultNode(result));
  }

  /** A result plus a sensitivity table ({@code "varied"}, {@code "sensitivity"}) as JSON. */
  public static String toJson(ProjectionResult result, SensitivityTable table) {
    ObjectNode n = resultNode(result);
    addSensitivity(n, table);
    return write(n);
  }

  /**
   * A scenario run as JSON: {@code scenario}, {@code title}, {@code source}, {@code view}
   * ({@code "stated"} when the scenario states a throughput, else {@code "firstPrinciples"}) and
   * that view's headline figures at the top level ({@code tokensPerDay}, {@code devices},
   * {@code deviceHoursPerDay}, {@code costPerDay}, {@code costPerRequest},
   * {@code costPerMillionOutputTokens}, {@code energyKwhPerDay}, {@code energyWhPerRequest},
   * {@code co2eKgPerDay}, {@code bound}, {@code currency}), then {@code notes},
   * {@code stated} and {@code firstPrinciples} (whole results), {@code batchForStatedThroughput},
   * {@code training} and {@code published} (metric, published, projected, ratio).
   */
  public static String toJson(ScenarioResult run) {
    return write(scenarioNode(run));
  }

  /** A scenario run plus a sensitivity table ({@code "varied"}, {@code "sensitivity"}). */
  public static String toJson(ScenarioResult run, SensitivityTable table) {
    ObjectNode n = scenarioNode(run);
    addSensitivity(n, table);
    return write(n);
  }

  /** A training estimate as JSON. */
  public static String toJson(TrainingEstimate training) {
    return write(trainingNode(training));
  }

  /** Re-indents compact JSON for people (two spaces). */
  public static String pretty(String json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("json: not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A sensitivity table as CSV (RFC 4180; a header row, then one row per value): the varied
   * input's key, requestsPerDay, tokensPerDay, batch, devicesPerReplica, devicesAverage,
   * devicesPeak, servers, deviceSecondsPerRequest, deviceHoursPerDay, costPerDay,
   * costPerRequest, costPerMillionOutputTokens, currency, energyKwhPerDay, energyWhPerRequest,
   * co2eKgPerDay, bound, latencySeconds, infeasible. Money is exact decimal; empty cells where a
   * value does not apply.
   */
  public static String toCsv(SensitivityTable table) {
    Objects.requireNonNull(table, "table");
    StringBuilder sb = new StringBuilder();
    sb.append(table.spec().variable().key()).append(",requestsPerDay,tokensPerDay,batch,"
        + "devicesPerReplica,devicesAverage,devicesPeak,servers,deviceSecondsPerRequest,"
        + "deviceHoursPerDay,costPerDay,costPerRequest,costPerMillionOutputTokens,currency,"
        + "energyKwhPerDay,energyWhPerRequest,co2eKgPerDay,bound,latencySeconds,infeasible\r\n");
    for (SensitivityTable.Row row : table.rows()) {
      sb.append(csv(row.value()));
      if (row.result().isPresent()) {
        ProjectionResult r = row.result().get();
        sb.append(',').append(num(r.requestsPerDay()))
            .append(',').append(num(r.tokensPerDay()))
            .append(',').append(r.batch().isPresent() ? Integer.toString(r.batch().getAsInt()) : "")
            .append(',').append(r.devices().perReplica())
            .append(',').append(num(r.devices().average()))
            .append(',').append(r.devices().peak())
            .append(',').append(r.devices().servers().isPresent()
                ? Long.toString(r.devices().servers().getAsLong()) : "")
            .append(',').append(num(r.deviceSecondsPerRequest()))
            .append(',').append(num(r.deviceHoursPerDay()))
            .append(',').append(money(r.costPerDay()))
            .append(',').append(money(r.costPerRequest()))
            .append(',').append(money(r.costPerMillionOutputTokens()))
            .append(',').append(r.costPerDay().currency().getCurrencyCode())
            .append(',').append(num(r.energyKwhPerDay()))
            .append(',').append(num(r.energyWhPerRequest()))
            .append(',').append(num(r.co2eKgPerDay()))
            .append(',').append(r.bound().map(b -> b.name().toLowerCase(Locale.ROOT)).orElse(""))
            .append(',').append(r.latencySeconds().isPresent() ? num(r.latencySeconds().getAsDouble())
                : "")
            .append(",\r\n");
      } else {
        sb.append(",".repeat(19)).append(csv(row.infeasible().orElse(""))).append("\r\n");
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------

  static ObjectNode resultNode(ProjectionResult r) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("tokensPerDay", r.tokensPerDay());
    ObjectNode d = n.putObject("devices");
    d.put("average", r.devices().average());
    d.put("peak", r.devices().peak());
    if (r.devices().servers().isPresent()) {
      d.put("servers", r.devices().servers().getAsLong());
    } else {
      d.putNull("servers");
    }
    d.put("perReplica", r.devices().perReplica());
    d.put("minimumPerReplica", r.devices().minimumPerReplica());
    d.put("peakReplicas", r.devices().peakReplicas());
    n.put("deviceHoursPerDay", r.deviceHoursPerDay());
    n.put("costPerDay", money(r.costPerDay()));
    n.put("costPerRequest", money(r.costPerRequest()));
    n.put("costPerMillionOutputTokens", money(r.costPerMillionOutputTokens()));
    n.put("energyKwhPerDay", r.energyKwhPerDay());
    n.put("energyWhPerRequest", r.energyWhPerRequest());
    n.put("co2eKgPerDay", r.co2eKgPerDay());
    if (r.bound().isPresent()) {
      n.put("bound", r.bound().get().name().toLowerCase(Locale.ROOT));
    } else {
      n.putNull("bound");
    }
    n.put("currency", r.costPerDay().currency().getCurrencyCode());
    n.put("method", r.method().name().toLowerCase(Locale.ROOT));
    n.put("model", r.projection().model().name());
    n.put("hardware", r.projection().hardware().name());
    n.put("requestsPerDay", r.requestsPerDay());
    n.put("promptTokensPerDay", r.promptTokensPerDay());
    n.put("outputTokensPerDay", r.outputTokensPerDay());
    if (r.batch().isPresent()) {
      n.put("batch", r.batch().getAsInt());
    } else {
      n.putNull("batch");
    }
    if (r.latencySeconds().isPresent()) {
      n.put("latencySeconds", r.latencySeconds().getAsDouble());
    } else {
      n.putNull("latencySeconds");
    }
    n.put("deviceSecondsPerRequest", r.deviceSecondsPerRequest());
    n.put("prefillDeviceSecondsPerRequest", r.prefillDeviceSecondsPerRequest());
    n.put("decodeDeviceSecondsPerRequest", r.decodeDeviceSecondsPerRequest());
    n.put("outputTokensPerDeviceSecond", r.outputTokensPerDeviceSecond());
    n.put("busyDeviceHoursPerDay", r.busyDeviceHoursPerDay());
    n.put("costPerMonth", money(r.costPerMonth()));
    n.put("costPerYear", money(r.costPerYear()));
    n.put("co2eGramsPerRequest", r.co2eGramsPerRequest());
    if (r.calibrationFactor().isPresent()) {
      n.put("calibrationFactor", r.calibrationFactor().getAsDouble());
    }
    ArrayNode parts = n.putArray("breakdown");
    for (CostShare s : r.breakdown()) {
      ObjectNode p = parts.addObject();
      p.put("part", s.part().key());
      p.put("costPerDay", money(s.perDay()));
      p.put("fraction", s.fraction());
    }
    ArrayNode warnings = n.putArray("warnings");
    r.warnings().forEach(warnings::add);
    return n;
  }

  private static ObjectNode scenarioNode(ScenarioResult run) {
    Objects.requireNonNull(run, "run");
    ObjectNode n = MAPPER.createObjectNode();
    Scenario s = run.scenario();
    n.put("scenario", s.name());
    n.put("title", s.title());
    n.put("source", s.source());
    ObjectNode stated = resultNode(run.stated());
    ObjectNode firstPrinciples = resultNode(run.firstPrinciples());
    // Headline figures at the top level: the stated view when the scenario states a throughput
    // (or a measurement), else the first-principles view; both stay nested below.
    boolean hasStated = run.stated().method() != DailyCostProjection.Method.ROOFLINE;
    ObjectNode headline = hasStated ? stated : firstPrinciples;
    n.put("view", hasStated ? "stated" : "firstPrinciples");
    for (String key : HEADLINE) {
      n.set(key, headline.get(key).deepCopy());
    }
    ArrayNode notes = n.putArray("notes");
    s.notes().forEach(notes::add);
    n.set("stated", stated);
    n.set("firstPrinciples", firstPrinciples);
    if (run.batchForStatedThroughput().isPresent()) {
      DailyCostProjection.BatchRequirement b = run.batchForStatedThroughput().get();
      ObjectNode bn = n.putObject("batchForStatedThroughput");
      bn.put("batch", b.batch());
      bn.put("devicesPerReplica", b.devicesPerReplica());
      bn.put("outputTokensPerDeviceSecond", b.outputTokensPerDeviceSecond());
      bn.put("latencySeconds", b.latencySeconds());
    } else {
      n.putNull("batchForStatedThroughput");
    }
    if (run.training().isPresent()) {
      n.set("training", trainingNode(run.training().get()));
    } else {
      n.putNull("training");
    }
    ArrayNode published = n.putArray("published");
    for (ScenarioResult.Comparison c : run.comparisons()) {
      ObjectNode cn = published.addObject();
      cn.put("metric", c.metric());
      cn.put("published", c.published());
      cn.put("projected", c.projected());
      cn.put("ratio", c.ratio());
    }
    return n;
  }

  private static ObjectNode trainingNode(TrainingEstimate t) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("tokens", t.tokens());
    n.put("flops", t.flops());
    n.put("petaflopSDays", t.petaflopSDays());
    n.put("computeDtype", t.computeDtype().name().toLowerCase(Locale.ROOT));
    n.put("computeEfficiency", t.computeEfficiency());
    n.put("deviceHours", t.deviceHours());
    n.put("cost", money(t.cost()));
    n.put("currency", t.cost().currency().getCurrencyCode());
    n.put("energyKwh", t.energyKwh());
    n.put("co2eKg", t.co2eKg());
    return n;
  }

  private static void addSensitivity(ObjectNode n, SensitivityTable table) {
    Objects.requireNonNull(table, "table");
    n.put("varied", table.spec().variable().key());
    ArrayNode rows = n.putArray("sensitivity");
    for (SensitivityTable.Row row : table.rows()) {
      ObjectNode rn = rows.addObject();
      rn.put("value", row.value());
      if (row.result().isPresent()) {
        rn.setAll(resultNode(row.result().get()));
      } else {
        rn.put("infeasible", row.infeasible().orElse(""));
      }
    }
  }

  private static String write(JsonNode n) {
    try {
      return MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("json: cannot write: " + e.getOriginalMessage(), e);
    }
  }

  static String money(Money m) {
    return m.toPlainString();
  }

  private static String num(double v) {
    return DailyCostProjection.num(v);
  }

  private static String csv(String s) {
    return CsvCell.of(s);
  }
}

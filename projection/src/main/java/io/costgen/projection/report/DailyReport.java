package io.costgen.projection.report;

import io.costgen.cost.meter.InMemoryMeter;
import io.costgen.cost.meter.LedgerReader;
import io.costgen.cost.meter.UsageRecord;
import io.costgen.cost.meter.UsageSummary;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Usage per day (by record end time, in a zone) and tenant, and per day, tenant and model:
 * calls, budget rejections, errors, prompt/completion tokens, FLOPs, device-hours, energy (kWh),
 * CO2e (grams), money (exact) and latency p50/p95/p99 (seconds, exact nearest rank). Rendered
 * with {@link #toCsv()} and {@link #toJson()}. Immutable.
 */
public final class DailyReport {

  private final ZoneId zone;
  private final List<UsageSummary> byTenant;
  private final List<UsageSummary> byTenantAndModel;

  private DailyReport(InMemoryMeter meter) {
    this.zone = meter.zone();
    this.byTenant = List.copyOf(meter.summariesByTenant());
    this.byTenantAndModel = List.copyOf(meter.summaries());
  }

  /** A report of {@code records}, days in {@code zone}. */
  public static DailyReport of(Collection<UsageRecord> records, ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    InMemoryMeter m = InMemoryMeter.create(zone);
    records.forEach(m::record);
    return new DailyReport(m);
  }

  /** A report of what {@code meter} aggregated, days in the meter's zone. */
  public static DailyReport from(InMemoryMeter meter) {
    return new DailyReport(meter);
  }

  /**
   * A report of the ledger in {@code dir} for the days {@code from}..{@code toInclusive} in
   * {@code zone} (torn lines skipped, duplicate ids counted once; see {@link LedgerReader}).
   *
   * @throws io.costgen.cost.meter.MeterException (unchecked) if the ledger cannot be read; the
   *     message names the path
   */
  public static DailyReport fromLedger(Path dir, LocalDate from, LocalDate toInclusive, ZoneId zone) {
    Instant start = from.atStartOfDay(zone).toInstant();
    Instant end = toInclusive.plusDays(1).atStartOfDay(zone).toInstant();
    return of(LedgerReader.read(dir, start, end).records(), zone);
  }

  public ZoneId zone() {
    return zone;
  }

  /** One row per (day, tenant, currency), model {@value UsageSummary#ALL_MODELS}, sorted by day then tenant. */
  public List<UsageSummary> byTenant() {
    return byTenant;
  }

  /** One row per (day, tenant, model, currency), sorted by day, tenant, model. */
  public List<UsageSummary> byTenantAndModel() {
    return byTenantAndModel;
  }

  /**
   * CSV with a header; for each day and tenant the all-model row (model {@code *}) followed by
   * its per-model rows. Anonymous tenant: empty field. Empty latency fields mean no calls.
   */
  public String toCsv() {
    StringBuilder b = new StringBuilder(
        "day,tenant,model,calls,rejections,errors,prompt_tokens,completion_tokens,flops,device_hours,"
            + "energy_kwh,co2e_grams,money,currency,latency_p50_s,latency_p95_s,latency_p99_s\n");
    for (UsageSummary s : ordered()) {
      b.append(s.day()).append(',')
          .append(csv(s.tenantId().orElse(""))).append(',')
          .append(csv(s.model())).append(',')
          .append(s.calls()).append(',')
          .append(s.rejections()).append(',')
          .append(s.errors()).append(',')
          .append(s.promptTokens()).append(',')
          .append(s.completionTokens()).append(',')
          .append(num(s.flops())).append(',')
          .append(num(s.deviceHours())).append(',')
          .append(num(s.energyKwh())).append(',')
          .append(num(s.co2eGrams())).append(',')
          .append(s.money().amount().toPlainString()).append(',')
          .append(s.money().currency().getCurrencyCode()).append(',')
          .append(num(s.latencyP50Seconds())).append(',')
          .append(num(s.latencyP95Seconds())).append(',')
          .append(num(s.latencyP99Seconds())).append('\n');
    }
    return b.toString();
  }

  /**
   * JSON: {@code {"zone":..., "days":[{"day":..., "tenants":[{"tenant":..., <totals>,
   * "models":[{"model":..., <totals>}]}]}]}}; money as a decimal string; missing latency is null.
   */
  public String toJson() {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("zone", zone.getId());
      g.writeArrayFieldStart("days");
      LocalDate day = null;
      for (UsageSummary t : byTenant) {
        if (!t.day().equals(day)) {
          if (day != null) {
            g.writeEndArray();
            g.writeEndObject();
          }
          day = t.day();
          g.writeStartObject();
          g.writeStringField("day", day.toString());
          g.writeArrayFieldStart("tenants");
        }
        g.writeStartObject();
        if (t.tenantId().isPresent()) {
          g.writeStringField("tenant", t.tenantId().get());
        } else {
          g.writeNullField("tenant");
        }
        totals(g, t);
        g.writeArrayFieldStart("models");
        for (UsageSummary m : byTenantAndModel) {
          if (sameGroup(t, m)) {
            g.writeStartObject();
            g.writeStringField("model", m.model());
            totals(g, m);
            g.writeEndObject();
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      if (day != null) {
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private List<UsageSummary> ordered() {
    List<UsageSummary> out = new ArrayList<>();
    for (UsageSummary t : byTenant) {
      out.add(t);
      for (UsageSummary m : byTenantAndModel) {
        if (sameGroup(t, m)) {
          out.add(m);
        }
      }
    }
    return out;
  }

  private static boolean sameGroup(UsageSummary tenantRow, UsageSummary modelRow) {
    return tenantRow.day().equals(modelRow.day()) && tenantRow.tenantId().equals(modelRow.tenantId())
        && tenantRow.money().currency().equals(modelRow.money().currency());
  }

  private static void totals(JsonGenerator g, UsageSummary s) throws IOException {
    g.writeNumberField("calls", s.calls());
    g.writeNumberField("rejections", s.rejections());
    g.writeNumberField("errors", s.errors());
    g.writeNumberField("promptTokens", s.promptTokens());
    g.writeNumberField("completionTokens", s.completionTokens());
    g.writeNumberField("flops", s.flops());
    g.writeNumberField("deviceHours", s.deviceHours());
    g.writeNumberField("energyKwh", s.energyKwh());
    g.writeNumberField("co2eGrams", s.co2eGrams());
    g.writeStringField("money", s.money().amount().toPlainString());
    g.writeStringField("currency", s.money().currency().getCurrencyCode());
    latency(g, "latencyP50Seconds", s.latencyP50Seconds());
    latency(g, "latencyP95Seconds", s.latencyP95Seconds());
    latency(g, "latencyP99Seconds", s.latencyP99Seconds());
  }

  private static void latency(JsonGenerator g, String field, double v) throws IOException {
    if (Double.isNaN(v)) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, v);
    }
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%s", v);
  }

  private static String csv(String s) {
    return CsvCell.of(s);
  }
}

package io.costgen.cost.meter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.cost.Money;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ledger's line format: one JSON object per line, {@code "v":1}. Money is a decimal string
 * (exact); instants are ISO-8601 UTC; doubles round-trip exactly. Time to first token is
 * {@code timeToFirstTokenSeconds} (a number of seconds, absent when unknown); lines written before
 * the rename carry {@code ttftSeconds} (negative when unknown) and still read.
 */
final class UsageRecordJson {

  static final int VERSION = 1;
  /** Time to first token in seconds; absent when unknown. */
  static final String TTFT = "timeToFirstTokenSeconds";
  /** The key ledgers written before the rename use (negative = unknown); still read. */
  static final String OLD_TTFT = "ttftSeconds";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private UsageRecordJson() {}

  /** The record as one JSON line ending in {@code '\n'}, UTF-8. */
  static byte[] toLine(UsageRecord r, boolean includeText) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("v", VERSION);
      g.writeStringField("id", r.id());
      g.writeStringField("start", r.start().toString());
      g.writeStringField("end", r.end().toString());
      if (r.tenantId().isPresent()) {
        g.writeStringField("tenant", r.tenantId().get());
      }
      g.writeStringField("requestId", r.requestId());
      g.writeStringField("model", r.model());
      g.writeObjectFieldStart("tags");
      for (Map.Entry<String, String> e : new TreeMap<>(r.tags()).entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("promptTokens", r.promptTokens());
      g.writeNumberField("completionTokens", r.completionTokens());
      g.writeNumberField("flops", r.flops());
      g.writeNumberField("deviceSeconds", r.deviceSeconds());
      g.writeNumberField("energyJoules", r.energyJoules());
      g.writeNumberField("co2eGrams", r.co2eGrams());
      g.writeStringField("money", r.money().amount().toPlainString());
      g.writeStringField("currency", r.money().currency().getCurrencyCode());
      g.writeStringField("finishReason", r.finishReason());
      if (r.timeToFirstToken().isPresent()) {
        g.writeNumberField(TTFT, seconds(r.timeToFirstToken().get()));
      }
      g.writeNumberField("totalSeconds", r.totalSeconds());
      if (r.error().isPresent()) {
        g.writeStringField("error", r.error().get());
      }
      if (r.reservationId().isPresent()) {
        g.writeStringField("reservationId", r.reservationId().get());
      }
      if (r.overrun()) {
        g.writeBooleanField("overrun", true);
      }
      if (includeText && r.promptText().isPresent()) {
        g.writeStringField("promptText", r.promptText().get());
      }
      if (includeText && r.completionText().isPresent()) {
        g.writeStringField("completionText", r.completionText().get());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * Parses one line.
   *
   * @throws IllegalArgumentException if it is not a complete, valid record (e.g. a torn write)
   */
  static UsageRecord parse(String line) {
    JsonNode n;
    try {
      n = MAPPER.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    int v = req(n, "v").asInt();
    if (v != VERSION) {
      throw new IllegalArgumentException("unsupported ledger record version " + v);
    }
    Map<String, String> tags = new LinkedHashMap<>();
    JsonNode t = n.get("tags");
    if (t != null) {
      for (Map.Entry<String, JsonNode> e : t.properties()) {
        tags.put(e.getKey(), e.getValue().asText());
      }
    }
    try {
      return UsageRecord.builder()
          .id(req(n, "id").asText())
          .start(Instant.parse(req(n, "start").asText()))
          .end(Instant.parse(req(n, "end").asText()))
          .tenantId(opt(n, "tenant"))
          .requestId(req(n, "requestId").asText())
          .model(req(n, "model").asText())
          .tags(tags)
          .promptTokens(req(n, "promptTokens").asLong())
          .completionTokens(req(n, "completionTokens").asLong())
          .flops(req(n, "flops").asDouble())
          .deviceSeconds(req(n, "deviceSeconds").asDouble())
          .energyJoules(req(n, "energyJoules").asDouble())
          .co2eGrams(req(n, "co2eGrams").asDouble())
          .money(Money.of(new BigDecimal(req(n, "money").asText()), Currency.getInstance(req(n, "currency").asText())))
          .finishReason(req(n, "finishReason").asText())
          .timeToFirstToken(timeToFirstToken(n))
          .totalSeconds(req(n, "totalSeconds").asDouble())
          .error(opt(n, "error"))
          .reservationId(opt(n, "reservationId"))
          .promptText(opt(n, "promptText"))
          .completionText(opt(n, "completionText"))
          .overrun(n.path("overrun").asBoolean(false))
          .build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid record: " + e.getMessage(), e);
    }
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  /** {@value #TTFT}, or the pre-rename {@value #OLD_TTFT} (negative = unknown); null when unknown. */
  private static Duration timeToFirstToken(JsonNode n) {
    JsonNode v = n.get(TTFT);
    if (v == null || v.isNull()) {
      v = n.get(OLD_TTFT);
    }
    if (v == null || v.isNull()) {
      return null;
    }
    double s = v.asDouble();
    if (!Double.isFinite(s)) {
      throw new IllegalArgumentException(TTFT + ": " + v + " must be finite");
    }
    return s < 0 ? null : Duration.ofNanos(Math.round(s * 1e9));
  }

  private static JsonNode req(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v;
  }

  private static String opt(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}

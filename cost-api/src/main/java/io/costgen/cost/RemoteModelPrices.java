package io.costgen.cost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A catalogue of {@link RemoteModelPrice}s: what remote (API) models charge per million tokens,
 * each with its currency, date and source. Used to reserve and price calls to models costgen
 * does not run itself (the remote-call guard of the LangChain4j and Spring AI integrations).
 *
 * <pre>{@code
 * RemoteModelPrices prices = RemoteModelPrices.starter()              // small dated set shipped with costgen
 *     .withAll(RemoteModelPrices.load(Path.of("prices.json")));      // yours override and extend it
 * Money cost = prices.require("gpt-4o-mini").cost(1200, 0, 300);
 * }</pre>
 *
 * <p><b>File format</b> (JSON; YAML with the same shape when {@code jackson-dataformat-yaml} is
 * on the class path and the file ends in {@code .yaml}/{@code .yml}):
 *
 * <pre>
 * {"prices": [
 *   {"model": "gpt-4o-mini", "provider": "openai", "inputPerMillion": "0.15",
 *    "cachedInputPerMillion": "0.075", "outputPerMillion": "0.60", "currency": "USD",
 *    "asOf": "2026-06-20", "source": "https://platform.openai.com/docs/pricing"}
 * ]}
 * </pre>
 *
 * {@code model}, {@code inputPerMillion}, {@code outputPerMillion}, {@code asOf} and
 * {@code source} are required; {@code cachedInputPerMillion} defaults to the input price,
 * {@code currency} to USD, {@code provider} to empty. Prices may be JSON strings or numbers and
 * are kept exact. Unknown keys are refused (a typo must not silently drop a price).
 *
 * <p><b>Lookup</b> ({@link #find}): an exact name first; then the name without a trailing date
 * or version suffix the providers add ({@code gpt-4o-mini-2024-07-18}, {@code -20241022},
 * {@code -0613}, {@code -latest}); then without a {@code provider/} prefix
 * ({@code openai/gpt-4o-mini}). Names are compared case-insensitively.
 *
 * <p>Immutable and thread-safe.
 */
public final class RemoteModelPrices {

  /** The classpath resource of {@link #starter()}. */
  public static final String STARTER_RESOURCE = "/io/costgen/cost/remote-model-prices.json";

  private static final Pattern VERSION_SUFFIX =
      Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4}|latest|v\\d+(:\\d+)?)$", Pattern.CASE_INSENSITIVE);
  private static final Set<String> KEYS = Set.of("model", "provider", "inputPerMillion", "cachedInputPerMillion",
      "outputPerMillion", "currency", "asOf", "source");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final Map<String, RemoteModelPrice> byName; // lower-case name -> price, in insertion order

  private RemoteModelPrices(Map<String, RemoteModelPrice> byName) {
    this.byName = byName;
  }

  /** A catalogue with no prices. */
  public static RemoteModelPrices empty() {
    return new RemoteModelPrices(Map.of());
  }

  /** A catalogue of exactly {@code prices} (a later entry for the same model wins). */
  public static RemoteModelPrices of(RemoteModelPrice... prices) {
    return empty().withAll(List.of(prices));
  }

  /**
   * The small starter set shipped with costgen ({@value #STARTER_RESOURCE}): a dated snapshot of
   * a few OpenAI and Anthropic models, each with its source and date. It is not kept current:
   * check the dates and override what you use ({@link #withAll(RemoteModelPrices)}).
   */
  public static RemoteModelPrices starter() {
    try (InputStream in = RemoteModelPrices.class.getResourceAsStream(STARTER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("starter price catalogue " + STARTER_RESOURCE + " is missing from the jar");
      }
      return fromTree(JSON.readTree(in), STARTER_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + STARTER_RESOURCE, e);
    }
  }

  /**
   * Reads a catalogue file (format in the class comment).
   *
   * @throws IllegalArgumentException naming the file, the entry and the field when the content is invalid
   * @throws UncheckedIOException when the file cannot be read
   */
  public static RemoteModelPrices load(Path file) {
    Objects.requireNonNull(file, "file");
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        return fromTree(Yaml.read(file), file.toString());
      }
      return fromTree(JSON.readTree(file.toFile()), file.toString());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid " + (name.endsWith("ml") ? "YAML" : "JSON") + " ("
          + e.getOriginalMessage() + " at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading price catalogue " + file, e);
    }
  }

  /** Parses a catalogue from JSON text; {@code origin} names it in errors. */
  public static RemoteModelPrices parse(String json, String origin) {
    try {
      return fromTree(JSON.readTree(json), origin);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(origin + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  /** This catalogue plus {@code price} (replacing the same model's). */
  public RemoteModelPrices with(RemoteModelPrice price) {
    return withAll(List.of(price));
  }

  /** This catalogue with {@code other}'s prices added, overriding same-named models. */
  public RemoteModelPrices withAll(RemoteModelPrices other) {
    return withAll(other.prices());
  }

  private RemoteModelPrices withAll(List<RemoteModelPrice> prices) {
    Map<String, RemoteModelPrice> next = new LinkedHashMap<>(byName);
    for (RemoteModelPrice p : prices) {
      Objects.requireNonNull(p, "price");
      String key = p.model().toLowerCase(Locale.ROOT);
      next.remove(key); // a replaced entry moves to the end, like a fresh one
      next.put(key, p);
    }
    return new RemoteModelPrices(java.util.Collections.unmodifiableMap(next));
  }

  /** Every price, in catalogue order. */
  public List<RemoteModelPrice> prices() {
    return List.copyOf(byName.values());
  }

  /** The price for {@code model} (lookup rules in the class comment). */
  public Optional<RemoteModelPrice> find(String model) {
    if (model == null || model.isEmpty()) {
      return Optional.empty();
    }
    String key = model.toLowerCase(Locale.ROOT);
    RemoteModelPrice p = byName.get(key);
    if (p != null) {
      return Optional.of(p);
    }
    String bare = VERSION_SUFFIX.matcher(key).replaceFirst("");
    if (!bare.equals(key) && byName.containsKey(bare)) {
      return Optional.of(byName.get(bare));
    }
    int slash = key.lastIndexOf('/');
    if (slash >= 0 && slash < key.length() - 1) {
      return find(key.substring(slash + 1));
    }
    return Optional.empty();
  }

  /**
   * The price for {@code model}.
   *
   * @throws IllegalArgumentException when the catalogue has none, naming the model and how to add one
   */
  public RemoteModelPrice require(String model) {
    return find(model).orElseThrow(() -> new IllegalArgumentException("model: no price for '" + model
        + "' in the remote price catalogue (" + byName.size() + " models); add it with "
        + "RemoteModelPrices.with(...) or a catalogue file (RemoteModelPrices.load)"));
  }

  /** The number of models. */
  public int size() {
    return byName.size();
  }

  @Override
  public String toString() {
    return "RemoteModelPrices" + byName.keySet();
  }

  // ---------------------------------------------------------------- parsing

  private static RemoteModelPrices fromTree(JsonNode root, String origin) {
    if (root == null || !root.isObject() || !root.has("prices") || !root.get("prices").isArray()) {
      throw new IllegalArgumentException(origin + ": expected an object with a \"prices\" array");
    }
    Iterator<String> top = root.fieldNames();
    while (top.hasNext()) {
      String k = top.next();
      if (!k.equals("prices")) {
        throw new IllegalArgumentException(origin + ": unknown key '" + k + "' (allowed: prices)");
      }
    }
    List<RemoteModelPrice> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : root.get("prices")) {
      String where = origin + ": prices[" + i++ + "]";
      if (!n.isObject()) {
        throw new IllegalArgumentException(where + ": expected an object");
      }
      Iterator<String> names = n.fieldNames();
      while (names.hasNext()) {
        String k = names.next();
        if (!KEYS.contains(k)) {
          throw new IllegalArgumentException(where + ": unknown key '" + k + "' (allowed: " + new java.util.TreeSet<>(KEYS) + ")");
        }
      }
      try {
        BigDecimal input = decimal(n, "inputPerMillion", where, true);
        BigDecimal cached = decimal(n, "cachedInputPerMillion", where, false);
        out.add(new RemoteModelPrice(
            text(n, "model", where, true),
            Optional.ofNullable(text(n, "provider", where, false)).orElse(""),
            input,
            cached == null ? input : cached,
            decimal(n, "outputPerMillion", where, true),
            currency(n, where),
            date(n, where),
            text(n, "source", where, true)));
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith(where)) {
          throw e;
        }
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return empty().withAll(out);
  }

  private static String text(JsonNode n, String field, String where, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(where + ": " + field + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(where + ": " + field + " must be a string, got " + v);
    }
    return v.asText();
  }

  private static BigDecimal decimal(JsonNode n, String field, String where, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(where + ": " + field + " is required (price per 1M tokens)");
      }
      return null;
    }
    BigDecimal d;
    try {
      d = v.isNumber() ? v.decimalValue() : v.isTextual() ? new BigDecimal(v.asText().trim()) : null;
    } catch (NumberFormatException e) {
      d = null;
    }
    if (d == null) {
      throw new IllegalArgumentException(where + ": " + field + " must be a decimal number, got " + v);
    }
    if (d.signum() < 0) {
      throw new IllegalArgumentException(where + ": " + field + " " + d.toPlainString() + " must be >= 0");
    }
    return d;
  }

  private static Currency currency(JsonNode n, String where) {
    String c = text(n, "currency", where, false);
    if (c == null) {
      return Money.USD;
    }
    try {
      return Currency.getInstance(c);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": currency '" + c + "' is not an ISO 4217 code (e.g. USD, EUR)");
    }
  }

  private static LocalDate date(JsonNode n, String where) {
    String d = text(n, "asOf", where, true);
    try {
      return LocalDate.parse(d);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(where + ": asOf '" + d + "' must be a date YYYY-MM-DD");
    }
  }

  /** Loaded only when a YAML file is read, so jackson-dataformat-yaml stays optional. */
  private static final class Yaml {
    static JsonNode read(Path file) throws IOException {
      try {
        return new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .readTree(file.toFile());
      } catch (NoClassDefFoundError e) {
        throw new IllegalArgumentException(file + ": reading YAML needs com.fasterxml.jackson.dataformat:"
            + "jackson-dataformat-yaml on the class path (or use a .json file)", e);
      }
    }
  }
}

package io.costgen.projection;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.Money;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named set of projection inputs with its source, loaded from JSON: the built-in scenarios
 * that reproduce published ChatGPT cost and energy estimates ({@link #builtInNames()}), or a
 * user's file used as a template. The file format, field by field, is in
 * {@code docs/daily-cost.md}; the built-ins live in
 * {@code io/costgen/projection/scenarios/NAME.json} on the classpath.
 *
 * <p>Every input is stated in the file: a missing field, a misspelled (unknown) field or a bad
 * value raises an {@link IllegalArgumentException} whose message starts with
 * {@code FILE:LINE:} and names the field (e.g. {@code fleet.utilization}).
 *
 * <p>A scenario that states a measured (or published, implied) throughput has two projections:
 * {@link #projection()} uses the throughput, {@link #firstPrinciples()} the roofline on the same
 * inputs; {@link #run()} computes both side by side.
 *
 * <p>Immutable and thread-safe.
 */
public final class Scenario {

  /** The built-in scenarios, in order. */
  private static final List<String> BUILT_IN = List.of(
      "chatgpt-semianalysis-2023", "chatgpt-goldstein-2022", "epoch-energy-2025");

  private static final String RESOURCE_DIR = "/io/costgen/projection/scenarios/";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private static final Pattern MISSING =
      Pattern.compile("Missing required creator property '([^']+)'");
  private static final Pattern FIELD_PREFIX = Pattern.compile("^([A-Za-z][A-Za-z0-9.]*): ");

  /** Builder field names (as error messages start) → scenario file paths. */
  private static final Map<String, String> BUILDER_TO_FILE = Map.ofEntries(
      Map.entry("computeDtype", "model.computeDtype"),
      Map.entry("weightDtype", "model.weightDtype"),
      Map.entry("kvCacheDtype", "model.kvCacheDtype"),
      Map.entry("dtype", "model.computeDtype"),
      Map.entry("pricePerDeviceHour", "hardware.pricePerDeviceHour"),
      Map.entry("electricityPerKwh", "energy.electricityPricePerKwh"),
      Map.entry("devicesPerReplica", "hardware.devicesPerReplica"),
      Map.entry("measuredThroughput", "serving.measuredThroughput"));

  private final String origin;
  private final ScenarioFile.Root file;
  private final DailyCostProjection projection;
  private final DailyCostProjection firstPrinciples;
  private final Published published;

  private Scenario(String origin, ScenarioFile.Root file, DailyCostProjection projection,
      DailyCostProjection firstPrinciples) {
    this.origin = origin;
    this.file = file;
    this.projection = projection;
    this.firstPrinciples = firstPrinciples;
    this.published = Published.of(file.published());
  }

  /** Names accepted by {@link #load(String)}. */
  public static List<String> builtInNames() {
    return BUILT_IN;
  }

  /**
   * A built-in scenario by name (case-insensitive).
   *
   * @throws IllegalArgumentException for an unknown name, listing the built-in names
   */
  public static Scenario load(String name) {
    Objects.requireNonNull(name, "name");
    String key = name.trim().toLowerCase(Locale.ROOT);
    if (!BUILT_IN.contains(key)) {
      throw new IllegalArgumentException("scenario: unknown name '" + name + "'; built-in: "
          + String.join(", ", BUILT_IN) + " (or give a path to a JSON file)");
    }
    String resource = RESOURCE_DIR + key + ".json";
    try (InputStream in = Scenario.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("scenario: built-in resource " + resource + " missing");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), key + ".json");
    } catch (IOException e) {
      throw new UncheckedIOException("scenario: cannot read " + resource, e);
    }
  }

  /**
   * A scenario from a JSON file (a template: copy a built-in and change it).
   *
   * @throws IllegalArgumentException {@code FILE:LINE: field: problem} for a missing, unknown
   *     or bad field or malformed JSON
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Scenario load(Path file) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("scenario: cannot read " + file, e);
    }
    return parse(text, file.toString());
  }

  /**
   * A built-in name, else a path to a JSON file (for the CLI's {@code --scenario}).
   *
   * @throws IllegalArgumentException if it is neither, listing the built-in names
   */
  public static Scenario resolve(String nameOrPath) {
    Objects.requireNonNull(nameOrPath, "nameOrPath");
    if (BUILT_IN.contains(nameOrPath.trim().toLowerCase(Locale.ROOT))) {
      return load(nameOrPath);
    }
    Path p = Path.of(nameOrPath);
    if (Files.isRegularFile(p)) {
      return load(p);
    }
    throw new IllegalArgumentException("scenario: '" + nameOrPath + "' is neither a built-in ("
        + String.join(", ", BUILT_IN) + ") nor a readable file");
  }

  /**
   * A scenario from JSON text; {@code origin} names it in error messages.
   *
   * @throws IllegalArgumentException {@code ORIGIN:LINE: field: problem}
   */
  public static Scenario parse(String json, String origin) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(origin, "origin");
    rejectUnknownFields(json, origin);
    ScenarioFile.Root root;
    try {
      root = MAPPER.readValue(json, ScenarioFile.Root.class);
    } catch (JsonProcessingException e) {
      throw describe(e, json, origin);
    }
    DailyCostProjection stated;
    DailyCostProjection roofline;
    try {
      stated = toBuilder(root).build();
      roofline = stated.toBuilder().noMeasuredThroughput().build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      String field = fieldOf(e.getMessage());
      String filePath = field == null ? null : BUILDER_TO_FILE.getOrDefault(field, field);
      int line = filePath == null ? -1 : Locator.of(json).line(filePath);
      String message = filePath != null && !filePath.equals(field)
          ? filePath + " (" + e.getMessage() + ")" : e.getMessage();
      throw new IllegalArgumentException(origin + ":" + (line > 0 ? line + ": " : " ")
          + message, e);
    }
    return new Scenario(origin, root, stated, roofline);
  }

  /** The scenario's name, e.g. {@code "chatgpt-semianalysis-2023"}. */
  public String name() {
    return file.name();
  }

  /** A one-line title. */
  public String title() {
    return file.title();
  }

  /** Where the published figures come from (author, title, date, URL). */
  public String source() {
    return file.source();
  }

  /** Notes: derivations and assumptions, in the file's order. */
  public List<String> notes() {
    return file.notes();
  }

  /** Where the scenario was loaded from (a built-in's file name or the path). */
  public String origin() {
    return origin;
  }

  /**
   * The projection as the scenario states it: with its measured (or published, implied)
   * throughput when it gives one, else the roofline. Use {@code projection().toBuilder()} to
   * change inputs.
   */
  public DailyCostProjection projection() {
    return projection;
  }

  /** The same inputs with the roofline instead of a stated throughput (first principles). */
  public DailyCostProjection firstPrinciples() {
    return firstPrinciples;
  }

  /** How the stated throughput was derived, when the file says. */
  public Optional<String> throughputDerivation() {
    return Optional.ofNullable(file.serving().measuredThroughputDerivation());
  }

  /** The published figures the scenario should reproduce. */
  public Published published() {
    return published;
  }

  /** The training side, when the file has a {@code training} section. */
  public Optional<TrainingEstimate> training() {
    ScenarioFile.Training t = file.training();
    return t == null ? Optional.empty()
        : Optional.of(projection.training(t.tokens(), t.computeEfficiency()));
  }

  /**
   * Runs both projections, the batch the roofline needs to reach a stated throughput, the
   * training side, and compares with the published figures.
   */
  public ScenarioResult run() {
    ProjectionResult stated = projection.project();
    ProjectionResult roofline = firstPrinciples.project();
    Optional<DailyCostProjection.BatchRequirement> needed = projection.measuredThroughput()
        .isPresent()
        ? firstPrinciples.batchForThroughput(projection.measuredThroughput().getAsDouble())
        : Optional.empty();
    return new ScenarioResult(this, stated, roofline, needed, training(),
        published.compare(stated));
  }

  /**
   * Figures a source published, for comparison; absent ones are empty.
   *
   * @param source where they were published
   * @param costPerDay money per day
   * @param costPerRequest money per request
   * @param costPerMillionOutputTokens money per million generated tokens
   * @param devicesPeak devices (GPUs)
   * @param servers servers
   * @param deviceSecondsPerRequest busy device-seconds per request
   * @param energyWhPerRequest facility energy per request, Wh
   */
  public record Published(String source, OptionalDouble costPerDay, OptionalDouble costPerRequest,
      OptionalDouble costPerMillionOutputTokens, OptionalDouble devicesPeak,
      OptionalDouble servers, OptionalDouble deviceSecondsPerRequest,
      OptionalDouble energyWhPerRequest) {

    static Published of(ScenarioFile.Published p) {
      if (p == null) {
        return new Published("", OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty(), OptionalDouble.empty());
      }
      return new Published(p.source(), o(p.costPerDay()), o(p.costPerRequest()),
          o(p.costPerMillionOutputTokens()), o(p.devicesPeak()), o(p.servers()),
          o(p.deviceSecondsPerRequest()), o(p.energyWhPerRequest()));
    }

    List<ScenarioResult.Comparison> compare(ProjectionResult r) {
      List<ScenarioResult.Comparison> out = new ArrayList<>();
      add(out, "costPerDay", costPerDay, r.costPerDay().amount().doubleValue());
      add(out, "costPerRequest", costPerRequest, r.costPerRequest().amount().doubleValue());
      add(out, "costPerMillionOutputTokens", costPerMillionOutputTokens,
          r.costPerMillionOutputTokens().amount().doubleValue());
      add(out, "devicesPeak", devicesPeak, r.devices().peak());
      if (r.devices().servers().isPresent()) {
        add(out, "servers", servers, r.devices().servers().getAsLong());
      }
      add(out, "deviceSecondsPerRequest", deviceSecondsPerRequest, r.deviceSecondsPerRequest());
      add(out, "energyWhPerRequest", energyWhPerRequest, r.energyWhPerRequest());
      return out;
    }

    private static void add(List<ScenarioResult.Comparison> out, String metric,
        OptionalDouble published, double projected) {
      published.ifPresent(p -> out.add(new ScenarioResult.Comparison(metric, p, projected)));
    }

    private static OptionalDouble o(Double d) {
      return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static DailyCostProjection.Builder toBuilder(ScenarioFile.Root f) {
    DailyCostProjection.Builder b = DailyCostProjection.builder();
    ScenarioFile.Traffic t = f.traffic();
    if (t.requestsPerDay() != null) {
      b.requestsPerDay(t.requestsPerDay());
    } else {
      b.dailyActiveUsers(t.dailyActiveUsers(), t.requestsPerUser());
    }
    b.promptTokens(t.promptTokens()).outputTokens(t.outputTokens())
        .peakToAverage(t.peakToAverage());
    ScenarioFile.Model m = f.model();
    b.model(m.toShape())
        .weightDtype(ScenarioFile.dtype("model.weightDtype", m.weightDtype()))
        .kvCacheDtype(ScenarioFile.dtype("model.kvCacheDtype", m.kvCacheDtype()))
        .computeDtype(ScenarioFile.dtype("model.computeDtype", m.computeDtype()));
    ScenarioFile.Hardware h = f.hardware();
    b.hardware(HardwareProfile.named(h.profile()));
    Integer devices = ScenarioFile.Hardware.devices(h.devicesPerReplica());
    if (devices != null) {
      b.devicesPerReplica(devices);
    }
    if (h.devicesPerServer() != null) {
      b.devicesPerServer(h.devicesPerServer());
    }
    java.util.Currency currency = ScenarioFile.Hardware.currency(h.currency());
    b.pricePerDeviceHour(Money.of(h.pricePerDeviceHour(), currency));
    ScenarioFile.Serving s = f.serving();
    b.computeEfficiency(s.computeEfficiency()).bandwidthEfficiency(s.bandwidthEfficiency())
        .passOverheadSeconds(s.passOverheadSeconds());
    if (s.batch() != null) {
      b.batch(s.batch());
    } else {
      b.targetLatencySeconds(s.targetLatencySeconds());
    }
    if (s.measuredThroughput() != null) {
      b.measuredThroughput(s.measuredThroughput());
    }
    b.utilization(f.fleet().utilization())
        .provisioning(ScenarioFile.Fleet.provisioning(f.fleet().provisioning()));
    ScenarioFile.Energy e = f.energy();
    b.pue(e.pue()).gridCarbonIntensity(e.gridGramsCo2ePerKwh()).powerFactor(e.powerFactor())
        .idlePowerFraction(e.idlePowerFraction());
    if (e.powerWattsPerDevice() != null) {
      b.powerWattsPerDevice(e.powerWattsPerDevice());
    }
    if (e.electricityPricePerKwh() != null) {
      b.electricityPerKwh(Money.of(e.electricityPricePerKwh(), currency));
    }
    return b;
  }

  /** Allowed field names per object path ("" = top level), from the file records. */
  private static final Map<String, List<String>> SCHEMA = schema();

  private static Map<String, List<String>> schema() {
    Map<String, List<String>> m = new HashMap<>();
    addSchema(m, "", ScenarioFile.Root.class);
    return Map.copyOf(m);
  }

  private static void addSchema(Map<String, List<String>> m, String path, Class<?> record) {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      names.add(c.getName());
      if (c.getType().isRecord()) {
        addSchema(m, path.isEmpty() ? c.getName() : path + "." + c.getName(), c.getType());
      }
    }
    names.sort(null);
    m.put(path, List.copyOf(names));
  }

  /**
   * Reports the first unknown (e.g. misspelled) field, in document order, before binding: a
   * typo must be named as such, not as the required field it failed to set.
   */
  private static void rejectUnknownFields(String json, String origin) {
    for (Map.Entry<String, Integer> e : Locator.of(json).lines.entrySet()) {
      String path = e.getKey();
      int dot = path.lastIndexOf('.');
      String parent = dot < 0 ? "" : path.substring(0, dot);
      String name = path.substring(dot + 1);
      List<String> allowed = SCHEMA.get(parent);
      if (allowed != null && !allowed.contains(name)) {
        String closest = closest(name, allowed);
        throw new IllegalArgumentException(origin + ":" + e.getValue() + ": " + path
            + ": unknown field '" + name + "'"
            + (closest == null ? "" : " (did you mean '" + closest + "'?)")
            + "; allowed " + (parent.isEmpty() ? "at the top level" : "in '" + parent + "'")
            + ": " + String.join(", ", allowed));
      }
    }
  }

  private static IllegalArgumentException describe(JsonProcessingException e, String json,
      String origin) {
    JsonLocation loc = e.getLocation();
    int line = loc == null ? -1 : loc.getLineNr();
    String path = e instanceof JsonMappingException m ? path(m) : "";
    String message;
    if (e instanceof UnrecognizedPropertyException u) {
      List<String> known = new ArrayList<>();
      if (u.getKnownPropertyIds() != null) {
        u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      }
      known.sort(null);
      String closest = closest(u.getPropertyName(), known);
      message = path + ": unknown field '" + u.getPropertyName() + "'"
          + (closest == null ? "" : " (did you mean '" + closest + "'?)")
          + "; allowed here: " + String.join(", ", known);
    } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
      String cause = v.getCause().getMessage();
      String field = fieldOf(cause);
      int fieldLine = field == null ? -1 : Locator.of(json).line(field);
      if (fieldLine > 0) {
        line = fieldLine;
      }
      message = cause;
    } else if (e instanceof MismatchedInputException
        && MISSING.matcher(e.getOriginalMessage()).find()) {
      Matcher mm = MISSING.matcher(e.getOriginalMessage());
      mm.find();
      String missing = mm.group(1);
      String full = path.endsWith(missing) ? path
          : path.isEmpty() ? missing : path + "." + missing;
      String parent = full.contains(".") ? full.substring(0, full.lastIndexOf('.')) : "";
      int start = parent.isEmpty() ? 1 : Locator.of(json).line(parent);
      message = full + ": missing required field '" + missing + "' (in "
          + (parent.isEmpty() ? "the top-level object" : "'" + parent + "'")
          + (start > 0 ? " at lines " + start + "-" + line : "") + ")";
      if (start > 0) {
        line = start;
      }
    } else {
      message = (path.isEmpty() ? "" : path + ": ") + e.getOriginalMessage();
    }
    return new IllegalArgumentException(origin + ":" + (line > 0 ? line + ": " : " ") + message,
        e);
  }

  private static String path(JsonMappingException m) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : m.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String fieldOf(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = FIELD_PREFIX.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  /** The known name closest to {@code name} (edit distance ≤ 3), or null. */
  static String closest(String name, List<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(name.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= 3 ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Line numbers of every field and object in a JSON text, by dotted path. */
  private static final class Locator {
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    static Locator of(String json) {
      Locator l = new Locator();
      try (JsonParser p = MAPPER.getFactory().createParser(json)) {
        List<String> stack = new ArrayList<>();
        String pending = null;
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          if (t == JsonToken.FIELD_NAME) {
            pending = p.currentName();
            String path = join(stack, pending);
            l.lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
          } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            stack.add(pending == null ? "" : pending);
            pending = null;
          } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
            stack.remove(stack.size() - 1);
            pending = null;
          } else {
            pending = null;
          }
        }
      } catch (IOException e) {
        // a syntax error: keep the lines found so far
      }
      return l;
    }

    int line(String path) {
      return lines.getOrDefault(path, -1);
    }

    private static String join(List<String> stack, String name) {
      StringBuilder sb = new StringBuilder();
      for (String s : stack) {
        if (!s.isEmpty()) {
          sb.append(s).append('.');
        }
      }
      return sb.append(name).toString();
    }
  }
}

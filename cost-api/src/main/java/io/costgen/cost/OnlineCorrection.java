package io.costgen.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Learns how far measured times sit from the roofline's predictions, per (model, phase, batch
 * bucket, threads), and turns that into two numbers kept apart:
 *
 * <ul>
 *   <li>the <b>correction</b> (median of the recent ratios measured ÷ predicted; robust to
 *       outliers): {@code estimate = prediction × correction};
 *   <li>the <b>margin</b> a bound puts on the estimate: the largest recent ratio ÷ the median ×
 *       {@value #MARGIN_HEADROOM} (never below {@value #MIN_MARGIN}); until
 *       {@value #MIN_OBSERVATIONS} observations exist the cold-start margin the cost model was
 *       built with applies.
 * </ul>
 *
 * <p>Each key keeps its last {@value #WINDOW} ratios, so a stall ages out. Observations with a
 * ratio outside (1e-3, 1e3) are ignored (clock glitches). Persist with {@link #save(Path)} and
 * {@link #load(Path)} (one small JSON file), or per scope with {@link #save(Path, String)} and
 * {@link #load(Path, String)}: {@code costgen} keeps one file beside its calibration in
 * {@code ~/.cache/costgen/corrections.json}, one scope per calibration key (device, CPU model,
 * runtime version, threads), so a new runtime or machine starts afresh. Thread-safe.
 */
public final class OnlineCorrection {

  /** Ratios kept per key. */
  public static final int WINDOW = 32;
  /** Observations a key needs before its learned margin replaces the cold-start margin. */
  public static final int MIN_OBSERVATIONS = 5;
  /** Headroom on the largest observed ratio when sizing a margin. */
  public static final double MARGIN_HEADROOM = 1.25;
  /** Smallest learned margin. */
  public static final double MIN_MARGIN = 1.25;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A measured phase of a forward pass sequence. */
  public enum Phase {
    /** The prompt pass of a call that was not the process's first. */
    PREFILL,
    /** The first pass of a fresh backend (cold start). */
    COLD_PREFILL,
    /** Decode steps. */
    DECODE;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<String, Deque<Double>> ratios = new LinkedHashMap<>();

  /** An empty correction (every factor 1, every margin the cold-start one). */
  public OnlineCorrection() {}

  /**
   * The key of an observation: model name, phase, batch bucket (1, 2, 3–4, 5–8, 9–16, …) and
   * threads.
   */
  public static String key(String model, Phase phase, int batch, int threads) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(phase, "phase");
    return model + " | " + phase.wire() + " | batch " + bucket(batch) + " | " + threads + " threads";
  }

  /** The upper end of the power-of-two bucket {@code batch} falls in. */
  static int bucket(int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " must be >= 1");
    }
    return Integer.highestOneBit(batch - 1 == 0 ? 1 : batch - 1) << (batch == 1 ? 0 : 1);
  }

  /**
   * Records one measurement: {@code measuredSeconds} against {@code predictedSeconds} (both
   * &gt; 0; others are ignored).
   */
  public synchronized void observe(String key, double predictedSeconds, double measuredSeconds) {
    Objects.requireNonNull(key, "key");
    if (!(predictedSeconds > 0) || !(measuredSeconds > 0) || Double.isInfinite(measuredSeconds)) {
      return;
    }
    double r = measuredSeconds / predictedSeconds;
    if (!(r > 1e-3 && r < 1e3)) {
      return;
    }
    Deque<Double> d = ratios.computeIfAbsent(key, k -> new ArrayDeque<>());
    d.addLast(r);
    while (d.size() > WINDOW) {
      d.removeFirst();
    }
  }

  /** Observations held for {@code key}. */
  public synchronized int count(String key) {
    Deque<Double> d = ratios.get(key);
    return d == null ? 0 : d.size();
  }

  /** Median ratio measured ÷ predicted for {@code key}; empty without observations. */
  public synchronized Optional<Double> correction(String key) {
    double[] r = sorted(key);
    if (r.length == 0) {
      return Optional.empty();
    }
    int n = r.length;
    return Optional.of(n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2);
  }

  /**
   * The margin a bound puts on the corrected estimate: {@code max ratio ÷ median ×}
   * {@value #MARGIN_HEADROOM}, at least {@value #MIN_MARGIN}, once {@value #MIN_OBSERVATIONS}
   * observations exist; {@code coldStartMargin} before.
   */
  public synchronized double margin(String key, double coldStartMargin) {
    double[] r = sorted(key);
    if (r.length < MIN_OBSERVATIONS) {
      return coldStartMargin;
    }
    double median = correction(key).orElse(1.0);
    return Math.max(MIN_MARGIN, r[r.length - 1] / median * MARGIN_HEADROOM);
  }

  /** The largest ratio observed for {@code key}; empty without observations. */
  public synchronized Optional<Double> maxRatio(String key) {
    double[] r = sorted(key);
    return r.length == 0 ? Optional.empty() : Optional.of(r[r.length - 1]);
  }

  private double[] sorted(String key) {
    Deque<Double> d = ratios.get(key);
    if (d == null) {
      return new double[0];
    }
    double[] r = new double[d.size()];
    Iterator<Double> it = d.iterator();
    for (int i = 0; i < r.length; i++) {
      r[i] = it.next();
    }
    Arrays.sort(r);
    return r;
  }

  /**
   * Reads a file written by {@link #save}; a missing file gives an empty correction.
   *
   * @throws UncheckedIOException when the file exists but cannot be read or parsed
   */
  public static OnlineCorrection load(Path file) {
    OnlineCorrection c = new OnlineCorrection();
    if (!Files.isRegularFile(file)) {
      return c;
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      JsonNode keys = root.path("ratios");
      for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        for (JsonNode v : e.getValue()) {
          c.observe(e.getKey(), 1.0, v.asDouble());
        }
      }
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException("corrections file " + file + " is unreadable: "
          + e.getMessage(), e);
    }
  }

  /**
   * Reads scope {@code scope} of a file written by {@link #save(Path, String)}; a missing file or
   * scope gives an empty correction.
   *
   * @throws UncheckedIOException when the file exists but cannot be read or parsed
   */
  public static OnlineCorrection load(Path file, String scope) {
    Objects.requireNonNull(scope, "scope");
    OnlineCorrection c = new OnlineCorrection();
    if (!Files.isRegularFile(file)) {
      return c;
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("corrections file " + file + " is unreadable: "
          + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new UncheckedIOException("corrections file " + file + " is not a JSON object",
          new IOException("not a JSON object"));
    }
    c.read(root.path("scopes").path(scope).path("ratios"));
    return c;
  }

  private void read(JsonNode keys) {
    for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      for (JsonNode v : e.getValue()) {
        if (v.isNumber()) {
          observe(e.getKey(), 1.0, v.asDouble());
        }
      }
    }
  }

  /**
   * Writes every key's ratios under scope {@code scope} of {@code file}, keeping the file's other
   * scopes (a file that cannot be read is replaced); atomically where the file system allows.
   *
   * @throws UncheckedIOException when it cannot be written
   */
  public void save(Path file, String scope) {
    Objects.requireNonNull(scope, "scope");
    ObjectNode root = JSON.createObjectNode();
    if (Files.isRegularFile(file)) {
      try {
        JsonNode old = JSON.readTree(file.toFile());
        if (old instanceof ObjectNode o && o.path("scopes").isObject()) {
          root = o;
        }
      } catch (IOException e) {
        // replaced below: a corrupt file must not block learning
      }
    }
    root.put("version", 2);
    JsonNode scopes = root.get("scopes");
    ObjectNode all = scopes instanceof ObjectNode o ? o : root.putObject("scopes");
    ObjectNode entry = all.putObject(scope);
    writeRatios(entry.putObject("ratios"));
    write(file, root);
  }

  private void writeRatios(ObjectNode keys) {
    synchronized (this) {
      ratios.forEach((k, d) -> {
        ArrayNode a = keys.putArray(k);
        d.forEach(a::add);
      });
    }
  }

  /**
   * Writes every key's ratios to {@code file} (atomically where the file system allows).
   *
   * @throws UncheckedIOException when it cannot be written
   */
  public void save(Path file) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    writeRatios(root.putObject("ratios"));
    write(file, root);
  }

  private static void write(Path file, ObjectNode root) {
    try {
      JsonCacheFile.write(file, root);
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("cannot write corrections file " + file + ": "
          + e.getCause().getMessage(), e.getCause());
    }
  }
}

package io.costgen.bench.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Collects the children of the {@code jlama} suite ({@link JlamaProtocol} result maps) and renders
 * its section: one table of speeds and peak RSS per precision, one of token agreement. Not
 * thread-safe.
 */
final class JlamaReport {

  /** The children of one precision, in round order. */
  private static final class PerVariant {
    String costgenMissing;
    final List<Map<String, Object>> costgen = new ArrayList<>();
    final List<Map<String, Object>> jlama = new ArrayList<>();
  }

  /**
   * One row: how to read a figure out of a result map, its unit and direction.
   *
   * @param higherIsBetter tokens/s (true) or time and memory (false)
   */
  record Measure(String label, Function<Map<String, Object>, List<Double>> values, boolean higherIsBetter,
      Function<Double, String> format) {}

  private final JlamaSuite.Counts counts;
  private final Map<String, PerVariant> variants = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private String jlamaInfo;

  JlamaReport(JlamaSuite.Counts counts) {
    this.counts = counts;
  }

  /** Adds one round of {@code label}; {@code costgen} is null when its model is missing. */
  void add(String label, String costgenMissing, Map<String, Object> costgen, Map<String, Object> jlama) {
    PerVariant v = variants.computeIfAbsent(label, k -> new PerVariant());
    v.costgenMissing = costgenMissing;
    if (costgen != null) {
      if (costgen.containsKey("error")) {
        failures.add("costgen " + label + ": " + costgen.get("error"));
      } else {
        v.costgen.add(costgen);
      }
    }
    if (jlama != null) {
      if (jlama.containsKey("error")) {
        failures.add("Jlama " + label + ": " + jlama.get("error"));
      } else {
        v.jlama.add(jlama);
        if (jlamaInfo == null) {
          jlamaInfo = jlama.get("java") + ", Jlama kernels `" + jlama.get("kernels") + "`, "
              + jlama.get("threads") + " threads";
        }
      }
    }
  }

  static List<Measure> measures(List<Integer> ttftPrompts) {
    List<Measure> m = new ArrayList<>();
    m.add(new Measure("decode tok/s, batch 1", r -> decode(r, 1), true, v -> Report.fmt(v, v >= 100 ? 0 : 1)));
    m.add(new Measure("decode tok/s, batch 8", r -> decode(r, 8), true, v -> Report.fmt(v, v >= 100 ? 0 : 1)));
    for (int p : ttftPrompts) {
      m.add(new Measure("time to first token, " + p + " tokens", r -> ttft(r, p), false,
          v -> Report.fmt(v * 1e3, 0) + " ms"));
    }
    m.add(new Measure("peak RSS after batch-1 decode", r -> kib(r, "peakRssAfterBatch1Kib"), false,
        v -> Report.fmt(v, 0) + " MiB"));
    m.add(new Measure("peak RSS at end", r -> kib(r, "peakRssKib"), false, v -> Report.fmt(v, 0) + " MiB"));
    m.add(new Measure("load time", r -> List.of(((Number) r.get("loadSeconds")).doubleValue()), false,
        v -> Report.fmt(v, 1) + " s"));
    return m;
  }

  @SuppressWarnings("unchecked")
  static List<Double> decode(Map<String, Object> r, int batch) {
    for (Map<String, Object> s : (List<Map<String, Object>>) r.get("decode")) {
      if (JlamaProtocol.intOf(s.get("batch")) == batch) {
        return JlamaProtocol.doubles(s.get("tokensPerSecond"));
      }
    }
    return List.of();
  }

  @SuppressWarnings("unchecked")
  static List<Double> ttft(Map<String, Object> r, int prompt) {
    for (Map<String, Object> s : (List<Map<String, Object>>) r.get("ttft")) {
      if (JlamaProtocol.intOf(s.get("promptTokens")) == prompt) {
        return JlamaProtocol.doubles(s.get("seconds"));
      }
    }
    return List.of();
  }

  static List<Double> kib(Map<String, Object> r, String key) {
    long v = ((Number) r.get(key)).longValue();
    return v < 0 ? List.of() : List.of(v / 1024.0);
  }

  /** Median of all values of {@code m} over {@code results}, or null when there are none. */
  static Stats.Summary pooled(List<Map<String, Object>> results, Measure m) {
    List<Double> all = new ArrayList<>();
    for (Map<String, Object> r : results) {
      all.addAll(m.values().apply(r));
    }
    return all.isEmpty() ? null : Stats.summarize(all);
  }

  /**
   * Per round, costgen's advantage from the medians of that round's two children (tokens/s:
   * costgen ÷ Jlama; time and memory: Jlama ÷ costgen, so ≥ 1 always means costgen ahead).
   */
  static List<Double> roundAdvantages(List<Map<String, Object>> costgen, List<Map<String, Object>> jlama, Measure m) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(costgen.size(), jlama.size()); i++) {
      List<Double> c = m.values().apply(costgen.get(i));
      List<Double> j = m.values().apply(jlama.get(i));
      if (c.isEmpty() || j.isEmpty()) {
        continue;
      }
      double cm = Stats.summarize(c).median();
      double jm = Stats.summarize(j).median();
      out.add(m.higherIsBetter() ? cm / jm : jm / cm);
    }
    return out;
  }

  /**
   * Token agreement of two greedy runs over the same prompts: rows fully equal, and the tokens
   * before each row's first difference (after one, the rows continue different contexts).
   */
  static String agreement(long[][] a, long[][] b) {
    if (a == null || b == null || a.length != b.length) {
      return null;
    }
    int rowsEqual = 0;
    long prefix = 0;
    long total = 0;
    for (int r = 0; r < a.length; r++) {
      int n = Math.min(a[r].length, b[r].length);
      int k = 0;
      while (k < n && a[r][k] == b[r][k]) {
        k++;
      }
      prefix += k;
      total += Math.max(a[r].length, b[r].length);
      if (k == n && a[r].length == b[r].length) {
        rowsEqual++;
      }
    }
    return rowsEqual + " of " + a.length + " rows identical; " + prefix + " of " + total
        + " tokens equal before the first difference";
  }

  static long[][] decodeTokens(Map<String, Object> r, int batch) {
    return decodeTokens(r, batch, "tokens");
  }

  @SuppressWarnings("unchecked")
  static long[][] decodeTokens(Map<String, Object> r, int batch, String key) {
    for (Map<String, Object> s : (List<Map<String, Object>>) r.get("decode")) {
      if (JlamaProtocol.intOf(s.get("batch")) == batch) {
        return s.get(key) == null ? null : JlamaProtocol.tokens(s.get(key));
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  static long[][] firstTokens(Map<String, Object> r, List<Integer> prompts) {
    List<Map<String, Object>> series = (List<Map<String, Object>>) r.get("ttft");
    long[][] out = new long[series.size()][1];
    for (int i = 0; i < out.length; i++) {
      out[i][0] = ((Number) series.get(i).get("firstToken")).longValue();
    }
    return out;
  }

  String render(Path java, Path driver) {
    StringBuilder sb = new StringBuilder();
    sb.append("llama-small (12 layers, hidden 768, 12 query / 4 KV heads, SwiGLU 2048, vocab 32000, 124.7 M"
        + " parameters): costgen on the synthetic ONNX model, Jlama 0.8.4 on the same weights written as a"
        + " Hugging Face safetensors folder (4-bit: Jlama's own Q4 quantizer). Greedy, token-id prompts (" + counts.promptTokens()
        + " + " + counts.newTokens() + " tokens for decode), each engine in a fresh JVM per measurement ("
        + counts.rounds() + " round(s) per precision, alternating which engine goes first); in each JVM one"
        + " warm-up batch-1 call, " + counts.reps() + " measured batch-1 call(s), " + counts.b8Reps()
        + " batch-8 call(s), then " + counts.ttftReps() + " TTFT call(s) per prompt length. Jlama has no"
        + " multi-sequence batched decode, so its batch 8 is eight sequences stepped round-robin. costgen runs"
        + " `TextGenerator.generate` with cost off on ONNX Runtime's default threads. \"costgen ahead\" is per"
        + " round (tok/s costgen ÷ Jlama; time and memory Jlama ÷ costgen), median [min–max] over rounds:"
        + " ≥ 1 means costgen is ahead.\n\n");
    sb.append("Jlama: ").append(jlamaInfo == null ? "did not run" : jlamaInfo).append(" (`").append(java)
        .append("`, driver `").append(driver.getFileName()).append("`).\n\n");
    MarkdownTable t = new MarkdownTable("precision", "measure", "costgen", "Jlama", "costgen ahead", "rounds");
    for (Map.Entry<String, PerVariant> e : variants.entrySet()) {
      PerVariant v = e.getValue();
      for (Measure m : measures(counts.ttftPrompts())) {
        Stats.Summary c = pooled(v.costgen, m);
        Stats.Summary j = pooled(v.jlama, m);
        List<Double> adv = roundAdvantages(v.costgen, v.jlama, m);
        String advCell = adv.isEmpty() ? null : Report.fmt(Stats.summarize(adv).median(), 2) + "×"
            + (adv.size() > 1 ? " [" + Report.fmt(Stats.summarize(adv).min(), 2) + "–"
            + Report.fmt(Stats.summarize(adv).max(), 2) + "]" : "");
        String cCell = c == null ? (v.costgenMissing != null ? "not run: " + v.costgenMissing : null)
            : m.format().apply(c.median());
        t.row(e.getKey(), m.label(), cCell, j == null ? null : m.format().apply(j.median()), advCell, adv.size());
      }
    }
    sb.append(t.render()).append('\n');
    MarkdownTable a = new MarkdownTable("precision", "series", "token agreement (costgen vs Jlama, first round)");
    for (Map.Entry<String, PerVariant> e : variants.entrySet()) {
      PerVariant v = e.getValue();
      if (v.costgen.isEmpty() || v.jlama.isEmpty()) {
        a.row(e.getKey(), "all", "– (" + (v.costgen.isEmpty() ? "costgen" : "Jlama") + " did not run)");
        continue;
      }
      Map<String, Object> c = v.costgen.get(0);
      Map<String, Object> j = v.jlama.get(0);
      a.row(e.getKey(), "decode, batch 1", agreement(decodeTokens(c, 1), decodeTokens(j, 1)));
      a.row(e.getKey(), "decode, batch 8", agreement(decodeTokens(c, 8), decodeTokens(j, 8)));
      for (int b : List.of(1, 8)) {
        long[][] slow = decodeTokens(j, b, "tokensTokenByTokenPrefill");
        if (slow != null) {
          a.row(e.getKey(), "decode, batch " + b + ", Jlama prompt fed token by token (untimed)",
              agreement(decodeTokens(c, b), slow));
        }
      }
      a.row(e.getKey(), "first token after " + counts.ttftPrompts() + " prompt tokens",
          agreement(firstTokens(c, counts.ttftPrompts()), firstTokens(j, counts.ttftPrompts())));
    }
    sb.append(a.render());
    if (!failures.isEmpty()) {
      sb.append("\nFailed children:\n\n");
      for (String f : failures) {
        sb.append("- ").append(f).append('\n');
      }
    }
    return sb.toString();
  }
}

package io.costgen.bench.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request and result of one measuring child of the {@code jlama} suite, shared by the
 * costgen side ({@link CostgenSide}, Java 17) and the Jlama driver
 * ({@code benchmarks/jlama-driver}, Java 21+, no costgen code), so that both engines get the same
 * token-id prompts and report the same figures. Plain JSON maps (the driver reads them with its
 * own Jackson); the result is one line starting with {@link #MARKER}.
 *
 * <p>Request: {@code modelDir}, {@code modelFile} (costgen), {@code workingQType} (Jlama),
 * {@code threads} (0 = the engine's default), {@code secondsCap}, {@code decode}: a list of
 * {@code {prompts: [[ids]], newTokens, warmup, reps}} (one series per batch size), {@code ttft}:
 * a list of {@code {prompt: [ids], warmup, reps}}.
 *
 * <p>Result: {@code loadSeconds}, {@code java}, {@code peakRssAfterLoadKib}, {@code decode}: per
 * series {@code batch, promptTokens, newTokens, tokensPerSecond[], callSeconds[],
 * firstTokenSeconds[], tokens[][]} (tokens of the first measured run), {@code ttft}: per series
 * {@code promptTokens, seconds[], firstToken}, {@code peakRssAfterBatch1Kib}, {@code peakRssKib}
 * ({@code VmHWM}, KiB). The Jlama side adds {@code kernels} and {@code threads}.
 */
final class JlamaProtocol {

  /** Prefix of the result line on a child's standard output (the driver prints the same). */
  static final String MARKER = "COSTGEN-JLAMA-RESULT ";

  private JlamaProtocol() {}

  /** A request for {@code modelDir}: decode series at each batch, then TTFT per prompt length. */
  static Map<String, Object> request(String modelDir, String modelFile, int prompt, int newTokens,
      List<Integer> batches, int warmup, int reps, int b8Reps, List<Integer> ttftPrompts, int ttftReps,
      double secondsCap, int vocab) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("modelDir", modelDir);
    if (modelFile != null) {
      r.put("modelFile", modelFile);
    }
    r.put("workingQType", "I8");
    r.put("threads", 0);
    r.put("secondsCap", secondsCap);
    List<Map<String, Object>> decode = new ArrayList<>();
    for (int batch : batches) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("prompts", Workloads.prompts(batch, prompt, vocab));
      s.put("newTokens", newTokens);
      s.put("warmup", batch == 1 ? warmup : 0);
      s.put("reps", batch == 1 ? reps : b8Reps);
      decode.add(s);
    }
    r.put("decode", decode);
    List<Map<String, Object>> ttft = new ArrayList<>();
    for (int p : ttftPrompts) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("prompt", Workloads.prompts(1, p, vocab)[0]);
      s.put("warmup", 0);
      s.put("reps", ttftReps);
      ttft.add(s);
    }
    r.put("ttft", ttft);
    return r;
  }

  /** {@code n} as an int, from a JSON number. */
  static int intOf(Object n) {
    return ((Number) n).intValue();
  }

  /** A JSON list of numbers as doubles. */
  static List<Double> doubles(Object list) {
    List<Double> out = new ArrayList<>();
    for (Object o : (List<?>) list) {
      out.add(((Number) o).doubleValue());
    }
    return out;
  }

  /** A JSON matrix of token ids. */
  static long[][] tokens(Object matrix) {
    List<?> rows = (List<?>) matrix;
    long[][] out = new long[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      List<?> row = (List<?>) rows.get(i);
      out[i] = new long[row.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = ((Number) row.get(j)).longValue();
      }
    }
    return out;
  }
}

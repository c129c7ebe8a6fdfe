package io.costgen.bench.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.onnx.OnnxBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The costgen side of the {@code jlama} suite: one fresh JVM that loads an ONNX model folder,
 * runs the {@link JlamaProtocol} request with {@code TextGenerator.generate} (cost off, greedy,
 * token-id prompts, ONNX Runtime's default threads) and prints one result line, exactly as the
 * Jlama driver does on its side. Started by {@link JlamaSuite}, never by users.
 */
public final class CostgenSide {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CostgenSide() {}

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Map<String, Object> req = JSON.readValue(Path.of(args[0]).toFile(), Map.class);
    double cap = ((Number) req.get("secondsCap")).doubleValue();
    long t0 = System.nanoTime();
    Map<String, Object> r = new LinkedHashMap<>();
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(Path.of((String) req.get("modelDir")))
        .modelFile(Path.of((String) req.get("modelFile"))).build();
        CostgenLoop loop = new CostgenLoop(Impl.FREE, backend, null)) {
      r.put("loadSeconds", (System.nanoTime() - t0) / 1e9);
      r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      r.put("peakRssAfterLoadKib", ProcStatus.peakRssKib().orElse(-1));
      List<Map<String, Object>> decode = new ArrayList<>();
      long hwmAfterB1 = -1;
      for (Map<String, Object> series : (List<Map<String, Object>>) req.get("decode")) {
        long[][] prompts = JlamaProtocol.tokens(series.get("prompts"));
        int newTokens = JlamaProtocol.intOf(series.get("newTokens"));
        for (int w = 0; w < JlamaProtocol.intOf(series.get("warmup")); w++) {
          loop.run(prompts, newTokens);
        }
        List<Double> tps = new ArrayList<>();
        List<Double> call = new ArrayList<>();
        List<Double> ttft = new ArrayList<>();
        long[][] first = null;
        long s0 = System.nanoTime();
        for (int i = 0; i < JlamaProtocol.intOf(series.get("reps")); i++) {
          DecodeLoop.Run run = loop.run(prompts, newTokens);
          double decodeSeconds = (run.totalNanos() - run.firstTokenNanos()) / 1e9;
          tps.add(newTokens <= 1 ? 0 : prompts.length * (newTokens - 1) / decodeSeconds);
          call.add(run.totalNanos() / 1e9);
          ttft.add(run.firstTokenNanos() / 1e9);
          if (first == null) {
            first = run.generated();
          }
          if ((System.nanoTime() - s0) / 1e9 > cap) {
            break;
          }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("batch", prompts.length);
        s.put("promptTokens", prompts[0].length);
        s.put("newTokens", newTokens);
        s.put("tokensPerSecond", tps);
        s.put("callSeconds", call);
        s.put("firstTokenSeconds", ttft);
        s.put("tokens", first);
        decode.add(s);
        if (prompts.length == 1 && hwmAfterB1 < 0) {
          hwmAfterB1 = ProcStatus.peakRssKib().orElse(-1);
        }
      }
      List<Map<String, Object>> ttftOut = new ArrayList<>();
      for (Map<String, Object> series : (List<Map<String, Object>>) req.get("ttft")) {
        long[][] prompt = JlamaProtocol.tokens(List.of(series.get("prompt")));
        for (int w = 0; w < JlamaProtocol.intOf(series.get("warmup")); w++) {
          loop.run(prompt, 1);
        }
        List<Double> seconds = new ArrayList<>();
        long firstToken = -1;
        long s0 = System.nanoTime();
        for (int i = 0; i < JlamaProtocol.intOf(series.get("reps")); i++) {
          DecodeLoop.Run run = loop.run(prompt, 1);
          seconds.add(run.firstTokenNanos() / 1e9);
          firstToken = run.generated()[0][0];
          if ((System.nanoTime() - s0) / 1e9 > cap) {
            break;
          }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("promptTokens", prompt[0].length);
        s.put("seconds", seconds);
        s.put("firstToken", firstToken);
        ttftOut.add(s);
      }
      r.put("decode", decode);
      r.put("ttft", ttftOut);
      r.put("peakRssAfterBatch1Kib", hwmAfterB1);
    }
    r.put("peakRssKib", ProcStatus.peakRssKib().orElse(-1));
    System.out.println(JlamaProtocol.MARKER + JSON.writeValueAsString(r));
    System.out.flush();
  }
}

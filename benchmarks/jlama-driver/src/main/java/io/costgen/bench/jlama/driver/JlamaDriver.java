package io.costgen.bench.jlama.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The Jlama side of costgen's "jlama" benchmark suite, run as a child process on Java 21+.
 *
 * <p>Two commands, each taking one JSON request file and printing one result line that starts
 * with {@link #MARKER}:
 *
 * <ul>
 *   <li>{@code quantize REQUEST}: {@code {"source": dir, "target": dir, "type": "Q4"}} writes a
 *       quantized copy of a Hugging Face folder with Jlama's own quantizer (the library call behind
 *       its {@code quantize} command, norms left unquantized as that command does by default).
 *   <li>{@code measure REQUEST}: loads a folder and times greedy decoding of token-id prompts (see
 *       {@link #measure}).
 * </ul>
 *
 * <p>Decoding uses the public calls Jlama's own {@code generate} makes: {@code batchForward} over
 * the whole prompt into a KV buffer of the model's cache, {@code sample} at temperature 0 (argmax)
 * on the last position, then one {@code forward} + {@code sample} per new token. Prompts are token
 * ids (no tokenizer, no BOS added), exactly the ids costgen gets. Jlama 0.8.4 has no batched decode
 * of several sequences, so a batch of B rows runs as B sequences, each with its own KV buffer, one
 * forward per row per step (round-robin), which is what a Jlama user serving B callers gets.
 * Not thread-safe (one run at a time).
 */
public final class JlamaDriver {

  /** Prefix of the result line on standard output. */
  public static final String MARKER = "COSTGEN-JLAMA-RESULT ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private JlamaDriver() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !(args[0].equals("quantize") || args[0].equals("measure"))) {
      System.err.println("usage: JlamaDriver quantize|measure REQUEST.json");
      System.exit(2);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> request = JSON.readValue(Path.of(args[1]).toFile(), Map.class);
    Map<String, Object> result = args[0].equals("quantize") ? quantize(request) : measure(request);
    System.out.println(MARKER + JSON.writeValueAsString(result));
    System.out.flush();
    // Jlama's executor threads are not daemons.
    System.exit(0);
  }

  static Map<String, Object> quantize(Map<String, Object> req) throws IOException {
    Path source = Path.of((String) req.get("source"));
    Path target = Path.of((String) req.get("target"));
    DType type = DType.valueOf((String) req.getOrDefault("type", "Q4"));
    long t0 = System.nanoTime();
    Path out = SafeTensorSupport.quantizeModel(source, type, new String[] {"norm"}, null, Optional.of(target));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("target", out.toString());
    r.put("seconds", (System.nanoTime() - t0) / 1e9);
    r.put("bytes", Files.size(out.resolve("model.safetensors")));
    return r;
  }

  /**
   * Request: {@code modelDir}, {@code workingQType} (Jlama's quantized working-memory type, e.g.
   * {@code I8}, the CLI's default; Jlama itself uses F32 for fp32 models), {@code threads} (0 =
   * Jlama's default), {@code decode}: a list of {@code {batch, prompts: [[ids]], newTokens, warmup,
   * reps}}, {@code ttft}: a list of {@code {prompt: [ids], warmup, reps}}, {@code secondsCap}
   * (a series stops after at least one measured run once it took longer).
   *
   * <p>Result: load time, which kernels ran, per decode series tokens/s (batch × (newTokens − 1) ÷
   * (call − time to first token)), call seconds, the first measured run's tokens, {@code VmHWM}
   * after the batch-1 series and at the end, per TTFT series seconds.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> measure(Map<String, Object> req) throws IOException {
    int threads = ((Number) req.getOrDefault("threads", 0)).intValue();
    if (threads > 0) {
      PhysicalCoreExecutor.overrideThreadCount(threads);
    }
    DType workingQ = DType.valueOf((String) req.getOrDefault("workingQType", "I8"));
    double cap = ((Number) req.getOrDefault("secondsCap", 120)).doubleValue();
    long t0 = System.nanoTime();
    Path work = Files.createTempDirectory("costgen-jlama-work");
    AbstractModel model = ModelSupport.loadModel(new File((String) req.get("modelDir")), work.toFile(),
        DType.F32, workingQ, Optional.empty(), Optional.empty());
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("loadSeconds", loadSeconds);
    r.put("kernels", TensorOperationsProvider.get().name());
    r.put("threads", PhysicalCoreExecutor.instance.get().getCoreCount());
    r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    r.put("peakRssAfterLoadKib", peakRssKib());
    KvBufferCache cache = new KvBufferCache(model);
    List<Map<String, Object>> decode = new ArrayList<>();
    long hwmAfterB1 = -1;
    for (Map<String, Object> series : (List<Map<String, Object>>) req.getOrDefault("decode", List.of())) {
      int[][] prompts = ids((List<List<Number>>) series.get("prompts"));
      int newTokens = ((Number) series.get("newTokens")).intValue();
      int warmup = ((Number) series.getOrDefault("warmup", 0)).intValue();
      int reps = ((Number) series.get("reps")).intValue();
      for (int w = 0; w < warmup; w++) {
        run(model, cache, prompts, newTokens);
      }
      List<Double> tps = new ArrayList<>();
      List<Double> call = new ArrayList<>();
      List<Double> ttft = new ArrayList<>();
      int[][] firstTokens = null;
      long s0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        Run run = run(model, cache, prompts, newTokens);
        double decodeSeconds = (run.totalNanos - run.firstTokenNanos) / 1e9;
        tps.add(newTokens <= 1 ? 0 : prompts.length * (newTokens - 1) / decodeSeconds);
        call.add(run.totalNanos / 1e9);
        ttft.add(run.firstTokenNanos / 1e9);
        if (firstTokens == null) {
          firstTokens = run.tokens;
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
      s.put("tokens", firstTokens);
      decode.add(s);
      if (prompts.length == 1 && hwmAfterB1 < 0) {
        hwmAfterB1 = peakRssKib();
      }
    }
    List<Map<String, Object>> ttftOut = new ArrayList<>();
    for (Map<String, Object> series : (List<Map<String, Object>>) req.getOrDefault("ttft", List.of())) {
      int[][] prompt = ids(List.of((List<Number>) series.get("prompt")));
      int warmup = ((Number) series.getOrDefault("warmup", 0)).intValue();
      int reps = ((Number) series.get("reps")).intValue();
      for (int w = 0; w < warmup; w++) {
        run(model, cache, prompt, 1);
      }
      List<Double> seconds = new ArrayList<>();
      int firstToken = -1;
      long s0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        Run run = run(model, cache, prompt, 1);
        seconds.add(run.firstTokenNanos / 1e9);
        firstToken = run.tokens[0][0];
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
    if (Boolean.TRUE.equals(req.get("tokenByTokenAgain"))) {
      boolean before = TOKEN_BY_TOKEN_PREFILL;
      TOKEN_BY_TOKEN_PREFILL = true;
      int i = 0;
      for (Map<String, Object> series : (List<Map<String, Object>>) req.getOrDefault("decode", List.of())) {
        int[][] prompts = ids((List<List<Number>>) series.get("prompts"));
        decode.get(i++).put("tokensTokenByTokenPrefill",
            run(model, cache, prompts, ((Number) series.get("newTokens")).intValue()).tokens);
      }
      TOKEN_BY_TOKEN_PREFILL = before;
    }
    r.put("decode", decode);
    r.put("ttft", ttftOut);
    r.put("peakRssAfterBatch1Kib", hwmAfterB1);
    r.put("peakRssKib", peakRssKib());
    cache.close();
    model.close();
    return r;
  }

  /**
   * One Jlama session per row index, reused by every run: a run writes its KV entries from
   * position 0 and attention reads only up to the current position, so what an earlier run left
   * behind is never read. (Jlama keeps each session's KV pages as files in its working directory;
   * fresh sessions per run would fill the disk.)
   */
  private static final Map<Integer, UUID> ROW_SESSIONS = new java.util.HashMap<>();

  record Run(long firstTokenNanos, long totalNanos, int[][] tokens) {}

  /** Greedy decoding of every row, exactly {@code newTokens} new tokens per row (no EOS stop). */
  static Run run(AbstractModel model, KvBufferCache cache, int[][] prompts, int newTokens) {
    int rows = prompts.length;
    int vocab = model.getConfig().vocabularySize;
    KvBufferCache.KvBuffer[] kv = new KvBufferCache.KvBuffer[rows];
    int[][] out = new int[rows][newTokens];
    long t0 = System.nanoTime();
    long firstToken;
    try (AbstractTensor logits = model.makeDenseTensor(vocab)) {
      for (int r = 0; r < rows; r++) {
        kv[r] = cache.getKvBuffer(ROW_SESSIONS.computeIfAbsent(r, k -> UUID.randomUUID()));
        AbstractTensor last = TOKEN_BY_TOKEN_PREFILL ? prefillTokenByToken(model, prompts[r], kv[r])
            : model.batchForward(prompts[r], 0, kv[r]);
        out[r][0] = model.sample(last.slice(last.shape().first() - 1), 0f, 0f, logits);
        last.close();
      }
      firstToken = System.nanoTime() - t0;
      for (int step = 1; step < newTokens; step++) {
        for (int r = 0; r < rows; r++) {
          int pos = prompts[r].length + step - 1;
          AbstractTensor output = model.forward(out[r][step - 1], pos, kv[r], Optional.empty());
          out[r][step] = model.sample(output, 0f, 0f, logits);
          output.close();
        }
      }
    }
    long total = System.nanoTime() - t0;
    return new Run(firstToken, total, out);
  }

  /**
   * Diagnostics only ({@code -Dcostgen.jlama.tokenByTokenPrefill=true}, or the request's
   * {@code tokenByTokenAgain} for one untimed extra run per decode series): feed the prompt one
   * {@code forward} per token instead of Jlama's batched prefill, to tell a prefill difference from
   * a decode difference when the tokens disagree with costgen's.
   */
  static boolean TOKEN_BY_TOKEN_PREFILL = Boolean.getBoolean("costgen.jlama.tokenByTokenPrefill");

  private static AbstractTensor prefillTokenByToken(AbstractModel model, int[] prompt, KvBufferCache.KvBuffer kv) {
    AbstractTensor last = null;
    for (int i = 0; i < prompt.length; i++) {
      if (last != null) {
        last.close();
      }
      last = model.forward(prompt[i], i, kv, Optional.empty());
    }
    return last;
  }

  private static int[][] ids(List<List<Number>> rows) {
    int[][] out = new int[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      List<Number> row = rows.get(i);
      out[i] = new int[row.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = row.get(j).intValue();
      }
    }
    return out;
  }

  /** {@code VmHWM} of this process from {@code /proc/self/status}, KiB, or −1. */
  static long peakRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}

package io.costgen.core.tokenizer;

import io.costgen.core.ModelLoadException;
import io.costgen.core.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A {@link Tokenizer} for a Hugging Face {@code tokenizer.json}, running the Rust
 * {@code tokenizers} library through DJL ({@code ai.djl.huggingface.tokenizers}), fully offline.
 *
 * <p>{@link #open(Path)} takes a model directory (reads {@code tokenizer.json} and, when present,
 * {@code tokenizer_config.json}) or the {@code tokenizer.json} file itself (its sibling
 * {@code tokenizer_config.json} is used when present). Special tokens such as BOS are added as the
 * tokenizer's post-processor says (DJL's behaviour); prompts are never truncated or padded.
 *
 * <p><b>Offline and no telemetry:</b> before the first tokenizer is created this class sets the
 * system properties {@code ai.djl.offline=true} (DJL never downloads native libraries; it uses
 * the CPU build bundled in its jar) and {@code OPT_OUT_TRACKING=true} (DJL's usage ping to the
 * EC2 metadata endpoint is skipped), each only when it is not set already. It never calls DJL's
 * Hub-id factory. DJL copies its native library to {@code ~/.djl.ai} (or {@code $DJL_CACHE_DIR}).
 *
 * <p>Thread-safe; {@link #close()} must only be called when no other thread uses it.
 */
public final class HuggingFaceTokenizer implements Tokenizer {

  private static final Pattern BYTE_PIECE = Pattern.compile("<0x[0-9A-Fa-f]{2}>");

  private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate;
  private final Path source;
  private final BitSet bytePieces;
  private volatile boolean closed;

  private HuggingFaceTokenizer(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate, Path source,
      BitSet bytePieces) {
    this.delegate = delegate;
    this.source = source;
    this.bytePieces = bytePieces;
  }

  /**
   * Loads a tokenizer from a model directory or a {@code tokenizer.json} file.
   *
   * @throws ModelLoadException naming the path when the file is missing or cannot be parsed
   */
  public static HuggingFaceTokenizer open(Path dirOrFile) {
    Objects.requireNonNull(dirOrFile, "dirOrFile");
    Path json = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
    if (!Files.isRegularFile(json)) {
      throw new ModelLoadException("tokenizer: " + json + " not found (expected a Hugging Face tokenizer.json"
          + " or a directory holding one)");
    }
    Path parent = json.toAbsolutePath().getParent();
    Path config = parent == null ? null : parent.resolve("tokenizer_config.json");
    ensureOfflineProperties();
    quietGpuProbe();
    Map<String, String> options = new HashMap<>();
    options.put("addSpecialTokens", "true");
    options.put("truncation", "false");
    options.put("padding", "false");
    try {
      ai.djl.huggingface.tokenizers.HuggingFaceTokenizer t = config != null && Files.isRegularFile(config)
          ? ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(json, config.toString(), options)
          : ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(json, options);
      BitSet bytePieces;
      try {
        bytePieces = bytePieces(json);
      } catch (IOException | RuntimeException e) {
        t.close();
        throw e;
      }
      return new HuggingFaceTokenizer(t, json, bytePieces);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException("tokenizer: cannot load " + json + ": " + e.getMessage(), e);
    }
  }

  /** Ids of the {@code <0xXX>} vocabulary pieces when the decoder uses {@code ByteFallback}. */
  private static BitSet bytePieces(Path json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    BitSet ids = new BitSet();
    if (!usesByteFallback(root.path("decoder"))) {
      return ids;
    }
    JsonNode vocab = root.path("model").path("vocab");
    for (Map.Entry<String, JsonNode> e : vocab.properties()) {
      if (BYTE_PIECE.matcher(e.getKey()).matches() && e.getValue().canConvertToInt()) {
        ids.set(e.getValue().asInt());
      }
    }
    return ids;
  }

  private static boolean usesByteFallback(JsonNode decoder) {
    if (decoder == null || decoder.isMissingNode() || decoder.isNull()) {
      return false;
    }
    if ("ByteFallback".equals(decoder.path("type").asText())) {
      return true;
    }
    for (JsonNode d : decoder.path("decoders")) {
      if (usesByteFallback(d)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sets {@code ai.djl.offline=true} and {@code OPT_OUT_TRACKING=true} unless already set. Called
   * by {@link #open}; public so applications can call it before touching DJL in other ways.
   */
  public static synchronized void ensureOfflineProperties() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  /** Opt-out: {@code -Dcostgen.djl.gpuProbeWarnings=true} keeps DJL's GPU-probe warnings. */
  static final String GPU_PROBE_WARNINGS = "costgen.djl.gpuProbeWarnings";
  private static volatile boolean probeQuieted;

  /**
   * Keeps DJL's GPU probe out of the host's log. Loading the tokenizer library makes DJL ask the
   * CUDA runtime for the GPU count ({@code ai.djl.util.cuda.CudaUtils}); on a machine with the CUDA
   * runtime but no usable driver or GPU it logs {@code WARN Failed to detect GPU count: CUDA driver
   * version is insufficient ...} twice, although the tokenizer never uses a GPU. DJL reads no
   * property to skip that probe in-process ({@code ai.djl.util.cuda.fork=true} moves it into a
   * child JVM, which fails under nested-jar class loaders), but its own switch for those lines is
   * the static flag {@code CudaUtils.logging}: this turns it off once, before the first probe,
   * unless {@value #GPU_PROBE_WARNINGS} is {@code true} or the host set {@code ai.djl.util.cuda.fork}.
   * Nothing is configured in the host's logging backend; if DJL changes, this does nothing.
   */
  static synchronized void quietGpuProbe() {
    if (probeQuieted) {
      return;
    }
    probeQuieted = true;
    if (Boolean.getBoolean(GPU_PROBE_WARNINGS) || System.getProperty("ai.djl.util.cuda.fork") != null) {
      return;
    }
    try {
      Class<?> cuda = Class.forName("ai.djl.util.cuda.CudaUtils", true, HuggingFaceTokenizer.class.getClassLoader());
      java.lang.reflect.Field logging = cuda.getDeclaredField("logging");
      if (logging.getType() == boolean.class && java.lang.reflect.Modifier.isStatic(logging.getModifiers())
          && !java.lang.reflect.Modifier.isFinal(logging.getModifiers())) {
        logging.setAccessible(true);
        logging.setBoolean(null, false);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // another DJL version: its probe may log; nothing else changes
    }
  }

  /** Token ids of {@code text}, special tokens (e.g. BOS) added as the tokenizer specifies. */
  @Override
  public long[] encode(String text) {
    return encode(text, true);
  }

  /**
   * Token ids of {@code text}, with or without the special tokens the tokenizer adds (BOS, …);
   * special-token text inside {@code text} becomes its id either way.
   */
  @Override
  public long[] encode(String text, boolean addSpecialTokens) {
    Objects.requireNonNull(text, "text");
    checkOpen();
    return delegate.encode(text, addSpecialTokens, false).getIds();
  }

  @Override
  public String decode(long[] ids, boolean skipSpecialTokens) {
    Objects.requireNonNull(ids, "ids");
    checkOpen();
    if (ids.length == 0) {
      return "";
    }
    return delegate.decode(ids, skipSpecialTokens);
  }

  /** True for the {@code <0xXX>} pieces of a tokenizer whose decoder uses {@code ByteFallback}. */
  @Override
  public boolean isByteFallbackPiece(long id) {
    return id >= 0 && id < Integer.MAX_VALUE && bytePieces.get((int) id);
  }

  /** The {@code tokenizer.json} this tokenizer was read from. */
  public Path source() {
    return source;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      delegate.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("tokenizer " + source + " is closed");
    }
  }

  @Override
  public String toString() {
    return "HuggingFaceTokenizer[" + source + "]";
  }
}

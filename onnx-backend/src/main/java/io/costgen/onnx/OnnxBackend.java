package io.costgen.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.ModelInfo;
import io.costgen.core.ModelLoadException;
import io.costgen.core.spi.TransformerBackend;
import io.costgen.onnx.internal.LastPositionGraphs;
import io.costgen.onnx.internal.LayoutDiscovery;
import io.costgen.onnx.internal.CudaLibraries;
import io.costgen.onnx.internal.ModelFolder;
import io.costgen.onnx.internal.ModelInfoFactory;
import io.costgen.onnx.internal.NativeLibraryCache;
import io.costgen.onnx.internal.OnnxModel;
import io.costgen.onnx.internal.OnnxProtoScanner;
import io.costgen.onnx.internal.OrtRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A decoder-only transformer exported to ONNX, run by ONNX Runtime: the {@link TransformerBackend}
 * of costgen.
 *
 * <pre>{@code
 * try (OnnxBackend backend = OnnxBackend.open(Path.of("models/stories260k"));
 *      DecoderSession session = backend.openSession()) {
 *   Logits logits = session.prefill(new long[][] {{1, 403, 407, 261, 378}}, new int[] {0});
 *   ...
 * }
 * }</pre>
 *
 * <p>Loading picks the model file (see {@link Builder#modelFile(Path)} for the search order),
 * discovers its input/output layout from the session ({@link #layout()}; four layouts: Optimum
 * or model-builder {@code past_key_values.%d.key|value}, onnxruntime-genai folders with
 * {@code genai_config.json}, legacy GPT-2 {@code past_%d} with key and value stacked, and Optimum
 * merged decoders with {@code use_cache_branch}; graphs without a cache are recomputed each
 * step), and describes the model ({@link #modelInfo()}) from {@code config.json},
 * {@code generation_config.json}, {@code genai_config.json} and the graph itself, with the
 * parameter count summed from the initializers of the {@code .onnx} file.
 *
 * <p>Thread-safe: one backend may be shared by many threads, each using its own
 * {@link DecoderSession} (ONNX Runtime runs are thread-safe on one session). {@link #close()}
 * waits for runs in flight, refuses new sessions and runs afterwards, and is idempotent.
 */
public final class OnnxBackend implements TransformerBackend {

  private final OnnxModel model;

  private OnnxBackend(OnnxModel model) {
    this.model = model;
  }

  /**
   * Loads the model in {@code modelDir} on the CPU with ONNX Runtime's defaults.
   *
   * @throws ModelLoadException naming the path when the folder or model is missing, corrupt or of
   *     an unknown layout
   */
  public static OnnxBackend open(Path modelDir) {
    return builder().modelDir(modelDir).build();
  }

  /** A builder; {@link Builder#modelDir(Path)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** What the model is: shape, exact parameter count, dtypes, special tokens, defaults. */
  @Override
  public ModelInfo modelInfo() {
    return model.info();
  }

  /** The discovered input/output contract of the graph. */
  public OnnxModelLayout layout() {
    return model.layout();
  }

  /**
   * Opens an empty session; the caller must close it.
   *
   * @throws IllegalStateException if this backend is closed
   */
  @Override
  public DecoderSession openSession() {
    return model.openSession();
  }

  /**
   * Whether prefills compute the last position's logits only: true when
   * {@link Builder#lastPositionLogits(boolean)} is on and the graph's head was recognised and
   * rewritten.
   */
  public boolean lastPositionLogits() {
    return model.lastPositionOnly();
  }

  /** Sessions opened and not yet closed (for diagnostics and leak checks). */
  public int openSessions() {
    return model.openSessions();
  }

  /**
   * Releases the ONNX Runtime session after waiting for runs in flight. Sessions still open fail
   * on their next run (closing them stays safe). Idempotent.
   */
  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "OnnxBackend[" + model.layout().modelFile() + ", " + model.info().device() + "]";
  }

  /**
   * Configures and loads an {@link OnnxBackend}. Unset options keep ONNX Runtime's defaults.
   * Not thread-safe.
   */
  public static final class Builder {
    private Path modelDir;
    private Path modelFile;
    private int intraOpThreads;
    private GraphOptimizationLevel optimizationLevel = GraphOptimizationLevel.ALL;
    private ExecutionProvider executionProvider = ExecutionProvider.CPU;
    private int deviceId;
    private boolean deviceIdSet;
    private Boolean allowSpinning;
    private OptionalInt contextLength = OptionalInt.empty();
    private boolean lastPositionLogits = true;
    private boolean genaiSearchDefaults = true;
    private Path graphCacheDir;

    private Builder() {}

    /** The model folder (required): the {@code .onnx} file and its JSON files. */
    public Builder modelDir(Path modelDir) {
      this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
      return this;
    }

    /**
     * Loads this {@code .onnx} file (relative to the model folder unless absolute) instead of
     * searching. Search order, first match wins, in the folder and then its {@code onnx/}
     * sub-folder: {@code model.onnx}; {@code decoder_model_merged.onnx},
     * {@code decoder_model_merged_quantized.onnx}, {@code decoder_model_merged_fp16.onnx}, other
     * {@code decoder_model_merged*.onnx}; the {@code genai_config.json} decoder filename;
     * {@code past.onnx}; {@code decoder_with_past_model.onnx}; {@code decoder_model.onnx}; the
     * folder's only {@code .onnx} file.
     */
    public Builder modelFile(Path modelFile) {
      this.modelFile = Objects.requireNonNull(modelFile, "modelFile");
      return this;
    }

    /**
     * Threads one run uses for its operators (ONNX Runtime's intra-op pool; 0 = its default, one
     * per physical core). Keep it low when several threads share the backend. Bounded by the
     * machine: at most {@link #maxIntraOpThreads()} (a pool of 100,000 threads hung ONNX Runtime).
     *
     * @throws IllegalArgumentException if {@code threads} is negative or above {@link #maxIntraOpThreads()}
     */
    public Builder intraOpThreads(int threads) {
      int max = maxIntraOpThreads();
      if (threads < 0 || threads > max) {
        throw new IllegalArgumentException("intraOpThreads: " + threads + " is out of range; allowed 0 to " + max
            + " (4 x this machine's " + Runtime.getRuntime().availableProcessors() + " available processors, at least 8)");
      }
      this.intraOpThreads = threads;
      return this;
    }

    /** The most intra-op threads {@link #intraOpThreads(int)} accepts: 4 x available processors, at least 8. */
    public static int maxIntraOpThreads() {
      return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    }

    /** Graph optimizations applied at load (default {@link GraphOptimizationLevel#ALL}). */
    public Builder optimizationLevel(GraphOptimizationLevel level) {
      this.optimizationLevel = Objects.requireNonNull(level, "optimizationLevel");
      return this;
    }

    /** Where to run (default {@link ExecutionProvider#CPU}). */
    public Builder executionProvider(ExecutionProvider provider) {
      this.executionProvider = Objects.requireNonNull(provider, "executionProvider");
      return this;
    }

    /** The CUDA device ordinal (default 0); requires {@link ExecutionProvider#CUDA}. */
    public Builder deviceId(int deviceId) {
      if (deviceId < 0) {
        throw new IllegalArgumentException("deviceId: " + deviceId + " must be >= 0");
      }
      this.deviceId = deviceId;
      this.deviceIdSet = true;
      return this;
    }

    /**
     * Whether idle intra-op threads busy-spin between runs (ONNX Runtime's default: true). Turn
     * it off when several sessions or processes share the cores
     * ({@code session.intra_op.allow_spinning}).
     */
    public Builder allowSpinning(boolean allow) {
      this.allowSpinning = allow;
      return this;
    }

    /**
     * The context length in tokens, for folders whose files do not give it
     * ({@code max_position_embeddings} in {@code config.json}, {@code context_length} in
     * {@code genai_config.json}); overrides them when set.
     */
    public Builder contextLength(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("contextLength: " + tokens + " must be >= 1");
      }
      this.contextLength = OptionalInt.of(tokens);
      return this;
    }

    /**
     * Whether a prefill computes the logits of the last position only (default true). When on,
     * the loaded graph is rewritten so the hidden state is sliced to the last position before
     * the language-model head: a prefill of {@code S} tokens skips {@code S - 1} of the
     * {@code S} head projections and never materializes {@code [B, S, V]} logits (for GPT-2
     * at 512 tokens, 98 MiB per row). Outputs are unchanged: generation reads only the last
     * position. The rewritten graph is cached by the original's SHA-256 under
     * {@link #graphCacheDir(Path)}; a graph whose head is not recognised is loaded as it is,
     * with a log line saying why. Turn it off to load the file exactly as exported.
     */
    public Builder lastPositionLogits(boolean enabled) {
      this.lastPositionLogits = enabled;
      return this;
    }

    /**
     * Whether the {@code search} keys of an onnxruntime-genai {@code genai_config.json}
     * ({@code max_length} as total length, {@code do_sample}, {@code top_k}, {@code top_p},
     * {@code temperature}, {@code num_beams}, {@code early_stopping}, …) act as generation defaults
     * where {@code generation_config.json} does not set the key (default true, onnxruntime-genai's
     * behaviour). Turn it off to use only {@code generation_config.json} and Hugging Face's
     * defaults.
     */
    public Builder genaiSearchDefaults(boolean enabled) {
      this.genaiSearchDefaults = enabled;
      return this;
    }

    /**
     * Where rewritten graphs are cached (default {@code ~/.cache/costgen/graphs}); see
     * {@link #lastPositionLogits(boolean)}. A model with external data gets symbolic links to
     * its data files there; a model with inline weights is copied once (its size on disk).
     */
    public Builder graphCacheDir(Path dir) {
      this.graphCacheDir = Objects.requireNonNull(dir, "graphCacheDir");
      return this;
    }

    /**
     * Loads the model.
     *
     * @throws IllegalStateException if {@code modelDir} is unset or {@code deviceId} is set without
     *     CUDA
     * @throws CudaUnavailableException if CUDA is requested but cannot run here: the
     *     {@code onnxruntime_gpu} artifact or a CUDA/cuDNN library (e.g. {@code libcublasLt.so.12})
     *     is missing; the message names each and what to install
     * @throws ModelLoadException naming the path when the folder or model is missing, not a valid
     *     ONNX model, or of an unknown layout
     */
    public OnnxBackend build() {
      if (modelDir == null) {
        throw new IllegalStateException("modelDir: not set; call modelDir(Path) before build()");
      }
      if (deviceIdSet && executionProvider != ExecutionProvider.CUDA) {
        throw new IllegalStateException("deviceId: " + deviceId + " set, but executionProvider is "
            + executionProvider + "; device ids apply to CUDA only");
      }
      ModelFolder folder = ModelFolder.open(modelDir, modelFile);
      Path file = folder.modelFile();
      if (executionProvider == ExecutionProvider.CUDA) {
        requireCuda();
      }
      OnnxProtoScanner.InitializerSummary weights;
      try {
        weights = OnnxProtoScanner.scan(file);
      } catch (OnnxProtoScanner.InvalidModelException e) {
        throw new ModelLoadException(file + " is not a valid ONNX model: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new ModelLoadException("Cannot read model file " + file + ": " + e, e);
      }
      LastPositionGraphs.Prepared prepared = lastPositionLogits
          ? LastPositionGraphs.prepare(file, LayoutDiscovery.logitsName(folder),
              graphCacheDir != null ? graphCacheDir : LastPositionGraphs.defaultCacheRoot())
          : new LastPositionGraphs.Prepared(file, false, "turned off", Optional.empty());
      OrtEnvironment env = OrtRuntime.environment();
      OrtSession session;
      try (OrtSession.SessionOptions options = sessionOptions()) {
        if (prepared.externalDataDir().isPresent()) {
          options.addConfigEntry("session.model_external_initializers_file_folder_path",
              prepared.externalDataDir().get().toString());
          session = env.createSession(readGraph(prepared.file()), options);
        } else {
          session = env.createSession(prepared.file().toString(), options);
        }
      } catch (OrtException e) {
        throw new ModelLoadException(
            file + " could not be loaded by ONNX Runtime: " + e.getMessage(), e);
      }
      try {
        var layout = LayoutDiscovery.discover(folder, session.getInputInfo(),
            session.getOutputInfo());
        String device = executionProvider == ExecutionProvider.CUDA ? "cuda:" + deviceId : "cpu";
        ModelInfo info = ModelInfoFactory.create(folder, layout, weights, contextLength, device,
            genaiSearchDefaults);
        return new OnnxBackend(
            new OnnxModel(env, session, layout, info, prepared.rewritten()));
      } catch (OrtException | RuntimeException e) {
        try {
          session.close();
        } catch (OrtException closeFailure) {
          e.addSuppressed(closeFailure);
        }
        if (e instanceof OrtException) {
          throw new ModelLoadException(file + ": cannot read the graph's inputs and outputs: "
              + e.getMessage(), e);
        }
        throw (RuntimeException) e;
      }
    }

    private static byte[] readGraph(Path graph) {
      try {
        return java.nio.file.Files.readAllBytes(graph);
      } catch (IOException e) {
        throw new ModelLoadException("Cannot read the rewritten graph " + graph + ": " + e, e);
      }
    }

    /** What a user installs for {@link ExecutionProvider#CUDA}. */
    private static final String CUDA_INSTALL = "the NVIDIA driver, CUDA 12.x and cuDNN 9, with their lib folders"
        + " on LD_LIBRARY_PATH (docs/onnx-backend.md#cuda)";

    /**
     * Fails before ONNX Runtime loads its CUDA provider when that cannot work: the CPU-only
     * {@code onnxruntime} artifact is on the class path, or CUDA/cuDNN libraries are missing.
     */
    private static void requireCuda() {
      EnumSet<OrtProvider> available = OrtRuntime.availableProviders();
      if (!available.contains(OrtProvider.CUDA)) {
        throw new CudaUnavailableException(
            List.of("the onnxruntime_gpu artifact (this ONNX Runtime has " + available + " only)"),
            "com.microsoft.onnxruntime:onnxruntime_gpu:" + NativeLibraryCache.ortVersion() + " in place of"
                + " com.microsoft.onnxruntime:onnxruntime, with the NVIDIA driver, CUDA 12.x and cuDNN 9"
                + " (docs/onnx-backend.md#cuda)");
      }
      List<String> missing = CudaLibraries.missingOnThisMachine();
      if (!missing.isEmpty()) {
        throw new CudaUnavailableException(missing, CUDA_INSTALL);
      }
    }

    private OrtSession.SessionOptions sessionOptions() throws OrtException {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      try {
        if (intraOpThreads > 0) {
          options.setIntraOpNumThreads(intraOpThreads);
        }
        options.setOptimizationLevel(optLevel(optimizationLevel));
        if (allowSpinning != null) {
          options.addConfigEntry("session.intra_op.allow_spinning", allowSpinning ? "1" : "0");
          options.addConfigEntry("session.inter_op.allow_spinning", allowSpinning ? "1" : "0");
        }
        if (executionProvider == ExecutionProvider.CUDA) {
          NativeLibraryCache.prepareCuda();
          try {
            options.addCUDA(deviceId);
          } catch (OrtException e) {
            throw new CudaUnavailableException(List.of("a loadable CUDA provider (" + e.getMessage() + ")"),
                CUDA_INSTALL, e);
          }
        }
        return options;
      } catch (OrtException | RuntimeException e) {
        options.close();
        throw e;
      }
    }

    private static OrtSession.SessionOptions.OptLevel optLevel(GraphOptimizationLevel level) {
      switch (level) {
        case NONE: return OrtSession.SessionOptions.OptLevel.NO_OPT;
        case BASIC: return OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case EXTENDED: return OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        default: return OrtSession.SessionOptions.OptLevel.ALL_OPT;
      }
    }
  }
}

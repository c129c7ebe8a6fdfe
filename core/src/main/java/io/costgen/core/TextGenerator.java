package io.costgen.core;

import io.costgen.cost.CostModel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry point: Hugging Face {@code generate()} semantics (greedy, sampling, beam search, beam
 * sampling; processors, stopping, batching) over any {@link TransformerBackend}, with every call
 * measured ({@link io.costgen.cost.Usage}) and priced ({@link CostModel}).
 *
 * <pre>{@code
 * TextGenerator generator = TextGenerator.builder(backend)
 *     .tokenizer(HuggingFaceTokenizer.open(modelDir))
 *     .defaults(GenerationConfig.builder().maxNewTokens(64).build())
 *     .build();
 * GenerationResult r = generator.generate("Once upon a time");
 * System.out.println(r.completion() + " " + r.usage().completionTokens() + " tokens");
 * }</pre>
 *
 * <p>Configs merge field by field: explicit fields of the call's config win over the generator's
 * {@link Builder#defaults defaults}, which win over the model's {@code generation_config.json}
 * ({@link ModelInfo#generationDefaults()}), which win over Hugging Face's defaults.
 *
 * <p>Cancellation and deadlines do not throw: the call returns what it generated, with
 * {@link FinishReason#CANCELLED} or {@link FinishReason#DEADLINE}. Validation errors
 * ({@link IllegalArgumentException}, {@link PromptTooLongException}, {@link IllegalStateException})
 * are thrown before any work; backend failures as {@link BackendException}.
 *
 * <p>Thread-safe: concurrent calls each open their own backend session. The generator does not
 * own the backend or the tokenizer; close them yourself after the last call.
 */
public final class TextGenerator {
  private final TransformerBackend backend;
  private final ModelInfo modelInfo;
  private final Tokenizer tokenizer;
  private final GenerationConfig defaults;
  private final CostModel costModel;
  private final List<CostListener> listeners;
  private final Ticker ticker;
  private final Clock clock;

  private TextGenerator(Builder b) {
    this.backend = b.backend;
    this.modelInfo = b.backend.modelInfo();
    this.tokenizer = b.tokenizer;
    this.defaults = b.defaults;
    this.costModel = b.costModel;
    this.listeners = List.copyOf(b.listeners);
    this.ticker = b.ticker;
    this.clock = b.clock;
  }

  /** A builder for a generator over {@code backend}. */
  public static Builder builder(TransformerBackend backend) {
    return new Builder(backend);
  }

  /** Continues {@code prompt} with the default config. */
  public GenerationResult generate(String prompt) {
    return generate(GenerationRequest.builder().prompt(prompt).build());
  }

  /** Continues {@code prompt} with {@code config} (merged over the defaults). */
  public GenerationResult generate(String prompt, GenerationConfig config) {
    return generate(GenerationRequest.builder().prompt(prompt).config(config).build());
  }

  /** Continues a batch of prompts (left-padded together); sequences come back input-major. */
  public GenerationResult generate(List<String> prompts, GenerationConfig config) {
    return generate(GenerationRequest.builder().prompts(prompts).config(config).build());
  }

  /**
   * Continues token-id prompts as given (no special tokens added). Rows of equal length are run
   * unpadded; rows of unequal length are left-padded.
   */
  public GenerationResult generate(long[][] tokenIds, GenerationConfig config) {
    return generate(GenerationRequest.builder().tokenIds(tokenIds).config(config).build());
  }

  /** Runs {@code request} to the end (streaming to its callback, if any). */
  public GenerationResult generate(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    return new GenerationCall(this, request, null, null).run();
  }

  /**
   * Starts {@code request} and returns its tokens as a pulled stream; validation errors are
   * thrown here. The caller must close the stream. Not supported with beam search.
   */
  public TokenStream stream(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    return new TokenStream(this, request);
  }

  /** {@link #stream(GenerationRequest)} for one prompt with the default config. */
  public TokenStream stream(String prompt) {
    return stream(GenerationRequest.builder().prompt(prompt).build());
  }

  /** The backend's model description. */
  public ModelInfo modelInfo() {
    return modelInfo;
  }

  public Optional<Tokenizer> tokenizer() {
    return Optional.ofNullable(tokenizer);
  }

  /** The generator-level defaults (before the model's). */
  public GenerationConfig defaults() {
    return defaults;
  }

  TransformerBackend backend() {
    return backend;
  }

  CostModel costModel() {
    return costModel;
  }

  List<CostListener> listeners() {
    return listeners;
  }

  Ticker ticker() {
    return ticker;
  }

  Clock clock() {
    return clock;
  }

  /** Builder for {@link TextGenerator}. Not thread-safe. */
  public static final class Builder {
    private final TransformerBackend backend;
    private Tokenizer tokenizer;
    private GenerationConfig defaults = GenerationConfig.defaults();
    private CostModel costModel = CostModel.free();
    private final List<CostListener> listeners = new ArrayList<>();
    private Ticker ticker = Ticker.system();
    private Clock clock = Clock.systemUTC();

    private Builder(TransformerBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** Needed for text prompts, text results, streaming text and stop strings. */
    public Builder tokenizer(Tokenizer t) {
      this.tokenizer = Objects.requireNonNull(t, "tokenizer");
      return this;
    }

    /** Generator-wide defaults (explicit fields override the model's). */
    public Builder defaults(GenerationConfig c) {
      this.defaults = Objects.requireNonNull(c, "defaults");
      return this;
    }

    /** Prices every call; default {@link CostModel#free()}. */
    public Builder costModel(CostModel m) {
      this.costModel = Objects.requireNonNull(m, "costModel");
      return this;
    }

    /** Adds a cost listener (called in the order added). */
    public Builder addListener(CostListener l) {
      listeners.add(Objects.requireNonNull(l, "listener"));
      return this;
    }

    /** Time source for timings, deadlines and {@code maxTime}; default {@link Ticker#system()}. */
    public Builder ticker(Ticker t) {
      this.ticker = Objects.requireNonNull(t, "ticker");
      return this;
    }

    /** Wall clock for absolute deadlines ({@link GenerationRequest.Builder#deadline(java.time.Instant)}). */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public TextGenerator build() {
      return new TextGenerator(this);
    }
  }
}

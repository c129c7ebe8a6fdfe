package io.costgen.core;

import io.costgen.core.processor.LogitsProcessor;
import io.costgen.core.processor.StoppingCriterion;
import io.costgen.cost.CallContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one generation call needs: the prompts (texts, or token ids), the
 * {@link GenerationConfig} (merged over the generator's defaults and the model's), who it is for
 * ({@link CallContext}), a {@link Cancellation} handle, a deadline, a streaming callback and extra
 * logits processors / stopping criteria. Build with {@link #builder()}; immutable.
 *
 * <p>Token-id prompts are taken as given: no special token is added; id 0 is an ordinary token.
 * Prompts of unequal length are left-padded in the batch (padding is never attended).
 */
public final class GenerationRequest {
  private final List<String> prompts;
  private final List<long[]> tokenIds;
  private final GenerationConfig config;
  private final CallContext context;
  private final Cancellation cancellation;
  private final Duration timeout;
  private final Instant deadline;
  private final TokenCallback onToken;
  private final List<LogitsProcessor> logitsProcessors;
  private final List<StoppingCriterion> stoppingCriteria;

  private GenerationRequest(Builder b) {
    this.prompts = b.prompts;
    this.tokenIds = b.tokenIds;
    this.config = b.config;
    this.context = b.context;
    this.cancellation = b.cancellation;
    this.timeout = b.timeout;
    this.deadline = b.deadline;
    this.onToken = b.onToken;
    this.logitsProcessors = List.copyOf(b.logitsProcessors);
    this.stoppingCriteria = List.copyOf(b.stoppingCriteria);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A request for one text prompt with the generator's default config. */
  public static GenerationRequest of(String prompt) {
    return builder().prompt(prompt).build();
  }

  /** Text prompts, or empty when the request gives token ids. */
  public Optional<List<String>> prompts() {
    return Optional.ofNullable(prompts);
  }

  /** Token-id prompts (copies), or empty when the request gives texts. */
  public Optional<List<long[]>> tokenIds() {
    if (tokenIds == null) {
      return Optional.empty();
    }
    List<long[]> copy = new ArrayList<>(tokenIds.size());
    for (long[] row : tokenIds) {
      copy.add(row.clone());
    }
    return Optional.of(copy);
  }

  List<long[]> tokenIdsUnsafe() {
    return tokenIds;
  }

  /** Number of prompts. */
  public int inputCount() {
    return prompts != null ? prompts.size() : tokenIds.size();
  }

  /** The call's config, if it overrides the generator's defaults. */
  public Optional<GenerationConfig> config() {
    return Optional.ofNullable(config);
  }

  public CallContext context() {
    return context;
  }

  public Optional<Cancellation> cancellation() {
    return Optional.ofNullable(cancellation);
  }

  /** Deadline relative to the start of the call. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** Absolute deadline (wall clock). */
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  public Optional<TokenCallback> onToken() {
    return Optional.ofNullable(onToken);
  }

  public List<LogitsProcessor> logitsProcessors() {
    return logitsProcessors;
  }

  public List<StoppingCriterion> stoppingCriteria() {
    return stoppingCriteria;
  }

  /** A builder holding this request's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.prompts = prompts;
    b.tokenIds = tokenIds;
    b.config = config;
    b.context = context;
    b.cancellation = cancellation;
    b.timeout = timeout;
    b.deadline = deadline;
    b.onToken = onToken;
    b.logitsProcessors.addAll(logitsProcessors);
    b.stoppingCriteria.addAll(stoppingCriteria);
    return b;
  }

  /**
   * Builder for {@link GenerationRequest}. Exactly one of {@link #prompt}/{@link #prompts} or
   * {@link #tokenIds} must be given. Not thread-safe.
   */
  public static final class Builder {
    private List<String> prompts;
    private List<long[]> tokenIds;
    private GenerationConfig config;
    private CallContext context = null;
    private Cancellation cancellation;
    private Duration timeout;
    private Instant deadline;
    private TokenCallback onToken;
    private final List<LogitsProcessor> logitsProcessors = new ArrayList<>();
    private final List<StoppingCriterion> stoppingCriteria = new ArrayList<>();

    private Builder() {}

    /** One text prompt (tokenized with the generator's tokenizer). */
    public Builder prompt(String prompt) {
      return prompts(List.of(Objects.requireNonNull(prompt, "prompt")));
    }

    /** A batch of text prompts; at least one. */
    public Builder prompts(List<String> texts) {
      Objects.requireNonNull(texts, "prompts");
      if (texts.isEmpty()) {
        throw new IllegalArgumentException("prompts: empty list; at least 1 prompt is needed");
      }
      this.prompts = List.copyOf(texts);
      this.tokenIds = null;
      return this;
    }

    /**
     * A batch of token-id prompts, each with at least one id; taken as given (no special tokens
     * added). Ids are checked against the model's vocabulary when the call runs.
     */
    public Builder tokenIds(long[]... rows) {
      Objects.requireNonNull(rows, "tokenIds");
      if (rows.length == 0) {
        throw new IllegalArgumentException("tokenIds: empty batch; at least 1 row is needed");
      }
      List<long[]> copy = new ArrayList<>(rows.length);
      for (int i = 0; i < rows.length; i++) {
        Objects.requireNonNull(rows[i], "tokenIds[" + i + "]");
        if (rows[i].length == 0) {
          throw new IllegalArgumentException("tokenIds[" + i + "]: empty row; each prompt needs at least 1 token");
        }
        copy.add(rows[i].clone());
      }
      this.tokenIds = List.copyOf(copy);
      this.prompts = null;
      return this;
    }

    /** Overrides the generator's defaults for this call (explicit fields only). */
    public Builder config(GenerationConfig c) {
      this.config = Objects.requireNonNull(c, "config");
      return this;
    }

    /** Who the call is for; default {@link CallContext#anonymous()}. */
    public Builder context(CallContext c) {
      this.context = Objects.requireNonNull(c, "context");
      return this;
    }

    public Builder cancellation(Cancellation c) {
      this.cancellation = Objects.requireNonNull(c, "cancellation");
      return this;
    }

    /** Deadline relative to the start of the call (> 0); checked after each forward pass. */
    public Builder deadline(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("deadline: " + timeout + " must be > 0");
      }
      this.timeout = timeout;
      return this;
    }

    /** Absolute deadline (wall clock, the generator's {@link java.time.Clock}); checked after each forward pass. */
    public Builder deadline(Instant at) {
      this.deadline = Objects.requireNonNull(at, "deadline");
      return this;
    }

    /** Streams each generated token to {@code callback} (not supported with beams). */
    public Builder onToken(TokenCallback callback) {
      this.onToken = Objects.requireNonNull(callback, "onToken");
      return this;
    }

    /** Adds a logits processor, merged with the config's as Hugging Face does. */
    public Builder addLogitsProcessor(LogitsProcessor p) {
      logitsProcessors.add(Objects.requireNonNull(p, "logitsProcessor"));
      return this;
    }

    /** Adds a stopping criterion, checked after EOS and stop strings. */
    public Builder addStoppingCriterion(StoppingCriterion c) {
      stoppingCriteria.add(Objects.requireNonNull(c, "stoppingCriterion"));
      return this;
    }

    /**
     * @throws IllegalStateException when no prompt was given
     */
    public GenerationRequest build() {
      if (prompts == null && tokenIds == null) {
        throw new IllegalStateException("GenerationRequest: no prompts; call prompt(), prompts() or tokenIds()");
      }
      if (context == null) {
        context = CallContext.anonymous();
      }
      return new GenerationRequest(this);
    }
  }
}

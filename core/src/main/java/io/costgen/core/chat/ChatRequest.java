package io.costgen.core.chat;

import io.costgen.core.Cancellation;
import io.costgen.core.GenerationConfig;
import io.costgen.core.TokenCallback;
import io.costgen.core.processor.LogitsProcessor;
import io.costgen.core.processor.StoppingCriterion;
import io.costgen.cost.CallContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one chat call needs: the conversation ({@link ChatMessage}s), the tools the model
 * may call, the {@link GenerationConfig} (merged like {@code generate}'s), who the call is for
 * ({@link CallContext}), extra template variables (e.g. {@code enable_thinking}), whether to add
 * the generation prompt, and the cancellation, deadline, streaming and processor settings of
 * {@link io.costgen.core.GenerationRequest}. Build with {@link #builder()}; immutable.
 */
public final class ChatRequest {
  private final List<ChatMessage> messages;
  private final List<ToolSpecification> tools;
  private final GenerationConfig config;
  private final CallContext context;
  private final Map<String, Object> variables;
  private final boolean addGenerationPrompt;
  private final ChatTemplate template;
  private final Cancellation cancellation;
  private final Duration timeout;
  private final Instant deadline;
  private final TokenCallback onToken;
  private final List<LogitsProcessor> logitsProcessors;
  private final List<StoppingCriterion> stoppingCriteria;

  private ChatRequest(Builder b) {
    this.messages = List.copyOf(b.messages);
    this.tools = List.copyOf(b.tools);
    this.config = b.config;
    this.context = b.context == null ? CallContext.anonymous() : b.context;
    this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(b.variables));
    this.addGenerationPrompt = b.addGenerationPrompt;
    this.template = b.template;
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

  /** A request for {@code messages} with the generator's default config. */
  public static ChatRequest of(List<ChatMessage> messages) {
    return builder().messages(messages).build();
  }

  /** The conversation so far, oldest first. */
  public List<ChatMessage> messages() {
    return messages;
  }

  /** The tools the model may call (rendered by the template as {@code tools}); may be empty. */
  public List<ToolSpecification> tools() {
    return tools;
  }

  /** The call's config, if it overrides the generator's defaults. */
  public Optional<GenerationConfig> config() {
    return Optional.ofNullable(config);
  }

  public CallContext context() {
    return context;
  }

  /**
   * Extra template variables (JSON-like values: String, Number, Boolean, List, Map, null); they
   * override the model's ({@code bos_token}, …). Unmodifiable, in insertion order.
   */
  public Map<String, Object> variables() {
    return variables;
  }

  /** Whether the template should open the assistant's turn ({@code add_generation_prompt}); default true. */
  public boolean addGenerationPrompt() {
    return addGenerationPrompt;
  }

  /** A template for this call, overriding the generator's and the model's. */
  public Optional<ChatTemplate> template() {
    return Optional.ofNullable(template);
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

  /** Streams each generated token (text as in {@code generate}). */
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
    b.messages.addAll(messages);
    b.tools.addAll(tools);
    b.config = config;
    b.context = context;
    b.variables.putAll(variables);
    b.addGenerationPrompt = addGenerationPrompt;
    b.template = template;
    b.cancellation = cancellation;
    b.timeout = timeout;
    b.deadline = deadline;
    b.onToken = onToken;
    b.logitsProcessors.addAll(logitsProcessors);
    b.stoppingCriteria.addAll(stoppingCriteria);
    return b;
  }

  /** Builder for {@link ChatRequest}; at least one message is needed. Not thread-safe. */
  public static final class Builder {
    private final List<ChatMessage> messages = new ArrayList<>();
    private final List<ToolSpecification> tools = new ArrayList<>();
    private GenerationConfig config;
    private CallContext context;
    private final Map<String, Object> variables = new LinkedHashMap<>();
    private boolean addGenerationPrompt = true;
    private ChatTemplate template;
    private Cancellation cancellation;
    private Duration timeout;
    private Instant deadline;
    private TokenCallback onToken;
    private final List<LogitsProcessor> logitsProcessors = new ArrayList<>();
    private final List<StoppingCriterion> stoppingCriteria = new ArrayList<>();

    private Builder() {}

    /** Replaces the conversation. */
    public Builder messages(List<ChatMessage> list) {
      Objects.requireNonNull(list, "messages");
      messages.clear();
      for (int i = 0; i < list.size(); i++) {
        messages.add(Objects.requireNonNull(list.get(i), "messages[" + i + "]"));
      }
      return this;
    }

    /** Appends one message. */
    public Builder addMessage(ChatMessage m) {
      messages.add(Objects.requireNonNull(m, "message"));
      return this;
    }

    /** Replaces the tools. */
    public Builder tools(List<ToolSpecification> list) {
      Objects.requireNonNull(list, "tools");
      tools.clear();
      for (int i = 0; i < list.size(); i++) {
        tools.add(Objects.requireNonNull(list.get(i), "tools[" + i + "]"));
      }
      return this;
    }

    /** Appends one tool. */
    public Builder addTool(ToolSpecification t) {
      tools.add(Objects.requireNonNull(t, "tool"));
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

    /**
     * Sets an extra template variable (String, Number, Boolean, List, Map or null), e.g.
     * {@code variable("enable_thinking", false)}. Names {@code messages}, {@code tools},
     * {@code documents} and {@code add_generation_prompt} are reserved.
     */
    public Builder variable(String name, Object value) {
      Objects.requireNonNull(name, "name");
      if (name.equals("messages") || name.equals("tools") || name.equals("documents")
          || name.equals("add_generation_prompt")) {
        throw new IllegalArgumentException("variable: \"" + name + "\" is reserved; use the builder's "
            + "messages/tools/addGenerationPrompt settings");
      }
      variables.put(name, value);
      return this;
    }

    /** Sets several extra template variables (see {@link #variable}). */
    public Builder variables(Map<String, ?> vars) {
      Objects.requireNonNull(vars, "variables");
      vars.forEach(this::variable);
      return this;
    }

    /** Whether the template opens the assistant's turn; default true. */
    public Builder addGenerationPrompt(boolean v) {
      this.addGenerationPrompt = v;
      return this;
    }

    /** Uses {@code t} for this call instead of the generator's or the model's template. */
    public Builder template(ChatTemplate t) {
      this.template = Objects.requireNonNull(t, "template");
      return this;
    }

    public Builder cancellation(Cancellation c) {
      this.cancellation = Objects.requireNonNull(c, "cancellation");
      return this;
    }

    /** Deadline relative to the start of the call (> 0). */
    public Builder deadline(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("deadline: " + timeout + " must be > 0");
      }
      this.timeout = timeout;
      return this;
    }

    /** Absolute deadline (wall clock, the generator's clock). */
    public Builder deadline(Instant at) {
      this.deadline = Objects.requireNonNull(at, "deadline");
      return this;
    }

    /** Streams each generated token to {@code callback} (not supported with beams). */
    public Builder onToken(TokenCallback callback) {
      this.onToken = Objects.requireNonNull(callback, "onToken");
      return this;
    }

    public Builder addLogitsProcessor(LogitsProcessor p) {
      logitsProcessors.add(Objects.requireNonNull(p, "logitsProcessor"));
      return this;
    }

    public Builder addStoppingCriterion(StoppingCriterion c) {
      stoppingCriteria.add(Objects.requireNonNull(c, "stoppingCriterion"));
      return this;
    }

    /**
     * @throws IllegalStateException when there is no message
     */
    public ChatRequest build() {
      if (messages.isEmpty()) {
        throw new IllegalStateException("messages: empty; a chat request needs at least 1 message");
      }
      return new ChatRequest(this);
    }
  }
}

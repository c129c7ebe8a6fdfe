package io.costgen.springai;

import io.costgen.core.Cancellation;
import io.costgen.core.GenerationConfig;
import io.costgen.core.TextGenerator;
import io.costgen.core.chat.ChatResult;
import io.costgen.core.chat.ToolCall;
import io.costgen.core.chat.ToolSpecification;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.budget.BudgetExceededException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.chat.observation.ChatModelObservationDocumentation;
import org.springframework.ai.chat.observation.DefaultChatModelObservationConvention;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A Spring AI {@link ChatModel} backed by a costgen {@link TextGenerator}: the prompt's messages
 * go through the model's chat template ({@code TextGenerator.chat}), and every response carries
 * the call's cost: {@code getMetadata().getUsage().getNativeUsage()} is the {@link CostReport},
 * also under {@link BudgetedChatModel#COST_KEY}.
 *
 * <pre>{@code
 * ChatModel model = CostgenChatModel.builder(generator).defaultTenantId("acme").build();
 * String answer = ChatClient.create(model).prompt("Hello").call().content();
 * }</pre>
 *
 * <p>Options: {@code temperature} (0 = greedy, &gt; 0 samples), {@code topP}, {@code topK},
 * {@code maxTokens} and {@code stopSequences} are mapped; {@code frequencyPenalty} and
 * {@code presencePenalty} are refused with {@link IllegalArgumentException}; a {@code model}
 * other than this model's name is refused. Tool definitions of {@link ToolCallingChatOptions}
 * are rendered through the template and the model's tool calls come back as
 * {@code AssistantMessage.ToolCall}s with finish reason {@code TOOL_CALLS}; executing them is left
 * to the caller (this model does not run tools itself). The tenant comes from
 * {@link CostgenChatOptions}, else the builder's default. The generator's budgets apply: a refusal
 * throws {@link BudgetExceededException} (a stream's error). Cancelling a stream's subscription
 * cancels the forward pass.
 *
 * <p>With an {@link ObservationRegistry} ({@link Builder#observationRegistry}), each call and
 * stream is a Spring AI {@code gen_ai.client.operation} observation (provider {@value #PROVIDER},
 * the prompt's options, the response's usage), named by the {@link ChatModelObservationConvention}
 * as for Spring AI's own models. Thread-safe.
 */
public final class CostgenChatModel implements ChatModel {

  /** The {@code gen_ai.provider.name} of observations. */
  public static final String PROVIDER = "costgen";
  private static final ChatModelObservationConvention DEFAULT_CONVENTION = new DefaultChatModelObservationConvention();

  private final TextGenerator generator;
  private final String modelName;
  private final String defaultTenantId;
  private final Map<String, String> defaultTags;
  private final Scheduler scheduler;
  private final ObservationRegistry observations;
  private final ChatModelObservationConvention convention;

  private CostgenChatModel(Builder b) {
    this.generator = b.generator;
    this.modelName = b.generator.modelInfo().name();
    this.defaultTenantId = b.defaultTenantId;
    this.defaultTags = Map.copyOf(b.defaultTags);
    this.scheduler = b.scheduler;
    this.observations = b.observations;
    this.convention = b.convention;
  }

  /** A builder over {@code generator} (which needs a tokenizer and a chat template). */
  public static Builder builder(TextGenerator generator) {
    return new Builder(generator);
  }

  /**
   * Answers the prompt on the local model.
   *
   * @throws BudgetExceededException when a hard budget refuses the call
   * @throws IllegalArgumentException for unsupported options or content
   */
  @Override
  public ChatResponse call(Prompt prompt) {
    ChatModelObservationContext ctx = observationContext(prompt);
    return observation(ctx).observe(() -> {
      io.costgen.core.chat.ChatRequest r = request(prompt).build();
      ChatResponse response = response(generator.chat(r), r.context());
      ctx.setResponse(response);
      return response;
    });
  }

  private ChatModelObservationContext observationContext(Prompt prompt) {
    Prompt observed = prompt.getOptions() != null ? prompt : new Prompt(prompt.getInstructions(), getDefaultOptions());
    return ChatModelObservationContext.builder().prompt(observed).provider(PROVIDER).build();
  }

  private Observation observation(ChatModelObservationContext ctx) {
    return ChatModelObservationDocumentation.CHAT_MODEL_OPERATION.observation(convention, DEFAULT_CONVENTION,
        () -> ctx, observations);
  }

  /** Streams tokens as chunks; the last chunk has the usage, finish reason and cost. */
  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    ChatModelObservationContext octx = observationContext(prompt);
    return Flux.<ChatResponse>create(sink -> {
      Observation observation = observation(octx).start();
      Cancellation cancellation = Cancellation.create();
      sink.onCancel(cancellation::cancel);
      io.costgen.core.chat.ChatRequest r;
      try {
        r = request(prompt).cancellation(cancellation).onToken(t -> {
          if (!t.text().isEmpty() && !cancellation.isCancelled()) {
            sink.next(new ChatResponse(List.of(new Generation(new AssistantMessage(t.text())))));
          }
        }).build();
        ChatResult result = generator.chat(r);
        ChatResponse last = response(result, r.context());
        octx.setResponse(last);
        observation.stop();
        if (!cancellation.isCancelled()) {
          sink.next(last);
          sink.complete();
        }
      } catch (RuntimeException | Error e) {
        observation.error(e);
        observation.stop();
        sink.error(e);
      }
    }).subscribeOn(scheduler);
  }

  @Override
  public ChatOptions getDefaultOptions() {
    return ChatOptions.builder().model(modelName).build();
  }

  /** The generator behind this model. */
  public TextGenerator generator() {
    return generator;
  }

  // ---------------------------------------------------------------- mapping

  private io.costgen.core.chat.ChatRequest.Builder request(Prompt prompt) {
    ChatOptions o = prompt.getOptions();
    if (o != null && o.getModel() != null && !o.getModel().equals(modelName)) {
      throw new IllegalArgumentException("model: '" + o.getModel() + "' is not this model ('" + modelName + "')");
    }
    CallContext ctx = CostgenChatOptions.contextOf(o, defaultTenantId, defaultTags);
    return io.costgen.core.chat.ChatRequest.builder()
        .messages(messages(prompt.getInstructions()))
        .tools(tools(o))
        .config(config(o))
        .context(ctx);
  }

  static GenerationConfig config(ChatOptions o) {
    GenerationConfig.Builder c = GenerationConfig.builder();
    if (o == null) {
      return c.build();
    }
    if (o.getFrequencyPenalty() != null) {
      throw unsupported("frequencyPenalty", o.getFrequencyPenalty());
    }
    if (o.getPresencePenalty() != null) {
      throw unsupported("presencePenalty", o.getPresencePenalty());
    }
    boolean greedy = o.getTemperature() != null && o.getTemperature() == 0;
    boolean sample = false;
    if (o.getTemperature() != null && o.getTemperature() > 0) {
      c.temperature(o.getTemperature());
      sample = true;
    }
    if (o.getTopP() != null) {
      c.topP(o.getTopP());
      sample |= !greedy;
    }
    if (o.getTopK() != null) {
      c.topK(o.getTopK());
      sample |= !greedy;
    }
    if (o.getTemperature() != null || sample) {
      c.doSample(sample);
    }
    if (o.getMaxTokens() != null) {
      c.maxNewTokens(o.getMaxTokens());
    }
    if (o.getStopSequences() != null && !o.getStopSequences().isEmpty()) {
      c.stopStrings(o.getStopSequences());
    }
    return c.build();
  }

  private static IllegalArgumentException unsupported(String field, Object value) {
    return new IllegalArgumentException(field + ": " + value + " is not supported by costgen models (supported: "
        + "model, temperature, topP, topK, maxTokens, stopSequences, tool callbacks)");
  }

  static List<io.costgen.core.chat.ChatMessage> messages(List<Message> in) {
    List<io.costgen.core.chat.ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      Message m = in.get(i);
      if (m instanceof SystemMessage s) {
        out.add(io.costgen.core.chat.ChatMessage.system(s.getText()));
      } else if (m instanceof UserMessage u) {
        if (u.getMedia() != null && !u.getMedia().isEmpty()) {
          throw new IllegalArgumentException("messages[" + i + "]: media content is not supported (costgen models take text)");
        }
        out.add(io.costgen.core.chat.ChatMessage.user(u.getText()));
      } else if (m instanceof AssistantMessage a) {
        List<ToolCall> calls = new ArrayList<>();
        for (AssistantMessage.ToolCall c : a.getToolCalls()) {
          calls.add(ToolCall.of(c.id(), c.name(), c.arguments() == null || c.arguments().isBlank() ? "{}" : c.arguments()));
        }
        out.add(calls.isEmpty() ? io.costgen.core.chat.ChatMessage.assistant(a.getText() == null ? "" : a.getText())
            : io.costgen.core.chat.ChatMessage.assistant(a.getText(), calls));
      } else if (m instanceof ToolResponseMessage t) {
        for (ToolResponseMessage.ToolResponse r : t.getResponses()) {
          out.add(io.costgen.core.chat.ChatMessage.toolResult(r.id(), r.name(), r.responseData()));
        }
      } else {
        throw new IllegalArgumentException("messages[" + i + "]: " + m.getMessageType() + " messages are not supported");
      }
    }
    return out;
  }

  static List<ToolSpecification> tools(ChatOptions o) {
    List<ToolSpecification> out = new ArrayList<>();
    if (o instanceof ToolCallingChatOptions t && t.getToolCallbacks() != null) {
      for (ToolCallback cb : t.getToolCallbacks()) {
        var d = cb.getToolDefinition();
        ToolSpecification.Builder b = ToolSpecification.builder(d.name()).parametersJson(d.inputSchema());
        if (d.description() != null) {
          b.description(d.description());
        }
        out.add(b.build());
      }
    }
    return out;
  }

  private ChatResponse response(ChatResult r, CallContext ctx) {
    io.costgen.core.chat.ChatMessage m = r.message();
    List<AssistantMessage.ToolCall> calls = new ArrayList<>();
    for (ToolCall c : m.toolCalls()) {
      calls.add(new AssistantMessage.ToolCall(c.id(), "function", c.name(), c.argumentsJson()));
    }
    AssistantMessage out = AssistantMessage.builder().content(m.content().orElse("")).toolCalls(calls).build();
    String finish = !calls.isEmpty() ? "TOOL_CALLS" : switch (r.finishReason()) {
      case LENGTH, BUDGET -> "LENGTH";
      case EOS, STOP_STRING, STOPPING_CRITERION -> "STOP";
      default -> r.finishReason().name();
    };
    CostReport cost = r.cost();
    DefaultUsage usage = new DefaultUsage(Math.toIntExact(r.usage().promptTokens()),
        Math.toIntExact(r.usage().completionTokens()), Math.toIntExact(r.usage().totalTokens()), cost);
    ChatResponseMetadata metadata = ChatResponseMetadata.builder().id(ctx.requestId()).model(modelName).usage(usage)
        .keyValue(BudgetedChatModel.COST_KEY, cost).build();
    return new ChatResponse(List.of(new Generation(out, ChatGenerationMetadata.builder().finishReason(finish).build())),
        metadata);
  }

  /** Builder. Not thread-safe. */
  public static final class Builder {
    private final TextGenerator generator;
    private String defaultTenantId;
    private final Map<String, String> defaultTags = new LinkedHashMap<>();
    private Scheduler scheduler = Schedulers.boundedElastic();
    private ObservationRegistry observations = ObservationRegistry.NOOP;
    private ChatModelObservationConvention convention;

    private Builder(TextGenerator generator) {
      this.generator = Objects.requireNonNull(generator, "generator");
    }

    /** Tenant of prompts that name none (default: anonymous). */
    public Builder defaultTenantId(String v) { this.defaultTenantId = v == null ? null : CallContext.validateTenantId(v); return this; }
    /** Tags of every call (a prompt's tags override same keys). */
    public Builder defaultTags(Map<String, String> v) { this.defaultTags.putAll(v); return this; }
    /** Where streamed generation runs (default {@link Schedulers#boundedElastic()}). */
    public Builder scheduler(Scheduler v) { this.scheduler = Objects.requireNonNull(v, "scheduler"); return this; }

    /** Records each call as a Spring AI chat-model observation (default: none). */
    public Builder observationRegistry(ObservationRegistry v) { this.observations = Objects.requireNonNull(v, "observationRegistry"); return this; }
    /** A custom observation convention (default: Spring AI's {@code DefaultChatModelObservationConvention}). */
    public Builder observationConvention(ChatModelObservationConvention v) { this.convention = v; return this; }

    public CostgenChatModel build() {
      return new CostgenChatModel(this);
    }
  }
}

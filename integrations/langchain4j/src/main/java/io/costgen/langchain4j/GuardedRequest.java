package io.costgen.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.costgen.core.FinishReason;
import io.costgen.core.remote.RemoteCall;
import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.core.remote.RemoteUsage;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One LangChain4j request going through a {@link RemoteCallGuard}: the context and limits taken
 * from the request, the request forwarded to the wrapped model (costgen's fields stripped, the
 * granted output limit set) and the provider's response turned into a settlement. Package-private;
 * shared by {@link BudgetedChatModel} and {@link BudgetedStreamingChatModel}.
 */
final class GuardedRequest {

  final RemoteCallGuard guard;
  final RemoteCall call;
  final ChatRequest forward;

  private GuardedRequest(RemoteCallGuard guard, RemoteCall call, ChatRequest forward) {
    this.guard = guard;
    this.call = call;
    this.forward = forward;
  }

  /**
   * Reserves the request's worst case.
   *
   * @throws io.costgen.cost.budget.BudgetExceededException when a hard budget refuses
   * @throws IllegalArgumentException when the request names no model or the model has no price
   */
  static GuardedRequest begin(RemoteCallGuard guard, TokenCountEstimator estimator, int defaultMaxOutputTokens,
      ChatRequest request) {
    ChatRequestParameters p = request.parameters();
    String model = p.modelName();
    if (model == null || model.isEmpty()) {
      throw new IllegalArgumentException("modelName: neither the request nor the wrapped model's default parameters "
          + "name a model; the remote-call guard prices calls by model name");
    }
    int maxOut = p.maxOutputTokens() != null ? p.maxOutputTokens() : defaultMaxOutputTokens;
    CallContext ctx = CostgenChatRequestParameters.contextOf(p);
    RemoteCall call = guard.begin(ctx, model, inputTokens(guard, estimator, request), maxOut);
    ChatRequestParameters forwarded = DefaultChatRequestParameters.builder().overrideWith(p)
        .maxOutputTokens((int) call.grantedOutputTokens()).build();
    return new GuardedRequest(guard, call, ChatRequest.builder().messages(request.messages()).parameters(forwarded).build());
  }

  /** Settles a provider response and returns it with costgen metadata carrying the cost. */
  ChatResponse complete(ChatResponse r) {
    AiMessage ai = r.aiMessage();
    CostReport report = call.complete(usageOf(r), finishOf(r.finishReason()), ai == null || ai.text() == null ? "" : ai.text());
    return withCost(r, report);
  }

  static ChatResponse withCost(ChatResponse r, CostReport report) {
    CostgenChatResponseMetadata metadata = CostgenChatResponseMetadata.builder()
        .id(r.id()).modelName(r.modelName()).tokenUsage(r.tokenUsage()).finishReason(r.finishReason())
        .costReport(report).providerMetadata(r.metadata()).build();
    return ChatResponse.builder().aiMessage(r.aiMessage()).metadata(metadata).build();
  }

  /**
   * The usage to settle: the provider's token counts; a count it left out is the input
   * estimate (input) or the answer's counted tokens (output). Cache hits are read from the
   * provider's usage subtype when it has them (OpenAI-style {@code inputTokensDetails().cachedTokens()},
   * Anthropic-style {@code cacheReadInputTokens()}, which Anthropic reports outside the input count).
   */
  private RemoteUsage usageOf(ChatResponse r) {
    TokenUsage tu = r.tokenUsage();
    long input = tu != null && tu.inputTokenCount() != null ? tu.inputTokenCount() : call.estimatedInputTokens();
    long output;
    if (tu != null && tu.outputTokenCount() != null) {
      output = tu.outputTokenCount();
    } else {
      output = guard.tokenCounter().count(answerText(r.aiMessage()));
    }
    long cached = 0;
    if (tu != null) {
      Long openAi = number(invoke(invoke(tu, "inputTokensDetails"), "cachedTokens"));
      Long anthropicRead = number(invoke(tu, "cacheReadInputTokens"));
      Long anthropicWrite = number(invoke(tu, "cacheCreationInputTokens"));
      if (openAi != null) {
        cached = Math.min(openAi, input);
      } else if (anthropicRead != null || anthropicWrite != null) {
        long read = anthropicRead == null ? 0 : anthropicRead;
        input += read + (anthropicWrite == null ? 0 : anthropicWrite);
        cached = read;
      }
    }
    return new RemoteUsage(Optional.ofNullable(r.modelName()).filter(s -> !s.isEmpty()), input, cached, output);
  }

  static String answerText(AiMessage ai) {
    if (ai == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(ai.text() == null ? "" : ai.text());
    if (ai.toolExecutionRequests() != null) {
      for (ToolExecutionRequest t : ai.toolExecutionRequests()) {
        b.append(t.name()).append(t.arguments());
      }
    }
    return b.toString();
  }

  static FinishReason finishOf(dev.langchain4j.model.output.FinishReason f) {
    return f == dev.langchain4j.model.output.FinishReason.LENGTH ? FinishReason.LENGTH : FinishReason.EOS;
  }

  private static long inputTokens(RemoteCallGuard guard, TokenCountEstimator estimator, ChatRequest request) {
    List<ToolSpecification> tools = request.toolSpecifications() == null ? List.of() : request.toolSpecifications();
    if (estimator != null) {
      long n = estimator.estimateTokenCountInMessages(request.messages()) + RemoteCallGuard.REQUEST_OVERHEAD_TOKENS;
      for (ToolSpecification t : tools) {
        n += estimator.estimateTokenCountInText(t.toString()) + RemoteCallGuard.MESSAGE_OVERHEAD_TOKENS;
      }
      return n;
    }
    // toString() holds every text part of a message or tool (plus some punctuation): an upper bound.
    List<String> parts = new ArrayList<>();
    for (ChatMessage m : request.messages()) {
      parts.add(m.toString());
    }
    for (ToolSpecification t : tools) {
      parts.add(t.toString());
    }
    return guard.estimateInputTokens(parts);
  }

  private static Object invoke(Object target, String method) {
    if (target == null) {
      return null;
    }
    try {
      Method m = target.getClass().getMethod(method);
      return m.invoke(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Long number(Object o) {
    return o instanceof Number n ? n.longValue() : null;
  }
}

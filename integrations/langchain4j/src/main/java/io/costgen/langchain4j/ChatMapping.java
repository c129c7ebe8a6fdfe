package io.costgen.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.costgen.core.GenerationConfig;
import io.costgen.core.chat.ChatMessage;
import io.costgen.core.chat.ChatResult;
import io.costgen.core.chat.ToolCall;
import io.costgen.core.chat.ToolSpecification;
import io.costgen.cost.CallContext;
import java.util.ArrayList;
import java.util.List;


/**
 * Maps LangChain4j requests to costgen's chat API and costgen results back. Package-private;
 * shared by {@link CostgenChatModel} and {@link CostgenStreamingChatModel}.
 */
final class ChatMapping {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatMapping() {}

  /** The costgen chat request for {@code request} (messages, tools, mapped parameters, context). */
  static io.costgen.core.chat.ChatRequest.Builder request(dev.langchain4j.model.chat.request.ChatRequest request,
      String modelName) {
    ChatRequestParameters p = request.parameters();
    if (p.modelName() != null && !p.modelName().equals(modelName)) {
      throw new IllegalArgumentException("modelName: '" + p.modelName() + "' is not this model ('" + modelName
          + "'); a CostgenChatModel serves one model");
    }
    CallContext ctx = CostgenChatRequestParameters.contextOf(p);
    io.costgen.core.chat.ChatRequest.Builder b = io.costgen.core.chat.ChatRequest.builder()
        .messages(messages(request.messages()))
        .config(config(p))
        .context(ctx);
    if (p.toolChoice() != ToolChoice.NONE) {
      b.tools(tools(p.toolSpecifications()));
    }
    return b;
  }

  /**
   * The generation parameters: temperature (0 = greedy, &gt; 0 samples), topP and topK (sample),
   * maxOutputTokens → maxNewTokens, stopSequences → stop strings. Parameters costgen models do not
   * support are refused: frequency and presence penalties, {@code toolChoice=REQUIRED}, a JSON
   * response format.
   */
  static GenerationConfig config(ChatRequestParameters p) {
    if (p.frequencyPenalty() != null) {
      throw unsupported("frequencyPenalty", p.frequencyPenalty());
    }
    if (p.presencePenalty() != null) {
      throw unsupported("presencePenalty", p.presencePenalty());
    }
    if (p.toolChoice() == ToolChoice.REQUIRED) {
      throw unsupported("toolChoice", ToolChoice.REQUIRED);
    }
    if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
      throw unsupported("responseFormat", "JSON");
    }
    GenerationConfig.Builder c = GenerationConfig.builder();
    boolean sample = false;
    if (p.temperature() != null) {
      if (p.temperature() > 0) {
        c.temperature(p.temperature());
        sample = true;
      }
    }
    if (p.topP() != null) {
      c.topP(p.topP());
      sample |= p.temperature() == null || p.temperature() > 0;
    }
    if (p.topK() != null) {
      c.topK(p.topK());
      sample |= p.temperature() == null || p.temperature() > 0;
    }
    if (p.temperature() != null || sample) {
      c.doSample(sample);
    }
    if (p.maxOutputTokens() != null) {
      c.maxNewTokens(p.maxOutputTokens());
    }
    if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
      c.stopStrings(p.stopSequences());
    }
    return c.build();
  }

  private static IllegalArgumentException unsupported(String field, Object value) {
    return new IllegalArgumentException(field + ": " + value + " is not supported by costgen models (supported: "
        + "modelName, temperature, topP, topK, maxOutputTokens, stopSequences, toolSpecifications, toolChoice AUTO/NONE, "
        + "responseFormat TEXT)");
  }

  static List<ChatMessage> messages(List<dev.langchain4j.data.message.ChatMessage> in) {
    List<ChatMessage> out = new ArrayList<>(in.size());
    for (int i = 0; i < in.size(); i++) {
      dev.langchain4j.data.message.ChatMessage m = in.get(i);
      if (m instanceof SystemMessage s) {
        out.add(ChatMessage.system(s.text()));
      } else if (m instanceof UserMessage u) {
        out.add(ChatMessage.user(userText(u, i)));
      } else if (m instanceof AiMessage a) {
        List<ToolCall> calls = new ArrayList<>();
        if (a.toolExecutionRequests() != null) {
          for (ToolExecutionRequest t : a.toolExecutionRequests()) {
            calls.add(ToolCall.of(t.id() == null ? "call_" + calls.size() : t.id(), t.name(),
                t.arguments() == null || t.arguments().isBlank() ? "{}" : t.arguments()));
          }
        }
        out.add(calls.isEmpty() ? ChatMessage.assistant(a.text() == null ? "" : a.text())
            : ChatMessage.assistant(a.text(), calls));
      } else if (m instanceof ToolExecutionResultMessage r) {
        out.add(ChatMessage.toolResult(r.id() == null ? "call_0" : r.id(), r.toolName(), r.text()));
      } else {
        throw new IllegalArgumentException("messages[" + i + "]: " + m.type() + " messages are not supported "
            + "(supported: SYSTEM, USER, AI, TOOL_EXECUTION_RESULT)");
      }
    }
    return out;
  }

  private static String userText(UserMessage u, int index) {
    StringBuilder b = new StringBuilder();
    for (Content c : u.contents()) {
      if (!(c instanceof TextContent t)) {
        throw new IllegalArgumentException("messages[" + index + "]: " + c.type() + " content is not supported "
            + "(costgen models take text)");
      }
      b.append(t.text());
    }
    return b.toString();
  }

  static List<ToolSpecification> tools(List<dev.langchain4j.agent.tool.ToolSpecification> in) {
    List<ToolSpecification> out = new ArrayList<>();
    if (in == null) {
      return out;
    }
    for (dev.langchain4j.agent.tool.ToolSpecification t : in) {
      String params;
      try {
        // LangChain4j's own schema-to-map conversion (public, in its internal package).
        params = t.parameters() == null ? "{\"type\":\"object\",\"properties\":{}}"
            : JSON.writeValueAsString(JsonSchemaElementUtils.toMap(t.parameters()));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("toolSpecifications: parameters of '" + t.name() + "' are not JSON-writable", e);
      }
      ToolSpecification.Builder b = ToolSpecification.builder(t.name()).parametersJson(params);
      if (t.description() != null) {
        b.description(t.description());
      }
      out.add(b.build());
    }
    return out;
  }

  /** The LangChain4j response for a costgen chat result. */
  static ChatResponse response(ChatResult r, String modelName, CallContext ctx) {
    ChatMessage m = r.message();
    List<ToolExecutionRequest> requests = new ArrayList<>();
    for (ToolCall c : m.toolCalls()) {
      requests.add(ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.argumentsJson()).build());
    }
    String text = m.content().filter(s -> !s.isEmpty()).orElse(null);
    AiMessage ai = requests.isEmpty() ? AiMessage.from(text == null ? "" : text)
        : text == null ? AiMessage.from(requests) : AiMessage.from(text, requests);
    TokenUsage usage = new TokenUsage(Math.toIntExact(r.usage().promptTokens()),
        Math.toIntExact(r.usage().completionTokens()));
    CostgenChatResponseMetadata metadata = CostgenChatResponseMetadata.builder()
        .id(ctx.requestId()).modelName(modelName).tokenUsage(usage).finishReason(finish(r, !requests.isEmpty()))
        .costReport(r.cost()).build();
    return ChatResponse.builder().aiMessage(ai).metadata(metadata).build();
  }

  static FinishReason finish(ChatResult r, boolean toolCalls) {
    if (toolCalls) {
      return FinishReason.TOOL_EXECUTION;
    }
    return switch (r.finishReason()) {
      case LENGTH, BUDGET -> FinishReason.LENGTH;
      case EOS, STOP_STRING, STOPPING_CRITERION -> FinishReason.STOP;
      default -> FinishReason.OTHER;
    };
  }

}

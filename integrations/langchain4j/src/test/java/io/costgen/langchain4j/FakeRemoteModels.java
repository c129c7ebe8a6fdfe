package io.costgen.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Remote models that answer with fixed token usage, like a provider would, without a network. */
final class FakeRemoteModels {

  static final String MODEL = "fake-remote";
  static final String PROVIDER_MODEL = "fake-remote-2026-11-30";

  private FakeRemoteModels() {}

  /** Answers "ok" reporting {@code inputTokens} in and min(outputTokens, request limit) out; fails when told. */
  static final class Chat implements ChatModel {
    final int inputTokens;
    final int outputTokens;
    final List<ChatRequest> received = new CopyOnWriteArrayList<>();
    volatile RuntimeException failWith;

    Chat(int inputTokens, int outputTokens) {
      this.inputTokens = inputTokens;
      this.outputTokens = outputTokens;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
      return ChatRequestParameters.builder().modelName(MODEL).build();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      received.add(request);
      RuntimeException f = failWith;
      if (f != null) {
        throw f;
      }
      int out = Math.min(outputTokens, request.maxOutputTokens());
      return ChatResponse.builder().aiMessage(AiMessage.from("ok")).modelName(PROVIDER_MODEL).id("resp-1")
          .tokenUsage(new TokenUsage(inputTokens, out)).finishReason(out < outputTokens ? FinishReason.LENGTH : FinishReason.STOP)
          .build();
    }
  }

  /**
   * Streams {@code parts} synchronously, then completes with fixed usage; fails after the first
   * part when told; stops as soon as the handle is cancelled.
   */
  static final class Streaming implements StreamingChatModel {
    final int inputTokens;
    final List<String> parts;
    final List<ChatRequest> received = new CopyOnWriteArrayList<>();
    volatile RuntimeException failAfterFirst;
    /** Runs before each part is streamed (e.g. to move a fake ticker: the provider's latency). */
    volatile Runnable beforeEachPart = () -> { };

    Streaming(int inputTokens, List<String> parts) {
      this.inputTokens = inputTokens;
      this.parts = parts;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
      return ChatRequestParameters.builder().modelName(MODEL).build();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
      received.add(request);
      AtomicBoolean cancelled = new AtomicBoolean();
      StreamingHandle handle = new StreamingHandle() {
        @Override public void cancel() { cancelled.set(true); }
        @Override public boolean isCancelled() { return cancelled.get(); }
      };
      StringBuilder all = new StringBuilder();
      for (String p : parts) {
        if (cancelled.get()) {
          return;
        }
        all.append(p);
        beforeEachPart.run();
        handler.onPartialResponse(new PartialResponse(p), new PartialResponseContext(handle));
        RuntimeException f = failAfterFirst;
        if (f != null) {
          handler.onError(f);
          return;
        }
      }
      if (cancelled.get()) {
        return;
      }
      handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(all.toString()))
          .modelName(PROVIDER_MODEL).tokenUsage(new TokenUsage(inputTokens, parts.size()))
          .finishReason(FinishReason.STOP).build());
    }
  }
}

package io.costgen.langchain4j;

import io.costgen.core.testing.ScriptedChat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.UsageRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CostgenStreamingChatModelTest {

  final ConcurrentLinkedQueue<UsageRecord> ledger = new ConcurrentLinkedQueue<>();

  /** Collects partials; cancels after {@code cancelAfter} partials (0: never). */
  static final class Handler implements StreamingChatResponseHandler {
    final int cancelAfter;
    final StringBuilder text = new StringBuilder();
    final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    int partials;

    Handler(int cancelAfter) {
      this.cancelAfter = cancelAfter;
    }

    @Override
    public void onPartialResponse(PartialResponse p, PartialResponseContext c) {
      text.append(p.text());
      if (++partials == cancelAfter) {
        c.streamingHandle().cancel();
        done.complete(null);
      }
    }

    @Override public void onCompleteResponse(ChatResponse r) { done.complete(r); }
    @Override public void onError(Throwable t) { done.completeExceptionally(t); }
  }

  @Test
  void stream_partialsAddUpToTheAnswer_andTheFinalResponseCarriesTheCost() throws Exception {
    CostgenStreamingChatModel m = CostgenStreamingChatModel.builder(ScriptedChat.generator(ledger::add, null)).build();
    Handler h = new Handler(0);
    m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build(), h);
    ChatResponse r = h.done.get(30, TimeUnit.SECONDS);
    assertThat(h.text.toString()).isEqualTo(ScriptedChat.PLAIN_ANSWER);
    assertThat(r.aiMessage().text()).isEqualTo(ScriptedChat.PLAIN_ANSWER);
    assertThat(CostgenChatResponseMetadata.costOf(r.metadata())).isPresent();
  }

  @Test
  void stream_cancelThroughTheHandle_stopsTheForwardPass_andStillRecordsTheCall() throws Exception {
    // Runs on the caller's thread, so the record is there when chat returns.
    CostgenStreamingChatModel m = CostgenStreamingChatModel.builder(ScriptedChat.generator(ledger::add, null))
        .executor(Runnable::run).build();
    Handler h = new Handler(3);
    m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build(), h);
    assertThat(h.done.get(30, TimeUnit.SECONDS)).isNull(); // no completion after the cancel
    assertThat(h.text.toString()).isEqualTo("Hel");
    UsageRecord rec = ledger.peek();
    assertThat(rec.finishReason()).isEqualTo("cancelled");
    assertThat(rec.completionTokens()).isLessThan(ScriptedChat.PLAIN_ANSWER.length());
  }

  @Test
  void stream_overBudget_reachesOnErrorAsTheTypedRefusal() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:10/call"));
    CostgenStreamingChatModel m = CostgenStreamingChatModel.builder(ScriptedChat.generator(ledger::add, budgets)).build();
    Handler h = new Handler(0);
    m.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build(), h);
    assertThat(h.done).failsWithin(30, TimeUnit.SECONDS).withThrowableThat().havingCause()
        .isInstanceOf(BudgetExceededException.class);
  }
}

package io.costgen.core;

import static io.costgen.core.TextGeneratorTest.greedy;
import static io.costgen.core.TextGeneratorTest.successor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.chat.ChatMessage;
import io.costgen.core.chat.ChatRequest;
import io.costgen.core.chat.ChatResult;
import io.costgen.core.testing.ScriptedChat;
import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.Money;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.UsageRecord;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Flow publisher of streamed tokens against the Reactive Streams rules that matter:
 * onSubscribe first, no onNext beyond demand, exactly one terminal signal, request(n <= 0) is an
 * error, cancel stops the call (which still settles and is recorded). Most tests use a direct
 * executor: every signal then runs inside the test's own request(n) call, so "nothing more
 * happened" is a fact, not a timing.
 */
class TokenPublisherTest {
  static final CostModel PER_TOKEN = CostModel.builder().perMillionTokens(Money.usd("1"), Money.usd("1")).build();
  static final Executor DIRECT = Runnable::run;

  final List<UsageRecord> records = new CopyOnWriteArrayList<>();
  final CountDownLatch recorded = new CountDownLatch(1);
  final Meter meter = r -> {
    records.add(r);
    recorded.countDown();
  };
  final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /** Records every signal in order, with the thread it arrived on. */
  static final class Recorder implements Flow.Subscriber<StreamedToken> {
    final List<String> signals = new CopyOnWriteArrayList<>();
    final List<StreamedToken> tokens = new CopyOnWriteArrayList<>();
    final CountDownLatch terminated = new CountDownLatch(1);
    volatile Flow.Subscription subscription;
    volatile Throwable error;
    volatile String subscribeThread;
    Consumer<StreamedToken> onEach = t -> {};
    private boolean inOnNext;
    volatile boolean reentered;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      signals.add("subscribe");
      subscribeThread = Thread.currentThread().getName();
      subscription = s;
    }

    @Override
    public void onNext(StreamedToken t) {
      if (inOnNext) {
        reentered = true;
      }
      inOnNext = true;
      try {
        signals.add("next");
        tokens.add(t);
        onEach.accept(t);
      } finally {
        inOnNext = false;
      }
    }

    @Override
    public void onError(Throwable t) {
      signals.add("error");
      error = t;
      terminated.countDown();
    }

    @Override
    public void onComplete() {
      signals.add("complete");
      terminated.countDown();
    }

    long[] ids() {
      return tokens.stream().mapToLong(StreamedToken::tokenId).toArray();
    }

    long terminals() {
      return signals.stream().filter(s -> s.equals("error") || s.equals("complete")).count();
    }
  }

  static ToyBackend backend() {
    return ToyBackend.builder().vocabSize(64).logits(successor(64)).eosTokenIds(63).build();
  }

  static GenerationRequest request(int maxNew) {
    return GenerationRequest.builder().tokenIds(new long[][] {{1, 2, 3}}).config(greedy(maxNew))
        .context(CallContext.forTenant("acme")).build();
  }

  TextGenerator generator(ToyBackend backend) {
    return TextGenerator.builder(backend).costModel(PER_TOKEN).meter(meter).build();
  }

  @Test
  void onSubscribeComesFirst_onTheSubscribingThread_andNothingStartsBeforeTheFirstRequest() throws Exception {
    ToyBackend backend = backend();
    try (TextGenerator g = generator(backend)) {
      Recorder rec = new Recorder();
      g.publish(request(5), pool).subscribe(rec);

      assertThat(rec.signals).containsExactly("subscribe");
      assertThat(rec.subscribeThread).isEqualTo(Thread.currentThread().getName());
      assertThat(backend.sessionsOpened()).isZero();

      rec.subscription.request(Long.MAX_VALUE);
      assertThat(rec.terminated.await(1, TimeUnit.MINUTES)).isTrue();
      assertThat(rec.signals).containsExactly("subscribe", "next", "next", "next", "next", "next", "complete");
    }
  }

  @Test
  void tokensFlowOnlyAsDemandAllows_andTheUnbatchedGenerationWaitsMeanwhile() {
    ToyBackend backend = backend();
    try (TextGenerator g = generator(backend)) {
      GenerationResult expected = g.generate(request(6));
      TokenPublisher<GenerationResult> publisher = g.publish(request(6), DIRECT);
      Recorder rec = new Recorder();
      publisher.subscribe(rec);
      int passesBefore = backend.forwardPasses();

      rec.subscription.request(2);
      assertThat(rec.tokens).hasSize(2);
      assertThat(backend.forwardPasses() - passesBefore).isEqualTo(2); // prefill + one step; then it waits

      rec.subscription.request(1);
      rec.subscription.request(1);
      assertThat(rec.tokens).hasSize(4);
      assertThat(backend.forwardPasses() - passesBefore).isEqualTo(4);
      assertThat(rec.terminals()).isZero();

      rec.subscription.request(2); // exactly the rest: the last token carries its finish reason
      assertThat(rec.tokens).hasSize(6);
      assertThat(rec.tokens.get(5).finishReason()).contains(FinishReason.LENGTH);
      assertThat(rec.terminals()).isZero(); // onComplete needs no demand, but the call has not ended yet

      rec.subscription.request(1);
      assertThat(rec.signals).endsWith("next", "complete");
      assertThat(rec.terminals()).isOne();
      assertThat(rec.ids()).containsExactly(expected.first().generatedTokenIds());
      assertThat(publisher.result().join().first().tokenIds()).containsExactly(expected.first().tokenIds());
    }
    assertThat(records).hasSize(2);
  }

  @Test
  void requestFromInsideOnNext_doesNotRecurse() {
    try (TextGenerator g = generator(backend())) {
      Recorder rec = new Recorder();
      rec.onEach = t -> rec.subscription.request(1);
      g.publish(request(8), DIRECT).subscribe(rec);

      rec.subscription.request(1);

      assertThat(rec.tokens).hasSize(8);
      assertThat(rec.reentered).isFalse();
      assertThat(rec.signals).last().isEqualTo("complete");
    }
  }

  @Test
  void aFailingCall_signalsOneOnError_andIsRecorded() {
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).failAtForwardPass(3).build();
    TokenPublisher<GenerationResult> publisher;
    Recorder rec = new Recorder();
    try (TextGenerator g = generator(backend)) {
      publisher = g.publish(request(10), DIRECT);
      publisher.subscribe(rec);
      rec.subscription.request(Long.MAX_VALUE);
      rec.subscription.request(5); // after the terminal signal: nothing
    }
    assertThat(rec.signals).containsExactly("subscribe", "next", "next", "next", "error");
    assertThat(rec.error).isInstanceOf(BackendException.class);
    assertThatThrownBy(() -> publisher.result().join()).cause().isInstanceOf(BackendException.class);
    assertThat(records).singleElement().satisfies(r -> assertThat(r.finishReason()).isEqualTo("error"));
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void validationErrors_arriveAsOnError_withoutStartingAnything() {
    ToyBackend backend = backend();
    Recorder rec = new Recorder();
    try (TextGenerator g = generator(backend)) {
      g.publish(GenerationRequest.builder().tokenIds(new long[][] {{1, 99}}).build(), DIRECT).subscribe(rec);
      rec.subscription.request(1);
    }
    assertThat(rec.signals).containsExactly("subscribe", "error");
    assertThat(rec.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 99");
    assertThat(backend.sessionsOpened()).isZero();
  }

  @Test
  void requestOfZeroOrLess_isAnIllegalArgumentError_andCancelsTheCall_whichSettles() {
    ToyBackend backend = backend();
    Budgets budgets = Budgets.inMemory().register(Budget.parse("money:1/day,id=m"));
    Recorder rec = new Recorder();
    TokenPublisher<GenerationResult> publisher;
    try (TextGenerator g = TextGenerator.builder(backend).costModel(PER_TOKEN).meter(meter).budgets(budgets).build()) {
      publisher = g.publish(request(10), DIRECT);
      publisher.subscribe(rec);
      rec.subscription.request(2);

      rec.subscription.request(0);
      rec.subscription.request(3); // after the terminal signal: nothing
    }
    assertThat(rec.signals).containsExactly("subscribe", "next", "next", "error");
    assertThat(rec.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9")
        .hasMessageContaining("n = 0");
    assertThat(publisher.result().join().first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.finishReason()).isEqualTo("cancelled");
      assertThat(r.completionTokens()).isEqualTo(2);
    });
    assertThat(budgets.statusForTenant("acme").get(0).reserved()).isZero();
    assertThat(budgets.statusForTenant("acme").get(0).spent()).isEqualByComparingTo("0.000005");
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void negativeRequestBeforeTheStart_isAnError_andNothingRuns() {
    ToyBackend backend = backend();
    Recorder rec = new Recorder();
    TokenPublisher<GenerationResult> publisher;
    try (TextGenerator g = generator(backend)) {
      publisher = g.publish(request(4), DIRECT);
      publisher.subscribe(rec);
      rec.subscription.request(-1);
    }
    assertThat(rec.signals).containsExactly("subscribe", "error");
    assertThat(rec.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n = -1");
    assertThat(backend.sessionsOpened()).isZero();
    assertThatThrownBy(() -> publisher.result().join()).hasRootCauseInstanceOf(CancellationException.class)
        .hasRootCauseMessage("cancelled before the call started");
    assertThat(records).isEmpty();
  }

  @Test
  void cancel_stopsTheCall_sendsNoTerminalSignal_andTheCallSettlesAndIsRecorded() {
    ToyBackend backend = backend();
    Recorder rec = new Recorder();
    TokenPublisher<GenerationResult> publisher;
    try (TextGenerator g = generator(backend)) {
      publisher = g.publish(request(10), DIRECT);
      publisher.subscribe(rec);
      rec.subscription.request(3);

      rec.subscription.cancel();
      rec.subscription.cancel(); // idempotent
      rec.subscription.request(5); // no-op after cancel
    }
    assertThat(rec.signals).containsExactly("subscribe", "next", "next", "next");
    GenerationResult r = publisher.result().join();
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(r.first().generatedTokenIds()).containsExactly(rec.ids());
    assertThat(records).singleElement().satisfies(u -> assertThat(u.finishReason()).isEqualTo("cancelled"));
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void cancelFromAnotherThread_abortsTheRunningForwardPass() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).eosTokenIds(63).onForwardPass(i -> {
      if (i == 2) {
        entered.countDown();
        released.await();
      }
    }).onCancel(released::countDown).build();
    Recorder rec = new Recorder();
    TokenPublisher<GenerationResult> publisher;
    try (TextGenerator g = generator(backend)) {
      publisher = g.publish(request(10), pool);
      publisher.subscribe(rec);
      rec.subscription.request(Long.MAX_VALUE);
      assertThat(entered.await(1, TimeUnit.MINUTES)).isTrue();

      rec.subscription.cancel(); // returns at once; the pass is aborted

      assertThat(publisher.result().get(1, TimeUnit.MINUTES).first().finishReason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(recorded.await(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(rec.terminals()).isZero();
    assertThat(rec.tokens).hasSizeLessThanOrEqualTo(2);
    assertThat(records).singleElement().satisfies(u -> assertThat(u.finishReason()).isEqualTo("cancelled"));
  }

  @Test
  void aSecondSubscriber_isRefusedWithOnSubscribeThenOnError() {
    try (TextGenerator g = generator(backend())) {
      TokenPublisher<GenerationResult> publisher = g.publish(request(3), DIRECT);
      Recorder first = new Recorder();
      Recorder second = new Recorder();
      publisher.subscribe(first);
      publisher.subscribe(second);

      assertThat(second.signals).containsExactly("subscribe", "error");
      assertThat(second.error).isInstanceOf(IllegalStateException.class).hasMessageContaining("one subscriber");
      first.subscription.request(10);
      assertThat(first.signals).last().isEqualTo("complete");
    }
  }

  @Test
  void aSubscriberThrowingFromOnNext_isTreatedAsCancelled() {
    ToyBackend backend = backend();
    Recorder rec = new Recorder();
    rec.onEach = t -> {
      throw new IllegalStateException("subscriber bug");
    };
    TokenPublisher<GenerationResult> publisher;
    try (TextGenerator g = generator(backend)) {
      publisher = g.publish(request(10), DIRECT);
      publisher.subscribe(rec);
      rec.subscription.request(5);
    }
    assertThat(rec.signals).containsExactly("subscribe", "next");
    assertThatThrownBy(() -> publisher.result().join()).cause().hasMessage("subscriber bug");
    assertThat(records).singleElement().satisfies(u -> assertThat(u.finishReason()).isEqualTo("cancelled"));
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void closingTheGenerator_cancelsAPausedCall_andSignalsOnError() {
    ToyBackend backend = backend();
    Recorder rec = new Recorder();
    TextGenerator g = generator(backend);
    TokenPublisher<GenerationResult> publisher = g.publish(request(10), DIRECT);
    publisher.subscribe(rec);
    rec.subscription.request(2);

    g.close();

    assertThat(rec.signals).containsExactly("subscribe", "next", "next", "error");
    assertThat(rec.error).isInstanceOf(CancellationException.class).hasMessageContaining("closed");
    assertThat(records).singleElement().satisfies(u -> assertThat(u.finishReason()).isEqualTo("cancelled"));
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void publishChat_streamsTheReply_andGivesTheChatResult() throws Exception {
    List<UsageRecord> chatRecords = new CopyOnWriteArrayList<>();
    try (TextGenerator g = ScriptedChat.generator().meter(chatRecords::add).build()) {
      ChatRequest hello = ChatRequest.builder().messages(List.of(ChatMessage.user("hi"))).build();
      TokenPublisher<ChatResult> publisher = g.publishChat(hello);
      Recorder rec = new Recorder();
      publisher.subscribe(rec);
      rec.subscription.request(Long.MAX_VALUE);
      assertThat(rec.terminated.await(1, TimeUnit.MINUTES)).isTrue();

      StringBuilder text = new StringBuilder();
      rec.tokens.forEach(t -> text.append(t.text()));
      ChatResult result = publisher.result().get(1, TimeUnit.MINUTES);
      assertThat(text.toString()).isEqualTo(result.rawText()).isEqualTo(ScriptedChat.PLAIN_ANSWER);
      assertThat(result.message().content()).contains(ScriptedChat.PLAIN_ANSWER);
      assertThat(rec.terminals()).isOne();
    }
    assertThat(chatRecords).hasSize(1);
  }

  @Test
  void batchedCalls_publishTheSameTokens() {
    ToyBackend backend = backend();
    try (TextGenerator g = TextGenerator.builder(backend).batching(BatchingPolicy.builder().build()).build()) {
      GenerationResult expected = g.generate(request(6));
      Recorder rec = new Recorder();
      g.publish(request(6), DIRECT).subscribe(rec);
      rec.subscription.request(2);
      assertThat(rec.tokens).hasSize(2);
      rec.subscription.request(Long.MAX_VALUE);

      assertThat(rec.ids()).containsExactly(expected.first().generatedTokenIds());
      assertThat(rec.signals).last().isEqualTo("complete");
    }
  }
}

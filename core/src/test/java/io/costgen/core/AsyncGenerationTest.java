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
import io.costgen.cost.CostReport;
import io.costgen.cost.Money;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.UsageRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** generateAsync / chatAsync: results, errors through the future, cancellation that settles and records. */
class AsyncGenerationTest {
  static final CostModel PER_TOKEN = CostModel.builder().perMillionTokens(Money.usd("1"), Money.usd("1")).build();

  final List<UsageRecord> records = new CopyOnWriteArrayList<>();
  /**
   * Counts down at the call's terminal listener event, which comes after its settle and record:
   * waits for a call that ends after its future completed.
   */
  final CountDownLatch ended = new CountDownLatch(1);
  final Meter meter = records::add;
  final List<String> events = new CopyOnWriteArrayList<>();
  final CostListener listener = new CostListener() {
    @Override
    public void onStart(CallContext c, CostReport estimate) {
      events.add("start");
    }

    @Override
    public void onComplete(CallContext c, GenerationResult r) {
      events.add("complete");
      ended.countDown();
    }

    @Override
    public void onError(CallContext c, Throwable e, CostReport partial) {
      events.add("error");
      ended.countDown();
    }

    @Override
    public void onCancel(CallContext c, GenerationResult r) {
      events.add("cancel");
      ended.countDown();
    }
  };
  final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "caller-pool");
    t.setDaemon(true);
    return t;
  });

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static Budgets moneyBudget() {
    return Budgets.inMemory().register(Budget.parse("money:1/day,id=m"));
  }

  static GenerationRequest request(int maxNew, long... prompt) {
    return GenerationRequest.builder().tokenIds(new long[][] {prompt}).config(greedy(maxNew))
        .context(CallContext.forTenant("acme")).build();
  }

  /** A backend whose forward pass {@code blockAt} waits until the call is cancelled. */
  static final class Blocking {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    final ToyBackend backend;

    Blocking(int blockAt) {
      backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).eosTokenIds(63).onForwardPass(i -> {
        if (i == blockAt) {
          entered.countDown();
          released.await();
        }
      }).onCancel(released::countDown).build();
    }
  }

  private TextGenerator.Builder generator(ToyBackend backend) {
    return TextGenerator.builder(backend).costModel(PER_TOKEN).meter(meter).addListener(listener);
  }

  @Test
  void generateAsync_givesTheSynchronousResult_onTheInternalExecutor() throws Exception {
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).eosTokenIds(63).build();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (TextGenerator g = generator(backend).build()) {
      GenerationRequest r = GenerationRequest.builder().tokenIds(new long[][] {{1, 2, 3}}).config(greedy(5))
          .onToken(t -> threads.add(Thread.currentThread().getName())).build();
      GenerationResult async = g.generateAsync(r).get(1, TimeUnit.MINUTES);
      GenerationResult sync = g.generate(request(5, 1, 2, 3));

      assertThat(async.first().tokenIds()).containsExactly(sync.first().tokenIds()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
      assertThat(threads).hasSize(5).allSatisfy(n -> assertThat(n).startsWith("costgen-async-"));
      assertThat(records).hasSize(2);
    }
  }

  @Test
  void generateAsync_runsOnTheCallersExecutor() throws Exception {
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).eosTokenIds(63).build();
    List<Runnable> executed = new ArrayList<>();
    Executor counting = task -> {
      executed.add(task);
      pool.execute(task);
    };
    List<String> threads = new CopyOnWriteArrayList<>();
    try (TextGenerator g = generator(backend).build()) {
      GenerationRequest r = GenerationRequest.builder().tokenIds(new long[][] {{1}}).config(greedy(3))
          .onToken(t -> threads.add(Thread.currentThread().getName())).build();
      assertThat(g.generateAsync(r, counting).get(1, TimeUnit.MINUTES).first().generatedTokenIds())
          .containsExactly(2, 3, 4);
    }
    assertThat(executed).hasSize(1);
    assertThat(threads).containsOnly("caller-pool");
  }

  @Test
  void cancellingTheFuture_abortsTheRunningPass_settlesTheReservation_andRecordsTheCall() throws Exception {
    Blocking blocking = new Blocking(3);
    Budgets budgets = moneyBudget();
    try (TextGenerator g = generator(blocking.backend).budgets(budgets).build()) {
      CompletableFuture<GenerationResult> f = g.generateAsync(request(20, 1, 2, 3), pool);
      assertThat(blocking.entered.await(1, TimeUnit.MINUTES)).isTrue();
      assertThat(budgets.statusForTenant("acme").get(0).reserved()).isPositive();

      assertThat(f.cancel(true)).isTrue();

      assertThat(f).isCancelled();
      assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
      assertThat(ended.await(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED.wireName());
      assertThat(r.completionTokens()).isEqualTo(3); // passes 0..2 each gave a token; pass 3 was aborted
    });
    BudgetStatus status = budgets.statusForTenant("acme").get(0);
    assertThat(status.reserved()).isZero();
    assertThat(status.spent()).isEqualByComparingTo(records.get(0).money().amount()).isEqualByComparingTo("0.000006");
    assertThat(events).containsExactly("start", "cancel");
    assertThat(blocking.backend.sessionsClosed()).isEqualTo(blocking.backend.sessionsOpened()).isEqualTo(1);
  }

  @Test
  void completingTheFutureAnyOtherWay_alsoCancelsTheGeneration() throws Exception {
    Blocking blocking = new Blocking(1);
    try (TextGenerator g = generator(blocking.backend).build()) {
      CompletableFuture<GenerationResult> f = g.generateAsync(request(20, 1, 2, 3), pool);
      assertThat(blocking.entered.await(1, TimeUnit.MINUTES)).isTrue();

      f.completeExceptionally(new java.util.concurrent.TimeoutException("caller gave up"));

      assertThat(ended.await(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(records).singleElement()
        .satisfies(r -> assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED.wireName()));
    assertThat(events).containsExactly("start", "cancel");
  }

  @Test
  void aFailedCall_completesExceptionally_settlesAndIsRecorded() {
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).failAtForwardPass(2).build();
    Budgets budgets = moneyBudget();
    try (TextGenerator g = generator(backend).budgets(budgets).build()) {
      CompletableFuture<GenerationResult> f = g.generateAsync(request(20, 1, 2, 3), pool);

      assertThatThrownBy(() -> f.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(BackendException.class).hasMessageContaining("forward pass 2");
    }
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.finishReason()).isEqualTo(FinishReason.ERROR.wireName());
      assertThat(r.completionTokens()).isEqualTo(2); // passes 0 and 1 gave a token; pass 2 failed
    });
    BudgetStatus status = budgets.statusForTenant("acme").get(0);
    assertThat(status.reserved()).isZero();
    assertThat(status.spent()).isEqualByComparingTo("0.000005");
    assertThat(events).containsExactly("start", "error");
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void validationAndBudgetErrors_completeTheFuture_insteadOfBeingThrown() {
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).build();
    Budgets budgets = Budgets.inMemory().register(Budget.parse("tokens:10/day,id=daily-tokens"));
    try (TextGenerator g = generator(backend).budgets(budgets).build()) {
      CompletableFuture<GenerationResult> badToken = g.generateAsync(request(3, 1, 99), pool);
      CompletableFuture<GenerationResult> refused = g.generateAsync(request(20, 1, 2, 3), pool);

      assertThatThrownBy(badToken::join).cause().isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("token id 99").hasMessageContaining("[0, 64)");
      assertThatThrownBy(refused::join).cause().isInstanceOf(BudgetExceededException.class)
          .hasMessageContaining("daily-tokens");
    }
    assertThat(records).singleElement()
        .satisfies(r -> assertThat(r.finishReason()).isEqualTo(UsageRecord.BUDGET_REJECTED));
    assertThat(backend.sessionsOpened()).isZero();
  }

  @Test
  void cancelledBeforeItsTaskStarted_doesNothing() {
    ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).build();
    List<Runnable> queued = new ArrayList<>();
    Budgets budgets = moneyBudget();
    try (TextGenerator g = generator(backend).budgets(budgets).build()) {
      CompletableFuture<GenerationResult> f = g.generateAsync(request(5, 1, 2), queued::add);
      assertThat(f.cancel(true)).isTrue();
      queued.forEach(Runnable::run);
    }
    assertThat(queued).hasSize(1);
    assertThat(backend.sessionsOpened()).isZero();
    assertThat(records).isEmpty();
    assertThat(events).isEmpty();
    assertThat(budgets.statusForTenant("acme").get(0).reserved()).isZero();
  }

  @Test
  void aRefusingExecutor_failsTheFuture() {
    ToyBackend backend = ToyBackend.builder().build();
    try (TextGenerator g = generator(backend).build()) {
      ExecutorService dead = Executors.newSingleThreadExecutor();
      dead.shutdown();
      assertThatThrownBy(() -> g.generateAsync(request(5, 1, 2), dead).join()).cause()
          .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }
    assertThat(backend.sessionsOpened()).isZero();
  }

  @Test
  void close_cancelsRunningCalls_waitsUntilTheySettle_andRefusesNewCalls() throws Exception {
    Blocking blocking = new Blocking(2);
    Budgets budgets = moneyBudget();
    TextGenerator g = generator(blocking.backend).budgets(budgets).build();
    CompletableFuture<GenerationResult> f = g.generateAsync(request(20, 1, 2, 3));
    assertThat(blocking.entered.await(1, TimeUnit.MINUTES)).isTrue();

    g.close();

    // close() returned: the internal thread has finished, so the call has settled and been recorded
    assertThat(records).singleElement()
        .satisfies(r -> assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED.wireName()));
    assertThat(budgets.statusForTenant("acme").get(0).reserved()).isZero();
    assertThat(f).isCancelled();
    assertThatThrownBy(() -> g.generateAsync(request(5, 1, 2))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> g.generate(request(5, 1, 2))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> g.stream(request(5, 1, 2))).isInstanceOf(IllegalStateException.class);
    g.close(); // idempotent
  }

  @Test
  void chatAsync_givesTheSynchronousReply_andCancelsLikeGenerateAsync() throws Exception {
    List<UsageRecord> chatRecords = new CopyOnWriteArrayList<>();
    try (TextGenerator g = ScriptedChat.generator().meter(chatRecords::add).build()) {
      ChatRequest hello = ChatRequest.builder().messages(List.of(ChatMessage.user("hi"))).build();
      ChatResult async = g.chatAsync(hello).get(1, TimeUnit.MINUTES);
      ChatResult async2 = g.chatAsync(hello, pool).get(1, TimeUnit.MINUTES);

      assertThat(async.message().content()).contains(ScriptedChat.PLAIN_ANSWER);
      assertThat(async2.message().content()).isEqualTo(g.chat(hello).message().content());

      ChatRequest bad = ChatRequest.builder().messages(List.of(ChatMessage.user("hi")))
          .template(io.costgen.core.chat.ChatTemplate.of("{{ raise_exception('no') }}")).build();
      assertThatThrownBy(() -> g.chatAsync(bad).join()).cause()
          .isInstanceOf(io.costgen.core.chat.ChatTemplateException.class);
    }
    assertThat(chatRecords).hasSize(3);
  }
}

package io.costgen.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.cost.Money;
import io.costgen.cost.RemoteModelPrice;
import io.costgen.cost.RemoteModelPrices;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.publisher.Flux;

class BudgetedChatModelTest {

  static final String MODEL = "fake-remote";
  static final RemoteModelPrices PRICES = RemoteModelPrices.of(new RemoteModelPrice(MODEL, "test",
      BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("4"), Money.USD, LocalDate.of(2026, 12, 1), "test"));

  final ConcurrentLinkedQueue<UsageRecord> ledger = new ConcurrentLinkedQueue<>();

  /** Answers with fixed usage (min(out, maxTokens)); streams three chunks, usage on the last; fails when told. */
  static final class FakeRemote implements ChatModel {
    final int in;
    final int out;
    final List<Prompt> received = new CopyOnWriteArrayList<>();
    volatile RuntimeException fail;

    FakeRemote(int in, int out) {
      this.in = in;
      this.out = out;
    }

    @Override
    public ChatOptions getDefaultOptions() {
      return ChatOptions.builder().model(MODEL).build();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
      received.add(prompt);
      if (fail != null) {
        throw fail;
      }
      int o = Math.min(out, prompt.getOptions().getMaxTokens());
      return response("ok", new DefaultUsage(in, o), "STOP");
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
      received.add(prompt);
      Flux<ChatResponse> chunks = Flux.just(response("a", null, null), response("b", null, null),
          response("c", new DefaultUsage(in, 3), "STOP"));
      return fail == null ? chunks : chunks.take(1).concatWith(Flux.error(fail));
    }

    static ChatResponse response(String text, DefaultUsage usage, String finish) {
      ChatResponseMetadata.Builder m = ChatResponseMetadata.builder().model(MODEL + "-2026-11-30");
      if (usage != null) {
        m.usage(usage);
      }
      return new ChatResponse(List.of(new Generation(new AssistantMessage(text),
          ChatGenerationMetadata.builder().finishReason(finish).build())), m.build());
    }
  }

  RemoteCallGuard guard(Budgets budgets) {
    return RemoteCallGuard.builder().prices(PRICES).budgets(budgets).meter(ledger::add).build();
  }

  static Prompt prompt(String tenant, int maxTokens) {
    return new Prompt("Hello", CostgenChatOptions.builder().tenantId(tenant).tag("feature", "faq").maxTokens(maxTokens).build());
  }

  static BudgetStatus status(Budgets budgets, String tenant) {
    return budgets.statusForTenant(tenant).get(0);
  }

  @Test
  void call_settlesProviderUsage_andCarriesTheCost() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:1/day"));
    FakeRemote remote = new FakeRemote(1000, 200);
    ChatResponse r = BudgetedChatModel.builder(remote, guard(budgets)).build().call(prompt("acme", 500));
    assertThat(r.getResult().getOutput().getText()).isEqualTo("ok");
    assertThat(BudgetedChatModel.costOf(r).orElseThrow().money()).isEqualTo(Money.usd("0.0018"));
    assertThat(status(budgets, "acme").spent()).isEqualByComparingTo("0.0018");
    UsageRecord rec = ledger.peek();
    assertThat(rec.tenantId()).contains("acme");
    assertThat(rec.tags()).containsEntry("feature", "faq");
    assertThat(rec.model()).isEqualTo(MODEL + "-2026-11-30");
    ChatOptions forwarded = remote.received.get(0).getOptions();
    assertThat(forwarded).isNotInstanceOf(CostgenChatOptions.class);
    assertThat(forwarded.getMaxTokens()).isEqualTo(500);
    assertThat(forwarded.getModel()).isEqualTo(MODEL);
  }

  @Test
  void call_plainPrompt_usesDefaultTenantAndLimit_overBudget_refusesTypedWithoutCalling() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:2000/day"));
    FakeRemote remote = new FakeRemote(10, 5);
    BudgetedChatModel m = BudgetedChatModel.builder(remote, guard(budgets)).defaultTenantId("t").defaultMaxTokens(1500).build();
    m.call(new Prompt("hi"));
    assertThat(remote.received.get(0).getOptions().getMaxTokens()).isEqualTo(1500);
    assertThat(ledger.peek().tenantId()).contains("t");
    assertThatThrownBy(() -> m.call(prompt("t", 5000))).isInstanceOf(BudgetExceededException.class);
    assertThat(remote.received).hasSize(1);
  }

  @Test
  void call_failure_settlesInputEstimate() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:100000/day"));
    FakeRemote remote = new FakeRemote(10, 5);
    remote.fail = new IllegalStateException("HTTP 500");
    BudgetedChatModel m = BudgetedChatModel.builder(remote, guard(budgets)).build();
    assertThatThrownBy(() -> m.call(prompt("acme", 10))).hasMessage("HTTP 500");
    assertThat(status(budgets, "acme").reserved()).isZero();
    assertThat(status(budgets, "acme").spent()).isGreaterThan(BigDecimal.ZERO);
    assertThat(ledger.peek().finishReason()).isEqualTo("error");
  }

  @Test
  void stream_lastChunkCarriesTheCost_andCancelSettlesWhatWasStreamed() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:100000/day"));
    FakeRemote remote = new FakeRemote(10, 5);
    BudgetedChatModel m = BudgetedChatModel.builder(remote, guard(budgets)).build();
    List<ChatResponse> chunks = m.stream(prompt("acme", 50)).collectList().block();
    assertThat(chunks).hasSize(3);
    assertThat(BudgetedChatModel.costOf(chunks.get(2)).orElseThrow().usage().completionTokens()).isEqualTo(3);
    assertThat(BudgetedChatModel.costOf(chunks.get(0))).isEmpty();
    assertThat(status(budgets, "acme").spent()).isEqualByComparingTo("13");
    ledger.clear();

    List<ChatResponse> first = m.stream(prompt("b", 50)).take(1).collectList().block();
    assertThat(first).hasSize(1);
    assertThat(ledger.peek().finishReason()).isEqualTo("cancelled");
    assertThat(status(budgets, "b").reserved()).isZero();
  }

  @Test
  void stream_overBudget_isTheFluxsError() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:5/day"));
    FakeRemote remote = new FakeRemote(10, 5);
    BudgetedChatModel m = BudgetedChatModel.builder(remote, guard(budgets)).build();
    assertThatThrownBy(() -> m.stream(prompt("acme", 50)).blockLast()).isInstanceOf(BudgetExceededException.class);
    assertThat(remote.received).isEmpty();
  }

  @Test
  void concurrentCallsAndStreams_neverExceedTheHardLimit_andLedgerEqualsStore() throws Exception {
    Budgets budgets = Budgets.inMemory();
    BigDecimal limit = new BigDecimal("0.004");
    budgets.register(Budget.parse("money:0.004/day"));
    RemoteCallGuard guard = guard(budgets);
    FakeRemote ok = new FakeRemote(5, 150);
    FakeRemote failing = new FakeRemote(5, 150);
    failing.fail = new IllegalStateException("HTTP 500");
    BudgetedChatModel okModel = BudgetedChatModel.builder(ok, guard).build();
    BudgetedChatModel failModel = BudgetedChatModel.builder(failing, guard).build();
    String[] tenants = {"t0", "t1", "t2", "t3"};
    AtomicInteger over = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 32; t++) {
      int seed = t;
      fs.add(pool.submit(() -> {
        SplittableRandom rnd = new SplittableRandom(seed);
        go.await();
        for (int i = 0; i < 30; i++) {
          String tenant = tenants[rnd.nextInt(tenants.length)];
          Prompt p = prompt(tenant, 100 + rnd.nextInt(300));
          try {
            switch (rnd.nextInt(5)) {
              case 0 -> failModel.call(p);
              case 1 -> okModel.stream(p).blockLast();
              case 2 -> okModel.stream(p).take(1).blockLast();
              case 3 -> failModel.stream(p).onErrorResume(e -> Flux.empty()).blockLast();
              default -> okModel.call(p);
            }
          } catch (BudgetExceededException | IllegalStateException e) {
            // refused, or the failing model
          }
          BudgetStatus s = status(budgets, tenant);
          if (s.spent().add(s.reserved()).compareTo(limit) > 0) {
            over.incrementAndGet();
          }
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : fs) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(ledger.stream().filter(UsageRecord::isBudgetRejection).count()).as("budget binds").isGreaterThan(0);
    assertThat(over.get()).isZero();
    Map<String, BigDecimal> byTenant = new HashMap<>();
    for (UsageRecord r : ledger) {
      byTenant.merge(r.tenantId().orElseThrow(), r.money().amount(), BigDecimal::add);
    }
    for (String t : tenants) {
      BudgetStatus s = status(budgets, t);
      assertThat(s.reserved()).isZero();
      assertThat(s.spent()).isLessThanOrEqualTo(limit).isEqualByComparingTo(byTenant.getOrDefault(t, BigDecimal.ZERO));
    }
  }
}

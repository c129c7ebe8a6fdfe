package io.costgen.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
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
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BudgetedChatModelTest {

  // 1 USD per 1M input tokens, 4 USD per 1M output tokens
  static final RemoteModelPrices PRICES = RemoteModelPrices.of(new RemoteModelPrice(FakeRemoteModels.MODEL, "test",
      BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("4"), Money.USD, LocalDate.of(2026, 12, 1), "test"));

  final ConcurrentLinkedQueue<UsageRecord> ledger = new ConcurrentLinkedQueue<>();

  RemoteCallGuard guard(Budgets budgets) {
    return RemoteCallGuard.builder().prices(PRICES).budgets(budgets).meter(ledger::add).build();
  }

  static ChatRequest request(String tenant, int maxOut) {
    return ChatRequest.builder().messages(UserMessage.from("Hello"))
        .parameters(CostgenChatRequestParameters.builder().tenantId(tenant).tag("feature", "faq").maxOutputTokens(maxOut).build())
        .build();
  }

  @Test
  void chat_settlesProviderUsage_recordsTenantTagsAndProviderModel_andReturnsTheCost() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:1/day"));
    FakeRemoteModels.Chat remote = new FakeRemoteModels.Chat(1000, 200);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    BudgetedChatModel model = BudgetedChatModel.builder().delegate(remote).guard(guard(budgets))
        .listeners(List.of(new ChatModelListener() {
          @Override public void onRequest(ChatModelRequestContext c) { seen.add("request " + c.chatRequest().parameters().modelName()); }
          @Override public void onResponse(ChatModelResponseContext c) { seen.add("response " + c.chatResponse().modelName()); }
        })).build();

    ChatResponse r = model.chat(request("acme", 500));

    assertThat(r.aiMessage().text()).isEqualTo("ok");
    // 1000 × 1/1M + 200 × 4/1M = 0.0018
    assertThat(CostgenChatResponseMetadata.costOf(r.metadata()).orElseThrow().money()).isEqualTo(Money.usd("0.0018"));
    assertThat(((CostgenChatResponseMetadata) r.metadata()).providerMetadata()).isPresent();
    assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(1000);
    UsageRecord rec = ledger.peek();
    assertThat(ledger).hasSize(1);
    assertThat(rec.tenantId()).contains("acme");
    assertThat(rec.tags()).containsEntry("feature", "faq");
    assertThat(rec.model()).isEqualTo(FakeRemoteModels.PROVIDER_MODEL);
    assertThat(rec.money()).isEqualTo(Money.usd("0.0018"));
    assertThat(tenantStatus(budgets, "acme").spent()).isEqualByComparingTo("0.0018");
    assertThat(seen).containsExactly("request fake-remote", "response " + FakeRemoteModels.PROVIDER_MODEL);
    // the wrapped model receives plain parameters with the granted limit
    ChatRequestParameters forwarded = remote.received.get(0).parameters();
    assertThat(forwarded).isNotInstanceOf(CostgenChatRequestParameters.class);
    assertThat(forwarded.maxOutputTokens()).isEqualTo(500);
  }

  @Test
  void chat_withPlainParameters_usesTheBuildersDefaultTenantAndOutputLimit() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:100000/day"));
    FakeRemoteModels.Chat remote = new FakeRemoteModels.Chat(10, 5);
    BudgetedChatModel model = BudgetedChatModel.builder().delegate(remote).guard(guard(budgets))
        .defaultTenantId("default-tenant").defaultTags(Map.of("app", "demo")).defaultMaxOutputTokens(77).build();
    model.chat(UserMessage.from("hi"));
    assertThat(ledger.peek().tenantId()).contains("default-tenant");
    assertThat(ledger.peek().tags()).containsEntry("app", "demo");
    assertThat(remote.received.get(0).maxOutputTokens()).isEqualTo(77);
    assertThat(tenantStatus(budgets, "default-tenant").spent()).isEqualByComparingTo("15");
  }

  @Test
  void chat_overBudget_throwsTyped_andNeverCallsTheModel() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:0.001/day"));
    FakeRemoteModels.Chat remote = new FakeRemoteModels.Chat(10, 5);
    BudgetedChatModel model = BudgetedChatModel.builder().delegate(remote).guard(guard(budgets)).build();
    assertThatThrownBy(() -> model.chat(request("acme", 1000)))
        .isInstanceOf(BudgetExceededException.class)
        .satisfies(e -> assertThat(((BudgetExceededException) e).tenantId()).contains("acme"));
    assertThat(remote.received).isEmpty();
    assertThat(ledger.peek().isBudgetRejection()).isTrue();
  }

  @Test
  void chat_shrinkBudget_lowersTheLimitSentToTheProvider() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:300/day,shrink"));
    FakeRemoteModels.Chat remote = new FakeRemoteModels.Chat(10, 5);
    BudgetedChatModel model = BudgetedChatModel.builder().delegate(remote).guard(guard(budgets)).build();
    model.chat(request("acme", 1000));
    long inputEstimate = 300 - remote.received.get(0).maxOutputTokens();
    assertThat(remote.received.get(0).maxOutputTokens()).isLessThan(1000).isGreaterThan(0);
    assertThat(inputEstimate).isGreaterThanOrEqualTo("Hello".length());
  }

  @Test
  void chat_failure_settlesTheInputEstimate_andRethrows() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:100000/day"));
    FakeRemoteModels.Chat remote = new FakeRemoteModels.Chat(10, 5);
    remote.failWith = new IllegalStateException("HTTP 503");
    BudgetedChatModel model = BudgetedChatModel.builder().delegate(remote).guard(guard(budgets)).build();
    assertThatThrownBy(() -> model.chat(request("acme", 100))).hasMessage("HTTP 503");
    BudgetStatus s = tenantStatus(budgets, "acme");
    assertThat(s.reserved()).isZero();
    assertThat(s.spent()).isGreaterThan(BigDecimal.ZERO); // the input estimate
    assertThat(ledger.peek().error()).contains("IllegalStateException: HTTP 503");
  }

  @Test
  void chat_modelWithoutPrice_isRefusedNamingTheModel() {
    FakeRemoteModels.Chat remote = new FakeRemoteModels.Chat(10, 5);
    BudgetedChatModel model = BudgetedChatModel.builder().delegate(remote)
        .guard(RemoteCallGuard.builder().prices(RemoteModelPrices.empty()).build()).build();
    assertThatThrownBy(() -> model.chat(request("acme", 10))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no price for 'fake-remote'");
    assertThat(remote.received).isEmpty();
  }

  @Test
  void stream_completes_settlesProviderUsage_andCarriesTheCost() throws Exception {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("money:1/day"));
    FakeRemoteModels.Streaming remote = new FakeRemoteModels.Streaming(100, List.of("a", "b", "c"));
    AtomicLong nanos = new AtomicLong();
    remote.beforeEachPart = () -> nanos.addAndGet(Duration.ofMillis(4).toNanos()); // 4 ms per streamed part
    RemoteCallGuard guard = RemoteCallGuard.builder().prices(PRICES).budgets(budgets).meter(ledger::add)
        .ticker(nanos::get).build();
    BudgetedStreamingChatModel model = BudgetedStreamingChatModel.builder().delegate(remote).guard(guard).build();
    Collector h = new Collector(false);
    model.chat(request("acme", 50), h);
    assertThat(h.text.toString()).isEqualTo("abc");
    // 100 × 1/1M + 3 × 4/1M = 0.000112
    assertThat(CostgenChatResponseMetadata.costOf(h.done.get().metadata()).orElseThrow().money()).isEqualTo(Money.usd("0.000112"));
    assertThat(tenantStatus(budgets, "acme").spent()).isEqualByComparingTo("0.000112");
    assertThat(ledger.peek().timeToFirstToken()).as("time to the first streamed part").contains(Duration.ofMillis(4));
  }

  @Test
  void stream_cancelledByTheHandler_stopsTheProviderStream_andSettlesWhatWasStreamed() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:100000/day"));
    FakeRemoteModels.Streaming remote = new FakeRemoteModels.Streaming(100, List.of("ab", "cd", "ef", "gh"));
    BudgetedStreamingChatModel model = BudgetedStreamingChatModel.builder().delegate(remote).guard(guard(budgets)).build();
    Collector h = new Collector(true);
    model.chat(request("acme", 50), h);
    assertThat(h.text.toString()).isEqualTo("ab");
    assertThat(h.done.get()).isNull();
    UsageRecord rec = ledger.peek();
    assertThat(rec.finishReason()).isEqualTo("cancelled");
    assertThat(rec.completionTokens()).isEqualTo(2); // "ab": 2 UTF-8 bytes
    BudgetStatus s = tenantStatus(budgets, "acme");
    assertThat(s.reserved()).isZero();
    assertThat(s.spent()).isEqualByComparingTo(BigDecimal.valueOf(rec.promptTokens() + 2));
  }

  @Test
  void stream_overBudget_reportsTheTypedErrorToTheHandler() {
    Budgets budgets = Budgets.inMemory();
    budgets.register(Budget.parse("tokens:10/day"));
    FakeRemoteModels.Streaming remote = new FakeRemoteModels.Streaming(100, List.of("a"));
    BudgetedStreamingChatModel model = BudgetedStreamingChatModel.builder().delegate(remote).guard(guard(budgets)).build();
    Collector h = new Collector(false);
    model.chat(request("acme", 50), h);
    assertThat(h.error.get()).isInstanceOf(BudgetExceededException.class);
    assertThat(remote.received).isEmpty();
  }

  /**
   * 32 threads, 4 tenants, blocking and streaming calls through one Budgets: calls succeed, fail
   * (blocking and mid-stream) or are cancelled. No tenant ever holds or spends more than its hard
   * limit, and the ledger equals the store exactly.
   */
  @Test
  void concurrentCallsAcrossTenants_neverExceedTheHardLimit_andLedgerEqualsStore() throws Exception {
    Budgets budgets = Budgets.inMemory();
    BigDecimal limit = new BigDecimal("0.005");
    budgets.register(Budget.parse("money:0.005/day"));
    RemoteCallGuard guard = guard(budgets);
    // The provider counts 5 input tokens for "Hello": within the guard's estimate, as a real tokenizer's count is.
    FakeRemoteModels.Chat ok = new FakeRemoteModels.Chat(5, 150);
    FakeRemoteModels.Chat failing = new FakeRemoteModels.Chat(5, 150);
    failing.failWith = new IllegalStateException("HTTP 500");
    FakeRemoteModels.Streaming stream = new FakeRemoteModels.Streaming(5, List.of("x", "y", "z"));
    FakeRemoteModels.Streaming failingStream = new FakeRemoteModels.Streaming(5, List.of("x", "y"));
    failingStream.failAfterFirst = new IllegalStateException("stream reset");
    BudgetedChatModel okModel = BudgetedChatModel.builder().delegate(ok).guard(guard).build();
    BudgetedChatModel failModel = BudgetedChatModel.builder().delegate(failing).guard(guard).build();
    BudgetedStreamingChatModel streamModel = BudgetedStreamingChatModel.builder().delegate(stream).guard(guard).build();
    BudgetedStreamingChatModel failStreamModel = BudgetedStreamingChatModel.builder().delegate(failingStream).guard(guard).build();
    String[] tenants = {"t0", "t1", "t2", "t3"};
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger over = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 32; t++) {
      int seed = t;
      fs.add(pool.submit(() -> {
        SplittableRandom rnd = new SplittableRandom(seed);
        go.await();
        for (int i = 0; i < 40; i++) {
          String tenant = tenants[rnd.nextInt(tenants.length)];
          ChatRequest req = request(tenant, 100 + rnd.nextInt(400));
          try {
            switch (rnd.nextInt(5)) {
              case 0 -> failModel.chat(req);
              case 1 -> streamModel.chat(req, new Collector(rnd.nextBoolean()));
              case 2 -> failStreamModel.chat(req, new Collector(false));
              default -> okModel.chat(req);
            }
          } catch (BudgetExceededException e) {
            refused.incrementAndGet();
          } catch (IllegalStateException expected) {
            // the failing model
          }
          BudgetStatus s = tenantStatus(budgets, tenant);
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
    long streamRefusals = ledger.stream().filter(UsageRecord::isBudgetRejection).count();
    assertThat(streamRefusals).as("the budget must bind in this test").isGreaterThan(0);
    assertThat(over.get()).isZero();
    Map<String, BigDecimal> byTenant = new HashMap<>();
    for (UsageRecord r : ledger) {
      byTenant.merge(r.tenantId().orElseThrow(), r.money().amount(), BigDecimal::add);
    }
    for (String t : tenants) {
      BudgetStatus s = tenantStatus(budgets, t);
      assertThat(s.reserved()).isZero();
      assertThat(s.spent()).isLessThanOrEqualTo(limit);
      assertThat(s.spent()).as("ledger = store for " + t).isEqualByComparingTo(byTenant.getOrDefault(t, BigDecimal.ZERO));
    }
  }

  static BudgetStatus tenantStatus(Budgets budgets, String tenant) {
    return budgets.statusForTenant(tenant).get(0);
  }

  /** Collects a stream; cancels through the handle after the first part when asked. */
  static final class Collector implements StreamingChatResponseHandler {
    final boolean cancelAfterFirst;
    final StringBuilder text = new StringBuilder();
    final AtomicReference<ChatResponse> done = new AtomicReference<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();

    Collector(boolean cancelAfterFirst) {
      this.cancelAfterFirst = cancelAfterFirst;
    }

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
      text.append(partial.text());
      if (cancelAfterFirst) {
        context.streamingHandle().cancel();
      }
    }

    @Override public void onCompleteResponse(ChatResponse r) { done.set(r); }
    @Override public void onError(Throwable t) { error.set(t); }
  }
}

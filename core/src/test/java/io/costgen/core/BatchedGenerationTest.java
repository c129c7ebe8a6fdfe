package io.costgen.core;

import io.costgen.core.spi.Logits;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.testing.ForwardingDecoderSession;
import io.costgen.core.spi.TransformerBackend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.internal.batching.BatchObserver;
import io.costgen.core.testing.FakeTicker;
import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching on the toy backend: every call's result equals its unbatched run while
 * calls join, leave, get cancelled or fail around it; device time is split exactly.
 */
class BatchedGenerationTest {

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  // ---------------------------------------------------------------- fixtures

  /** Next token = last + 1 (mod vocab), EOS never reached in short runs: predictable streams. */
  private static ToyBackend.LogitsFunction successor(int vocab) {
    return (tokens, length, out) -> {
      Arrays.fill(out, 0f);
      out[(int) ((tokens[length - 1] + 1) % vocab)] = 5f;
    };
  }

  private static GenerationRequest greedy(int maxNew, long... prompt) {
    return GenerationRequest.builder().tokenIds(prompt)
        .config(GenerationConfig.builder().maxNewTokens(maxNew).build()).build();
  }

  private static TextGenerator batched(ToyBackend backend, BatchingPolicy policy) {
    return TextGenerator.builder(backend).batching(policy).build();
  }

  private static TextGenerator batched(ToyBackend backend) {
    return batched(backend, BatchingPolicy.defaults());
  }

  private Future<GenerationResult> submit(TextGenerator g, GenerationRequest r) {
    return pool.submit(() -> g.generate(r));
  }

  /** Counts queued calls; {@link #awaitQueued(int)} blocks until that many were queued in all. */
  private static final class QueueWatch implements BatchObserver {
    private final AtomicInteger queued = new AtomicInteger();
    final List<int[]> steps = new CopyOnWriteArrayList<>();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public void queued(int waiting) {
      queued.incrementAndGet();
      synchronized (this) {
        notifyAll();
      }
    }

    @Override
    public void stepped(int rows, int calls, int positions) {
      steps.add(new int[] {rows, calls, positions});
    }

    @Override
    public void batchClosed() {
      closed.incrementAndGet();
    }

    synchronized void awaitQueued(int n) throws InterruptedException {
      while (queued.get() < n) {
        wait();
      }
    }

    int maxStepRows() {
      return steps.stream().mapToInt(s -> s[0]).max().orElse(0);
    }
  }

  private static List<Object> essence(GenerationResult r) {
    Usage u = r.usage();
    return List.of(r.sequences(), u.promptTokens(), u.completionTokens(), u.decodeSteps(), u.prefillFlops(),
        u.decodeFlops(), u.sequences());
  }

  // ---------------------------------------------------------------- exactness

  @Test
  void generate_manyThreadsWithRandomRequests_equalsTheUnbatchedResults() throws Exception {
    ToyBackend reference = ToyBackend.builder().seed(11).build();
    int threads = 12;
    QueueWatch w = new QueueWatch();
    ToyBackend backend = ToyBackend.builder().seed(11).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(threads); // every thread's first call is queued before the first prefill ends
      }
    }).build();
    TextGenerator plain = TextGenerator.builder(reference).build();
    TextGenerator g = batched(backend, BatchingPolicy.builder().maxBatchRows(24).prefillChunkTokens(6).build());
    g.scheduler().observer(w);
    Random random = new Random(5);
    int perThread = 4;
    List<List<GenerationRequest>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<GenerationRequest> mine = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        mine.add(randomRequest(random));
      }
      work.add(mine);
    }
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<GenerationResult>>> futures = new ArrayList<>();
    for (List<GenerationRequest> mine : work) {
      futures.add(pool.submit(() -> {
        go.await();
        List<GenerationResult> out = new ArrayList<>();
        for (GenerationRequest r : mine) {
          out.add(g.generate(r));
        }
        return out;
      }));
    }
    go.countDown();
    for (int t = 0; t < threads; t++) {
      List<GenerationResult> got = futures.get(t).get(60, TimeUnit.SECONDS);
      for (int i = 0; i < perThread; i++) {
        GenerationResult expected = plain.generate(work.get(t).get(i));
        assertThat(essence(got.get(i))).as("thread %d request %d", t, i).isEqualTo(essence(expected));
      }
    }
    assertThat(w.maxStepRows()).as("rows of the widest batched step").isGreaterThan(4);
    assertThat(backend.sessionsClosed()).isEqualTo(backend.sessionsOpened());
  }

  private static GenerationRequest randomRequest(Random random) {
    int inputs = random.nextInt(4) == 0 ? 2 : 1;
    long[][] prompts = new long[inputs][];
    for (int b = 0; b < inputs; b++) {
      prompts[b] = new long[1 + random.nextInt(12)];
      for (int i = 0; i < prompts[b].length; i++) {
        prompts[b][i] = 3 + random.nextInt(61);
      }
    }
    GenerationConfig.Builder c = GenerationConfig.builder().maxNewTokens(1 + random.nextInt(24));
    switch (random.nextInt(3)) {
      case 0 -> { } // greedy
      case 1 -> c.doSample(true).seed(random.nextLong()).topK(20).temperature(0.9)
          .numReturnSequences(1 + random.nextInt(3));
      default -> c.numBeams(2 + random.nextInt(2)).numReturnSequences(2);
    }
    return GenerationRequest.builder().tokenIds(prompts).config(c.build()).build();
  }

  @Test
  void generate_callsJoiningAtEveryStepWithDifferentLengths_equalTheUnbatchedResults() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    int[] maxNew = {9, 3, 7, 2, 8, 4};
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < maxNew.length; i++) {
      requests.add(greedy(maxNew[i], 10L * i + 3, 10L * i + 4));
    }
    @SuppressWarnings("unchecked")
    Future<GenerationResult>[] futures = new Future[requests.size()];
    CountDownLatch allLaunched = new CountDownLatch(1);
    AtomicInteger launched = new AtomicInteger(1);
    QueueWatch w = new QueueWatch();
    TextGenerator[] g = new TextGenerator[1];
    ToyBackend[] self = new ToyBackend[1];
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).onForwardPass(i -> {
      List<ToyBackend.Pass> passes = self[0].passes();
      if (!passes.get(passes.size() - 1).prefill() && launched.get() < requests.size()) {
        // a step is running: the next call arrives now and joins at the next step
        int next = launched.getAndIncrement();
        futures[next] = submit(g[0], requests.get(next));
        w.awaitQueued(next + 1);
        if (next == requests.size() - 1) {
          allLaunched.countDown();
        }
      }
    }).build();
    self[0] = backend;
    g[0] = batched(backend);
    g[0].scheduler().observer(w);
    futures[0] = submit(g[0], requests.get(0));
    assertThat(allLaunched.await(30, TimeUnit.SECONDS)).isTrue();
    TextGenerator plain = TextGenerator.builder(reference).build();
    for (int i = 0; i < requests.size(); i++) {
      assertThat(futures[i].get(30, TimeUnit.SECONDS).sequences()).as("call %d", i)
          .isEqualTo(plain.generate(requests.get(i)).sequences());
    }
    List<Integer> rows = w.steps.stream().map(st -> st[0]).toList();
    assertThat(rows).as("rows per batched step").contains(1, 2, 3);
    boolean joined = false;
    boolean left = false;
    for (int i = 1; i < rows.size(); i++) {
      joined |= rows.get(i) > rows.get(i - 1);
      left |= rows.get(i) < rows.get(i - 1);
    }
    assertThat(joined).as("a call joined a running batch").isTrue();
    assertThat(left).as("a finished call left a running batch").isTrue();
    assertThat(backend.appends()).isEqualTo(requests.size() - 1);
    assertThat(w.closed.get()).isEqualTo(1);
  }

  @Test
  void stream_inABatch_deliversTheUnbatchedTokensOnTheCallingThread() throws Exception {
    ToyBackend reference = ToyBackend.builder().seed(3).build();
    ToyBackend backend = ToyBackend.builder().seed(3).build();
    TextGenerator g = batched(backend);
    GenerationRequest a = GenerationRequest.builder().tokenIds(new long[] {5, 6, 7})
        .config(GenerationConfig.builder().maxNewTokens(12).doSample(true).seed(9).numReturnSequences(2).build())
        .build();
    List<StreamedToken> expected = new ArrayList<>();
    TextGenerator.builder(reference).build().generate(a.toBuilder().onToken(expected::add).build());

    Future<GenerationResult> other = submit(g, greedy(20, 30, 31));
    List<StreamedToken> viaCallback = new ArrayList<>();
    List<Thread> callbackThreads = new CopyOnWriteArrayList<>();
    GenerationResult r = g.generate(a.toBuilder().onToken(t -> {
      viaCallback.add(t);
      callbackThreads.add(Thread.currentThread());
    }).build());
    List<StreamedToken> pulled = new ArrayList<>();
    try (TokenStream s = g.stream(a)) {
      s.forEachRemaining(pulled::add);
      assertThat(s.result().sequences()).isEqualTo(r.sequences());
    }
    assertThat(viaCallback).isEqualTo(expected);
    assertThat(pulled).isEqualTo(expected);
    assertThat(callbackThreads).containsOnly(Thread.currentThread());
    assertThat(other.get(30, TimeUnit.SECONDS).sequences())
        .isEqualTo(TextGenerator.builder(reference).build().generate(greedy(20, 30, 31)).sequences());
  }

  // ---------------------------------------------------------------- stopping

  @Test
  void cancel_oneCallMidBatch_leavesTheOthersUnaffected() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    Cancellation cancelB = Cancellation.create();
    QueueWatch w = new QueueWatch();
    AtomicInteger fullSteps = new AtomicInteger();
    ToyBackend[] self = new ToyBackend[1];
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(3); // all three calls queued before anything runs past the first prefill
      }
      List<ToyBackend.Pass> passes = self[0].passes();
      ToyBackend.Pass p = passes.get(passes.size() - 1);
      if (!p.prefill() && p.rows() == 3 && fullSteps.incrementAndGet() == 4) {
        cancelB.cancel();
      }
    }).build();
    self[0] = backend;
    List<String> events = new CopyOnWriteArrayList<>();
    TextGenerator g = TextGenerator.builder(backend).batching(BatchingPolicy.defaults())
        .addListener(recording(events)).build();
    g.scheduler().observer(w);
    GenerationRequest a = greedy(20, 3, 4);
    GenerationRequest b = GenerationRequest.builder().tokenIds(new long[] {20, 21}).cancellation(cancelB)
        .context(new CallContext(java.util.Optional.empty(), "B", Map.of()))
        .config(GenerationConfig.builder().maxNewTokens(20).build()).build();
    GenerationRequest c = greedy(20, 40, 41);
    Future<GenerationResult> fa = submit(g, a);
    Future<GenerationResult> fb = submit(g, b);
    Future<GenerationResult> fc = submit(g, c);
    TextGenerator plain = TextGenerator.builder(reference).build();
    assertThat(fa.get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(a).sequences());
    assertThat(fc.get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(c).sequences());
    GenerationResult rb = fb.get(30, TimeUnit.SECONDS);
    assertThat(rb.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    long[] full = plain.generate(greedy(20, 20, 21)).first().tokenIds();
    assertThat(rb.first().generatedLength()).isBetween(1, 19);
    assertThat(full).startsWith(rb.first().tokenIds());
    assertThat(events).contains("cancel:B").doesNotContain("complete:B", "error:B");
  }

  @Test
  void cancel_duringAChunkedPrefill_abortsThatPrefillOnly() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    Cancellation cancelLate = Cancellation.create();
    QueueWatch w = new QueueWatch();
    ToyBackend[] self = new ToyBackend[1];
    TextGenerator[] g = new TextGenerator[1];
    List<Future<GenerationResult>> late = new CopyOnWriteArrayList<>();
    GenerationRequest longPrompt = GenerationRequest.builder().tokenIds(new long[] {20, 21, 22, 23, 24, 25, 26, 27})
        .cancellation(cancelLate).config(GenerationConfig.builder().maxNewTokens(5).build()).build();
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).onForwardPass(i -> {
      List<ToyBackend.Pass> p = self[0].passes();
      long prefills = p.stream().filter(ToyBackend.Pass::prefill).count();
      if (!p.get(p.size() - 1).prefill() && late.isEmpty()) {
        late.add(submit(g[0], longPrompt));
        w.awaitQueued(2);
      } else if (p.get(p.size() - 1).prefill() && prefills == 3) {
        cancelLate.cancel(); // during the second chunk of the late call's prompt: this pass aborts
      }
    }).build();
    self[0] = backend;
    g[0] = batched(backend, BatchingPolicy.builder().prefillChunkTokens(2).build());
    g[0].scheduler().observer(w);
    GenerationRequest running = greedy(10, 3, 4);
    GenerationResult r = g[0].generate(running);
    assertThat(r.sequences()).isEqualTo(TextGenerator.builder(reference).build().generate(running).sequences());
    GenerationResult cancelled = late.get(0).get(30, TimeUnit.SECONDS);
    assertThat(cancelled.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(cancelled.first().generatedLength()).isZero();
    assertThat(backend.passes().stream().filter(ToyBackend.Pass::prefill).count()).isEqualTo(3);
    assertThat(w.maxStepRows()).isEqualTo(1);
    assertThat(backend.sessionsClosed()).isEqualTo(backend.sessionsOpened());
  }

  @Test
  void deadline_ofOneCallInABatch_endsOnlyThatCall() throws Exception {
    int vocab = 64;
    FakeTicker ticker = new FakeTicker();
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    QueueWatch w = new QueueWatch();
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(2);
      }
      ticker.advance(Duration.ofMillis(10));
    }).build();
    TextGenerator g = TextGenerator.builder(backend).ticker(ticker).batching(BatchingPolicy.defaults()).build();
    g.scheduler().observer(w);
    GenerationRequest shortLived = greedy(30, 5, 6).toBuilder().deadline(Duration.ofMillis(55)).build();
    GenerationRequest a = greedy(30, 40, 41);
    Future<GenerationResult> fs = submit(g, shortLived);
    Future<GenerationResult> fa = submit(g, a);
    GenerationResult rs = fs.get(30, TimeUnit.SECONDS);
    assertThat(rs.first().finishReason()).isEqualTo(FinishReason.DEADLINE);
    assertThat(rs.first().generatedLength()).isBetween(1, 10);
    assertThat(fa.get(30, TimeUnit.SECONDS).sequences())
        .isEqualTo(TextGenerator.builder(reference).build().generate(a).sequences());
  }

  @Test
  void close_ofAStreamMidBatch_cancelsItAndTheOthersComplete() throws Exception {
    CountDownLatch closing = new CountDownLatch(1);
    QueueWatch w = new QueueWatch();
    ToyBackend[] self = new ToyBackend[1];
    ToyBackend backend = ToyBackend.builder().seed(8).eosTokenIds(99).vocabSize(128).onForwardPass(i -> {
      List<ToyBackend.Pass> p = self[0].passes();
      if (i == 0) {
        w.awaitQueued(2); // the other call joins the stream's batch at its second step
      }
      if (p.size() == 8) {
        closing.await(); // the batch holds still at its 6th step until the stream is being closed
      }
    }).build();
    self[0] = backend;
    ToyBackend ref = ToyBackend.builder().seed(8).eosTokenIds(99).vocabSize(128).build();
    TextGenerator g = batched(backend);
    g.scheduler().observer(new BatchObserver() {
      @Override
      public void queued(int waiting) {
        w.queued(waiting);
      }

      @Override
      public void stopRequested() {
        closing.countDown();
      }
    });
    StreamedToken third;
    GenerationResult closed;
    Future<GenerationResult> other;
    try (TokenStream s = g.stream(greedy(40, 50, 51))) {
      other = submit(g, greedy(40, 9, 10, 11));
      s.next();
      s.next();
      third = s.next();
      s.close();
      closed = s.result();
    }
    assertThat(third.tokenIndex()).isEqualTo(2);
    assertThat(closed.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(closed.first().generatedLength()).isBetween(3, 39);
    assertThat(other.get(30, TimeUnit.SECONDS).sequences())
        .isEqualTo(TextGenerator.builder(ref).build().generate(greedy(40, 9, 10, 11)).sequences());
    assertThat(backend.passes().stream().filter(p -> !p.prefill()).mapToInt(ToyBackend.Pass::rows).max())
        .hasValue(2);
  }

  // ---------------------------------------------------------------- failures

  @Test
  void backendError_inABatchedStep_failsOnlyTheCallThatFailsAgainAlone() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    QueueWatch w = new QueueWatch();
    // the poisoned call feeds 11, 12, 13, then 14 (poison) in its 4th step; the others never do
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).failOnToken(14).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(3);
      }
    }).build();
    List<String> events = new CopyOnWriteArrayList<>();
    Map<String, CostReport> partial = new ConcurrentHashMap<>();
    TextGenerator g = TextGenerator.builder(backend).batching(BatchingPolicy.defaults())
        .addListener(recording(events, partial)).build();
    g.scheduler().observer(w);
    GenerationRequest a = named("A", greedy(12, 30, 31));
    GenerationRequest poisoned = named("P", greedy(12, 9, 10));
    GenerationRequest c = named("C", greedy(12, 40, 41));
    Future<GenerationResult> fa = submit(g, a);
    Future<GenerationResult> fp = submit(g, poisoned);
    Future<GenerationResult> fc = submit(g, c);
    TextGenerator plain = TextGenerator.builder(reference).build();
    assertThat(fa.get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(a).sequences());
    assertThat(fc.get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(c).sequences());
    assertThatThrownBy(() -> fp.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BackendException.class).hasMessageContaining("poisoned token 14");
    assertThat(events).containsExactlyInAnyOrder("start:A", "start:P", "start:C", "complete:A", "error:P",
        "complete:C");
    Usage u = partial.get("P").usage();
    assertThat(u.completionTokens()).isEqualTo(4); // 11, 12, 13, 14
    assertThat(u.promptTokens()).isEqualTo(2);
    assertThat(w.maxStepRows()).isEqualTo(3);
    assertThat(backend.sessionsClosed()).isEqualTo(backend.sessionsOpened());
  }

  @Test
  void backendError_thatHappensOnceInABatchedStep_isRetriedAloneAndNoCallFails() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    QueueWatch w = new QueueWatch();
    // pass 0: the first queued call's prefill (the others queue meanwhile); 1: its first step;
    // 2: the others' prefill, together (admitted in one iteration); 3: the first step of all
    // three; 4: the second, which fails once. (When all three are queued before the scheduler
    // starts, pass 0 is their grouped prefill and pass 4 their fourth step: a 3-row step too.)
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).failAtForwardPass(4).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(3);
      }
    }).build();
    List<String> events = new CopyOnWriteArrayList<>();
    TextGenerator g = TextGenerator.builder(backend).batching(BatchingPolicy.defaults())
        .addListener(recording(events)).build();
    g.scheduler().observer(w);
    List<GenerationRequest> requests = List.of(named("A", greedy(10, 3, 4)), named("B", greedy(6, 20, 21, 22)),
        named("C", greedy(8, 40)));
    List<Future<GenerationResult>> futures = new ArrayList<>();
    for (GenerationRequest r : requests) {
      futures.add(submit(g, r));
    }
    TextGenerator plain = TextGenerator.builder(reference).build();
    for (int i = 0; i < requests.size(); i++) {
      assertThat(futures.get(i).get(30, TimeUnit.SECONDS).sequences())
          .isEqualTo(plain.generate(requests.get(i)).sequences());
    }
    ToyBackend.Pass failedPass = backend.passes().get(4);
    assertThat(failedPass.prefill()).isFalse();
    assertThat(failedPass.rows()).isEqualTo(3);
    assertThat(events).filteredOn(e -> e.startsWith("error")).isEmpty();
    // after the failure each call was re-prefilled alone: three extra prefill passes
    List<ToyBackend.Pass> all = backend.passes();
    long prefills = all.subList(5, all.size()).stream().filter(ToyBackend.Pass::prefill).count();
    assertThat(prefills).isEqualTo(3);
    assertThat(all.subList(5, 8)).allSatisfy(p -> assertThat(p.prefill()).isTrue());
  }

  @Test
  void backendError_inOneCallsPrefill_failsOnlyThatCall() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    QueueWatch w = new QueueWatch();
    ToyBackend[] self = new ToyBackend[1];
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(3);
      }
      List<ToyBackend.Pass> p = self[0].passes();
      ToyBackend.Pass last = p.get(p.size() - 1);
      if (last.prefill() && last.tokens() == 5) {
        throw new IllegalStateException("bad prompt");
      }
    }).build();
    self[0] = backend;
    List<String> events = new CopyOnWriteArrayList<>();
    TextGenerator g = TextGenerator.builder(backend).batching(BatchingPolicy.defaults())
        .addListener(recording(events)).build();
    g.scheduler().observer(w);
    GenerationRequest a = named("A", greedy(10, 3, 4));
    GenerationRequest bad = named("B", greedy(10, 20, 21, 22, 23, 24));
    GenerationRequest c = named("C", greedy(10, 40, 41, 42));
    Future<GenerationResult> fa = submit(g, a);
    Future<GenerationResult> fb = submit(g, bad);
    Future<GenerationResult> fc = submit(g, c);
    TextGenerator plain = TextGenerator.builder(reference).build();
    assertThat(fa.get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(a).sequences());
    assertThat(fc.get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(c).sequences());
    assertThatThrownBy(() -> fb.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(BackendException.class);
    assertThat(events).contains("error:B", "complete:A", "complete:C");
  }

  // ---------------------------------------------------------------- cost attribution

  @Test
  void deviceSeconds_ofAllCalls_sumToTheMeasuredTimeOfEveryPass() throws Exception {
    FakeTicker ticker = new FakeTicker();
    QueueWatch w = new QueueWatch();
    AtomicInteger passes = new AtomicInteger();
    long[] totalNanos = new long[1];
    ToyBackend backend = ToyBackend.builder().seed(4).failOnToken(60).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(6);
      }
      long d = Duration.ofMillis(1).toNanos() * (1 + i % 7) + 333; // uneven, so shares do not divide evenly
      synchronized (totalNanos) {
        totalNanos[0] += d;
      }
      ticker.advance(Duration.ofNanos(d));
      passes.incrementAndGet();
    }).build();
    Map<String, Double> charged = new ConcurrentHashMap<>();
    TextGenerator g = TextGenerator.builder(backend).ticker(ticker)
        .batching(BatchingPolicy.builder().prefillChunkTokens(3).build()).addListener(new CostListener() {
          @Override
          public void onComplete(CallContext context, GenerationResult result) {
            charged.put(context.requestId(), result.usage().deviceSeconds());
          }

          @Override
          public void onError(CallContext context, Throwable error, CostReport partial) {
            charged.put(context.requestId(), partial.usage().deviceSeconds());
          }
        }).build();
    g.scheduler().observer(w);
    Random random = new Random(2);
    List<Future<GenerationResult>> futures = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      GenerationRequest r = randomRequest(random);
      futures.add(submit(g, r.toBuilder().context(new CallContext(java.util.Optional.empty(), "c" + k, Map.of()))
          .build()));
    }
    for (Future<GenerationResult> f : futures) {
      try {
        f.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).hasMessageContaining("poisoned"); // a failing call is charged too
      }
    }
    assertThat(charged).hasSize(6);
    assertThat(charged.values()).allSatisfy(s -> assertThat(s).isPositive());
    double sum = charged.values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(sum).isCloseTo(totalNanos[0] / 1e9, within(1e-12));
    assertThat(w.maxStepRows()).isGreaterThan(1);
  }

  @Test
  void deviceSeconds_ofABatchedStep_areSplitByRows() throws Exception {
    FakeTicker ticker = new FakeTicker();
    QueueWatch w = new QueueWatch();
    ToyBackend[] self = new ToyBackend[1];
    TextGenerator[] g = new TextGenerator[1];
    List<Future<GenerationResult>> second = new CopyOnWriteArrayList<>();
    // one row × 4 steps, and two rows (two prompts) × 4 steps, joining at the second step
    GenerationRequest twoRows = GenerationRequest.builder().tokenIds(new long[] {20, 21}, new long[] {30, 31})
        .config(GenerationConfig.builder().maxNewTokens(5).build()).build();
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).onForwardPass(i -> {
      if (i == 0) {
        second.add(submit(g[0], twoRows));
        w.awaitQueued(2);
      }
      List<ToyBackend.Pass> p = self[0].passes();
      // prefills cost nothing here; a step costs 3 ms however many rows it has
      ticker.advance(p.get(p.size() - 1).prefill() ? Duration.ZERO : Duration.ofMillis(3));
    }).build();
    self[0] = backend;
    g[0] = TextGenerator.builder(backend).ticker(ticker).batching(BatchingPolicy.defaults()).build();
    g[0].scheduler().observer(w);
    double oneSeconds = g[0].generate(greedy(5, 3, 4)).usage().deviceSeconds();
    double twoSeconds = second.get(0).get(30, TimeUnit.SECONDS).usage().deviceSeconds();
    // step 1: the first call alone (3 ms); steps 2-4: three rows (1 ms per row); step 5: the second alone
    assertThat(w.steps.stream().map(st -> st[0]).toList()).containsExactly(1, 3, 3, 3, 2);
    assertThat(oneSeconds).isCloseTo(0.003 + 3 * 0.001, within(1e-12));
    assertThat(twoSeconds).isCloseTo(3 * 0.002 + 0.003, within(1e-12));
  }

  // ---------------------------------------------------------------- policies

  @Test
  void maxBatchRows_capsTheRowsOfEveryStep() throws Exception {
    ToyBackend reference = ToyBackend.builder().seed(6).build();
    QueueWatch w = new QueueWatch();
    ToyBackend backend = ToyBackend.builder().seed(6).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(5);
      }
    }).build();
    TextGenerator g = batched(backend, BatchingPolicy.builder().maxBatchRows(2).build());
    g.scheduler().observer(w);
    List<GenerationRequest> requests = new ArrayList<>();
    List<Future<GenerationResult>> futures = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      requests.add(greedy(6 + k, 5 + k, 6 + k));
      futures.add(submit(g, requests.get(k)));
    }
    for (int k = 0; k < 5; k++) {
      assertThat(futures.get(k).get(30, TimeUnit.SECONDS).sequences())
          .isEqualTo(TextGenerator.builder(reference).build().generate(requests.get(k)).sequences());
    }
    assertThat(w.maxStepRows()).isEqualTo(2);
  }

  @Test
  void maxKvCacheBytes_makesACallWaitUntilItFits() throws Exception {
    QueueWatch w = new QueueWatch();
    ToyBackend backend = ToyBackend.builder().seed(6).eosTokenIds(99).vocabSize(128).onForwardPass(i -> {
      if (i == 0) {
        w.awaitQueued(3);
      }
    }).build();
    ToyBackend ref = ToyBackend.builder().seed(6).eosTokenIds(99).vocabSize(128).build();
    double perToken = backend.modelInfo().shape().kvCacheBytesPerToken(backend.modelInfo().kvCacheDtype());
    // one call needs 1 row × (2 + 10) positions; two together need 2 × (12 + chunks) > the limit
    long limit = (long) (perToken * 12 * 1.5);
    TextGenerator g = batched(backend, BatchingPolicy.builder().maxKvCacheBytes(limit).build());
    g.scheduler().observer(w);
    List<Future<GenerationResult>> futures = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      futures.add(submit(g, greedy(10, 7 + k, 8 + k)));
    }
    for (int k = 0; k < 3; k++) {
      assertThat(futures.get(k).get(30, TimeUnit.SECONDS).sequences())
          .isEqualTo(TextGenerator.builder(ref).build().generate(greedy(10, 7 + k, 8 + k)).sequences());
    }
    assertThat(w.maxStepRows()).isEqualTo(1);
    assertThat(w.closed.get()).as("the batch emptied between calls").isEqualTo(3);
  }

  @Test
  void maxKvCacheBytes_rejectsACallThatCannotFitAloneBeforeAnyEvent() {
    ToyBackend backend = ToyBackend.builder().build();
    List<String> events = new CopyOnWriteArrayList<>();
    TextGenerator g = TextGenerator.builder(backend).addListener(recording(events))
        .batching(BatchingPolicy.builder().maxKvCacheBytes(100).build()).build();
    assertThatThrownBy(() -> g.generate(greedy(10, 3, 4))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxKvCacheBytes: 100 bytes").hasMessageContaining("1 rows x 12 positions");
    assertThat(events).isEmpty();
    assertThat(backend.sessionsOpened()).isZero();
  }

  @Test
  void prefillChunkTokens_interleavesALongPromptWithTheRunningDecode() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).build();
    QueueWatch w = new QueueWatch();
    ToyBackend[] self = new ToyBackend[1];
    TextGenerator[] g = new TextGenerator[1];
    List<Future<GenerationResult>> late = new CopyOnWriteArrayList<>();
    GenerationRequest longPrompt = greedy(3, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).onForwardPass(i -> {
      List<ToyBackend.Pass> p = self[0].passes();
      if (!p.get(p.size() - 1).prefill() && late.isEmpty()) {
        late.add(submit(g[0], longPrompt));
        w.awaitQueued(2);
      }
    }).build();
    self[0] = backend;
    g[0] = batched(backend, BatchingPolicy.builder().prefillChunkTokens(4).build());
    g[0].scheduler().observer(w);
    GenerationRequest running = greedy(12, 3, 4);
    GenerationResult r = g[0].generate(running);
    TextGenerator plain = TextGenerator.builder(reference).build();
    assertThat(r.sequences()).isEqualTo(plain.generate(running).sequences());
    assertThat(late.get(0).get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(longPrompt).sequences());
    List<String> log = backend.passes().stream().map(p -> (p.prefill() ? "P" + p.tokens() : "S" + p.rows()))
        .toList();
    assertThat(log.subList(0, 8)).containsExactly("P2", "S1", "P4", "S1", "P4", "S1", "P2", "S2");
  }

  @Test
  void contextLength_boundsThePaddedBatch_soALateCallWaitsForAFreshBatch() throws Exception {
    int vocab = 64;
    ToyBackend reference = ToyBackend.builder().logits(successor(vocab)).contextLength(32).build();
    QueueWatch w = new QueueWatch();
    ToyBackend[] self = new ToyBackend[1];
    TextGenerator[] g = new TextGenerator[1];
    List<Future<GenerationResult>> late = new CopyOnWriteArrayList<>();
    GenerationRequest second = greedy(25, 40, 41);
    ToyBackend backend = ToyBackend.builder().logits(successor(vocab)).contextLength(32).onForwardPass(i -> {
      List<ToyBackend.Pass> p = self[0].passes();
      if (!p.get(p.size() - 1).prefill() && p.size() == 11 && late.isEmpty()) {
        late.add(submit(g[0], second)); // at step 10 of the first call: 12 + 25 > 32 positions
        w.awaitQueued(2);
      }
    }).build();
    self[0] = backend;
    g[0] = batched(backend);
    g[0].scheduler().observer(w);
    GenerationRequest first = greedy(25, 3, 4);
    GenerationResult r = g[0].generate(first);
    TextGenerator plain = TextGenerator.builder(reference).build();
    assertThat(r.sequences()).isEqualTo(plain.generate(first).sequences());
    assertThat(late.get(0).get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(second).sequences());
    assertThat(w.maxStepRows()).isEqualTo(1);
    assertThat(w.closed.get()).isEqualTo(2);
    // the second call starts a fresh batch: its first step sees its own 2 positions, not 26 + padding
    int[] firstOfSecond = w.steps.get(24);
    assertThat(firstOfSecond[2]).isEqualTo(2);
  }

  @Test
  void maxWait_holdsTheFirstStepUntilTheBatchIsFull() throws Exception {
    assertThat(maxWaitPasses(true)).containsExactly("P3", "S3"); // the three prefilled in one pass
  }

  @Test
  void maxWait_withGroupedJoinsOff_prefillsEachWaitingCallInItsOwnPass() throws Exception {
    assertThat(maxWaitPasses(false)).containsExactly("P1", "P1", "P1", "S3");
  }

  /** Passes (P/S + rows) until the first step of three calls held by maxWait. */
  private List<String> maxWaitPasses(boolean grouped) throws Exception {
    ToyBackend backend = ToyBackend.builder().seed(2).build();
    ToyBackend reference = ToyBackend.builder().seed(2).build();
    // a long wait that never expires here: the batch starts as soon as 3 rows are waiting
    TextGenerator g = batched(backend, BatchingPolicy.builder().maxBatchRows(3).maxWait(Duration.ofSeconds(50))
        .groupedJoins(grouped).build());
    QueueWatch w = new QueueWatch();
    g.scheduler().observer(w);
    List<Future<GenerationResult>> futures = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      futures.add(submit(g, greedy(4, 5 + k, 6 + k)));
      w.awaitQueued(k + 1);
    }
    for (int k = 0; k < 3; k++) {
      assertThat(futures.get(k).get(30, TimeUnit.SECONDS).sequences())
          .isEqualTo(TextGenerator.builder(reference).build().generate(greedy(4, 5 + k, 6 + k)).sequences());
    }
    List<String> passes = backend.passes().stream().map(p -> (p.prefill() ? "P" : "S") + p.rows()).toList();
    return passes.subList(0, passes.indexOf("S3") + 1);
  }

  @Test
  void interrupt_ofACallingThread_cancelsItsCallAndKeepsTheInterrupt() throws Exception {
    Thread[] caller = new Thread[1];
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch stopping = new CountDownLatch(1);
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).onForwardPass(i -> {
      if (i == 4) { // the 4th step: interrupt the caller and hold the step until it asked to stop
        started.await();
        caller[0].interrupt();
        stopping.await();
      }
    }).build();
    TextGenerator g = batched(backend);
    g.scheduler().observer(new BatchObserver() {
      @Override
      public void stopRequested() {
        stopping.countDown();
      }
    });
    Future<Object[]> f = pool.submit(() -> {
      caller[0] = Thread.currentThread();
      started.countDown();
      GenerationResult r = g.generate(greedy(50, 5, 6));
      return new Object[] {r, Thread.currentThread().isInterrupted()};
    });
    Object[] out = f.get(30, TimeUnit.SECONDS);
    GenerationResult r = (GenerationResult) out[0];
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(r.first().generatedTokenIds()).containsExactly(7, 8, 9, 10, 11); // prefill + 4 steps
    assertThat(out[1]).isEqualTo(true);
  }

  @Test
  void generate_onABackendThatCannotMergeSessions_runsTheCallsOneAfterAnother() throws Exception {
    ToyBackend toy = ToyBackend.builder().seed(9).build();
    ToyBackend reference = ToyBackend.builder().seed(9).build();
    TextGenerator g = TextGenerator.builder(new LimitedBackend(toy, false, true))
        .batching(BatchingPolicy.defaults()).build();
    Random random = new Random(3);
    List<GenerationRequest> requests = new ArrayList<>();
    List<Future<GenerationResult>> futures = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      requests.add(randomRequest(random));
      futures.add(submit(g, requests.get(k)));
    }
    for (int k = 0; k < 6; k++) {
      assertThat(essence(futures.get(k).get(30, TimeUnit.SECONDS)))
          .isEqualTo(essence(TextGenerator.builder(reference).build().generate(requests.get(k))));
    }
    assertThat(toy.appends()).isZero();
    assertThat(toy.sessionsClosed()).isEqualTo(toy.sessionsOpened());
  }

  @Test
  void chunkedPrefill_onABackendThatCannotChunk_fallsBackToWholePrompts() throws Exception {
    ToyBackend toy = ToyBackend.builder().seed(10).build();
    ToyBackend reference = ToyBackend.builder().seed(10).build();
    TextGenerator g = TextGenerator.builder(new LimitedBackend(toy, true, false))
        .batching(BatchingPolicy.builder().prefillChunkTokens(2).build()).build();
    GenerationRequest first = greedy(6, 3, 4, 5, 6, 7);
    GenerationRequest second = greedy(6, 13, 14, 15, 16, 17, 18, 19);
    TextGenerator plain = TextGenerator.builder(reference).build();
    assertThat(g.generate(first).sequences()).isEqualTo(plain.generate(first).sequences());
    assertThat(g.generate(second).sequences()).isEqualTo(plain.generate(second).sequences());
    // first: a 2-token chunk, a refused chunk, then the whole prompt; second: whole at once
    assertThat(toy.passes().stream().filter(ToyBackend.Pass::prefill).map(ToyBackend.Pass::tokens).toList())
        .containsExactly(2, 5, 7);
  }

  /** Wraps a toy backend: optionally without {@code appendRows}, optionally refusing chunked prefill. */
  private static final class LimitedBackend implements TransformerBackend {
    private final ToyBackend toy;
    private final boolean merge;
    private final boolean chunk;

    LimitedBackend(ToyBackend toy, boolean merge, boolean chunk) {
      this.toy = toy;
      this.merge = merge;
      this.chunk = chunk;
    }

    @Override
    public ModelInfo modelInfo() {
      return toy.modelInfo();
    }

    @Override
    public DecoderSession openSession() {
      return new Limited(toy.openSession());
    }

    @Override
    public void close() {}

    private final class Limited extends ForwardingDecoderSession {
      Limited(DecoderSession s) {
        super(s);
      }

      @Override
      public Logits prefill(long[][] tokenIds, int[] leftPadding) {
        if (!chunk && delegate.cachedPositions() > 0 && tokenIds[0].length > 1) {
          throw new BackendException("limited backend: a multi-token block needs an empty cache");
        }
        return delegate.prefill(tokenIds, leftPadding);
      }

      @Override
      public void appendRows(DecoderSession other) {
        if (!merge) {
          throw new UnsupportedOperationException("limited backend cannot merge");
        }
        super.appendRows(other);
      }
    }
  }

  @Test
  void listeners_getOneStartAndOneEndPerCall_onTheCallingThread() throws Exception {
    ToyBackend backend = ToyBackend.builder().seed(12).build();
    Map<String, List<String>> threads = new ConcurrentHashMap<>();
    List<String> events = new CopyOnWriteArrayList<>();
    CostListener l = recording(events);
    TextGenerator g = TextGenerator.builder(backend).batching(BatchingPolicy.defaults()).addListener(l)
        .addListener(new CostListener() {
          @Override
          public void onStart(CallContext c, CostReport e) {
            threads.computeIfAbsent(c.requestId(), k -> new CopyOnWriteArrayList<>()).add(Thread.currentThread().getName());
          }

          @Override
          public void onToken(CallContext c, int n) {
            threads.get(c.requestId()).add(Thread.currentThread().getName());
          }

          @Override
          public void onComplete(CallContext c, GenerationResult r) {
            threads.get(c.requestId()).add(Thread.currentThread().getName());
          }
        }).build();
    List<Future<GenerationResult>> futures = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      GenerationRequest r = named("r" + k, greedy(5 + k, 3 + k));
      futures.add(pool.submit(() -> g.generate(r)));
    }
    for (Future<GenerationResult> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    for (int k = 0; k < 8; k++) {
      assertThat(events).containsOnlyOnce("start:r" + k, "complete:r" + k);
      assertThat(Collections.frequency(threads.get("r" + k), threads.get("r" + k).get(0)))
          .as("every event of r%d on its calling thread", k).isEqualTo(threads.get("r" + k).size());
      assertThat(threads.get("r" + k).get(0)).doesNotStartWith("costgen-batching");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static GenerationRequest named(String id, GenerationRequest r) {
    return r.toBuilder().context(new CallContext(java.util.Optional.empty(), id, Map.of())).build();
  }

  private static CostListener recording(List<String> events) {
    return recording(events, new ConcurrentHashMap<>());
  }

  private static CostListener recording(List<String> events, Map<String, CostReport> partial) {
    return new CostListener() {
      @Override
      public void onStart(CallContext c, CostReport estimate) {
        events.add("start:" + c.requestId());
      }

      @Override
      public void onComplete(CallContext c, GenerationResult r) {
        events.add("complete:" + c.requestId());
      }

      @Override
      public void onError(CallContext c, Throwable error, CostReport p) {
        events.add("error:" + c.requestId());
        partial.put(c.requestId(), p);
      }

      @Override
      public void onCancel(CallContext c, GenerationResult r) {
        events.add("cancel:" + c.requestId());
      }
    };
  }
}

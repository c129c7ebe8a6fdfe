package io.costgen.core;

import static io.costgen.core.TextGeneratorTest.greedy;
import static io.costgen.core.TextGeneratorTest.successor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.testing.FakeTicker;
import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Cost listeners, cancellation, deadlines and failures: every onStart gets exactly one terminal event. */
class GenerationLifecycleTest {

  /** Records events as strings. */
  static final class Recorder implements CostListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile CostReport partial;
    volatile GenerationResult finalResult;

    @Override
    public void onStart(CallContext c, CostReport estimate) {
      events.add("start");
    }

    @Override
    public void onToken(CallContext c, int tokensSoFar) {
      events.add("token " + tokensSoFar);
    }

    @Override
    public void onComplete(CallContext c, GenerationResult r) {
      finalResult = r;
      events.add("complete");
    }

    @Override
    public void onError(CallContext c, Throwable e, CostReport p) {
      partial = p;
      events.add("error " + e.getClass().getSimpleName());
    }

    @Override
    public void onCancel(CallContext c, GenerationResult r) {
      finalResult = r;
      events.add("cancel");
    }

    long terminals() {
      return events.stream().filter(e -> e.equals("complete") || e.startsWith("error") || e.equals("cancel")).count();
    }
  }

  static ToyBackend.Builder counting() {
    return ToyBackend.builder().logits(successor(64)).eosTokenIds(99);
  }

  @Test
  void listener_getsStartTokensAndComplete_inOrder() {
    Recorder rec = new Recorder();
    GenerationResult r = TextGenerator.builder(counting().build()).addListener(rec).build()
        .generate(new long[][] {{1}, {5}}, greedy(3));
    assertThat(rec.events).containsExactly("start", "token 2", "token 4", "token 6", "complete");
    assertThat(rec.finalResult).isSameAs(r);
  }

  @Test
  void listener_pairsStartWithError_whenTheBackendFails_andTheSessionIsClosed() {
    Recorder rec = new Recorder();
    ToyBackend backend = counting().failAtForwardPass(2).build();
    TextGenerator g = TextGenerator.builder(backend).addListener(rec).build();
    assertThatThrownBy(() -> g.generate(new long[][] {{1, 2, 3}}, greedy(10)))
        .isInstanceOf(BackendException.class).hasMessageContaining("forward pass 2");
    assertThat(rec.events).containsExactly("start", "token 1", "token 2", "error BackendException");
    assertThat(rec.partial.usage().promptTokens()).isEqualTo(3);
    assertThat(rec.partial.usage().completionTokens()).isEqualTo(2);
    assertThat(rec.partial.usage().decodeSteps()).isEqualTo(1);
    assertThat(backend.sessionsClosed()).isEqualTo(backend.sessionsOpened()).isEqualTo(1);
  }

  @Test
  void listener_pairsStartWithError_whenAUserProcessorThrows() {
    Recorder rec = new Recorder();
    ToyBackend backend = counting().build();
    IllegalStateException boom = new IllegalStateException("boom");
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {1}).config(greedy(5))
        .addLogitsProcessor((t, n, p, s) -> {
          throw boom;
        }).build();
    assertThatThrownBy(() -> TextGenerator.builder(backend).addListener(rec).build().generate(req)).isSameAs(boom);
    assertThat(rec.events).containsExactly("start", "error IllegalStateException");
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void throwingListener_changesNothing_andLaterListenersStillRun() {
    CostListener bad = new CostListener() {
      @Override
      public void onStart(CallContext c, CostReport e) {
        throw new RuntimeException("listener bug");
      }

      @Override
      public void onToken(CallContext c, int n) {
        throw new RuntimeException("listener bug");
      }

      @Override
      public void onComplete(CallContext c, GenerationResult r) {
        throw new RuntimeException("listener bug");
      }
    };
    Recorder rec = new Recorder();
    ToyBackend backend = ToyBackend.builder().build();
    GenerationConfig c = TextGeneratorTest.sampling(12, 4);
    GenerationResult plain = TextGenerator.builder(backend).build().generate(new long[][] {{1, 2}}, c);
    GenerationResult guarded = TextGenerator.builder(backend).addListener(bad).addListener(rec).build()
        .generate(new long[][] {{1, 2}}, c);
    assertThat(guarded.sequences()).isEqualTo(plain.sequences());
    assertThat(guarded.usage().completionTokens()).isEqualTo(plain.usage().completionTokens());
    assertThat(rec.events).startsWith("start").endsWith("complete");
  }

  @Test
  void cancellation_fromAnotherThread_abortsTheRunningForwardPass_andReturnsWhatWasGenerated() throws Exception {
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ToyBackend backend = counting().onForwardPass(i -> {
      if (i == 3) {
        reached.countDown();
        release.await();
      }
    }).build();
    Recorder rec = new Recorder();
    TextGenerator g = TextGenerator.builder(backend).addListener(rec).build();
    Cancellation cancel = Cancellation.create();
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {10}).config(greedy(50))
        .cancellation(cancel).build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<GenerationResult> f = pool.submit(() -> g.generate(req));
      assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
      cancel.cancel();
      release.countDown();
      GenerationResult r = f.get(10, TimeUnit.SECONDS);
      // passes 0..2 produced 3 tokens; pass 3 was aborted
      assertThat(r.first().generatedTokenIds()).containsExactly(11, 12, 13);
      assertThat(r.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(rec.events).startsWith("start").endsWith("cancel");
      assertThat(rec.terminals()).isEqualTo(1);
      assertThat(rec.finalResult).isSameAs(r);
      assertThat(backend.sessionsClosed()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void cancellation_fromTheTokenCallback_stopsAfterThatStep() {
    Cancellation cancel = Cancellation.create();
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {10}).config(greedy(50))
        .cancellation(cancel).onToken(t -> {
          if (t.tokenIndex() == 1) {
            cancel.cancel();
          }
        }).build();
    ToyBackend backend = counting().build();
    GenerationResult r = TextGenerator.builder(backend).build().generate(req);
    assertThat(r.first().generatedTokenIds()).containsExactly(11, 12);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(backend.forwardPasses()).isEqualTo(2);
  }

  @Test
  void cancelledBeforeStart_runsNoForwardPass_butPairsEvents() {
    Cancellation cancel = Cancellation.create();
    cancel.cancel();
    Recorder rec = new Recorder();
    ToyBackend backend = counting().build();
    GenerationResult r = TextGenerator.builder(backend).addListener(rec).build()
        .generate(GenerationRequest.builder().tokenIds(new long[] {1, 2}).config(greedy(5)).cancellation(cancel).build());
    assertThat(r.first().tokenIds()).containsExactly(1, 2);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(backend.forwardPasses()).isZero();
    assertThat(rec.events).containsExactly("start", "cancel");
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void deadline_relative_endsWithDeadline_checkedAfterEachForwardPass() {
    FakeTicker ticker = new FakeTicker();
    ToyBackend backend = counting().onForwardPass(i -> ticker.advance(Duration.ofMillis(10))).build();
    Recorder rec = new Recorder();
    GenerationResult r = TextGenerator.builder(backend).ticker(ticker).addListener(rec).build().generate(
        GenerationRequest.builder().tokenIds(new long[] {10}).config(greedy(50)).deadline(Duration.ofMillis(35)).build());
    // passes end at 10, 20, 30, 40 ms; after the 4th the deadline has passed
    assertThat(r.first().generatedTokenIds()).containsExactly(11, 12, 13, 14);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.DEADLINE);
    assertThat(rec.events).endsWith("complete");
  }

  @Test
  void deadline_absolute_usesTheGeneratorClock() {
    FakeTicker ticker = new FakeTicker();
    Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    ToyBackend backend = counting().onForwardPass(i -> ticker.advance(Duration.ofMillis(10))).build();
    GenerationResult r = TextGenerator.builder(backend).ticker(ticker).clock(clock).build().generate(
        GenerationRequest.builder().tokenIds(new long[] {10}).config(greedy(50))
            .deadline(Instant.parse("2030-01-01T00:00:00.025Z")).build());
    assertThat(r.first().generatedTokenIds()).containsExactly(11, 12, 13);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.DEADLINE);
  }

  @Test
  void maxTime_endsTheCallLikeHuggingFaceMaxTimeCriteria() {
    FakeTicker ticker = new FakeTicker();
    ToyBackend backend = counting().onForwardPass(i -> ticker.advance(Duration.ofMillis(10))).build();
    GenerationResult r = TextGenerator.builder(backend).ticker(ticker).build().generate(new long[][] {{10}, {20}},
        GenerationConfig.builder().maxNewTokens(50).maxTime(Duration.ofMillis(25)).build());
    assertThat(r.sequences()).allSatisfy(s -> {
      assertThat(s.generatedLength()).isEqualTo(3);
      assertThat(s.finishReason()).isEqualTo(FinishReason.DEADLINE);
    });
  }

  @Test
  void tokenCallback_throwing_isIgnored() {
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {10}).config(greedy(4)).onToken(t -> {
      throw new RuntimeException("callback bug");
    }).build();
    GenerationResult r = TextGenerator.builder(counting().build()).build().generate(req);
    assertThat(r.first().generatedTokenIds()).containsExactly(11, 12, 13, 14);
  }
}

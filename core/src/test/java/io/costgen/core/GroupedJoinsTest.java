package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.internal.batching.BatchObserver;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.testing.ForwardingDecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import io.costgen.core.testing.FakeTicker;
import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Grouped joins ({@link BatchingPolicy#groupedJoins}): calls that arrive while a batch runs and
 * are admitted in the same iteration are prefilled in one multi-row pass (in chunks) and join the
 * batch together, each with exactly its unbatched result, its share of the device time, and its
 * own cancellation and failure.
 */
class GroupedJoinsTest {

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static final int VOCAB = 64;

  /** Next token = last + 1: predictable streams, a poisoned token is reached only on purpose. */
  private static ToyBackend.LogitsFunction successor() {
    return (tokens, length, out) -> {
      Arrays.fill(out, 0f);
      out[(int) ((tokens[length - 1] + 1) % VOCAB)] = 5f;
    };
  }

  private static GenerationRequest greedy(String id, int maxNew, long... prompt) {
    return named(id, GenerationRequest.builder().tokenIds(prompt)
        .config(GenerationConfig.builder().maxNewTokens(maxNew).build()).build());
  }

  private static GenerationRequest named(String id, GenerationRequest r) {
    return r.toBuilder().context(new CallContext(Optional.empty(), id, Map.of())).build();
  }

  private static List<Object> essence(GenerationResult r) {
    Usage u = r.usage();
    return List.of(r.sequences(), u.promptTokens(), u.completionTokens(), u.decodeSteps(), u.prefillFlops(),
        u.decodeFlops(), u.sequences());
  }

  /** Passes as "P" (prefill) or "S" (step) + rows, in order. */
  private static List<String> passes(ToyBackend backend) {
    return backend.passes().stream().map(p -> (p.prefill() ? "P" : "S") + p.rows()).toList();
  }

  /**
   * A first call runs alone; while its first batched step runs, every joiner is submitted and
   * queued, so they are all admitted in the next iteration.
   */
  private final class Scenario implements BatchObserver {
    final ToyBackend backend;
    final TextGenerator generator;
    final List<Future<GenerationResult>> joined = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final Map<String, Double> deviceSeconds = new ConcurrentHashMap<>();
    final long[] measuredNanos = new long[1];
    private final AtomicInteger queued = new AtomicInteger();

    Scenario(ToyBackend.Builder builder, BatchingPolicy policy, List<GenerationRequest> joiners,
        ToyBackend.ForwardHook more) {
      this(builder, policy, joiners, more, b -> b);
    }

    Scenario(ToyBackend.Builder builder, BatchingPolicy policy, List<GenerationRequest> joiners,
        ToyBackend.ForwardHook more, java.util.function.UnaryOperator<TransformerBackend> wrap) {
      FakeTicker ticker = new FakeTicker();
      ToyBackend[] self = new ToyBackend[1];
      TextGenerator[] g = new TextGenerator[1];
      backend = builder.onForwardPass(i -> {
        long d = 1_000_000L * (1 + i % 5) + 7; // uneven, so shares do not divide evenly
        synchronized (measuredNanos) {
          measuredNanos[0] += d;
        }
        ticker.advance(Duration.ofNanos(d));
        List<ToyBackend.Pass> p = self[0].passes();
        if (!p.get(p.size() - 1).prefill() && joined.isEmpty()) {
          for (GenerationRequest r : joiners) {
            joined.add(pool.submit(() -> g[0].generate(r)));
          }
          awaitQueued(1 + joiners.size());
        }
        more.beforeForward(i);
      }).build();
      self[0] = backend;
      g[0] = TextGenerator.builder(wrap.apply(backend)).ticker(ticker).batching(policy).addListener(new CostListener() {
        @Override
        public void onComplete(CallContext c, GenerationResult r) {
          events.add("complete:" + c.requestId());
          deviceSeconds.put(c.requestId(), r.usage().deviceSeconds());
        }

        @Override
        public void onError(CallContext c, Throwable error, CostReport partial) {
          events.add("error:" + c.requestId());
          deviceSeconds.put(c.requestId(), partial.usage().deviceSeconds());
        }

        @Override
        public void onCancel(CallContext c, GenerationResult r) {
          events.add("cancel:" + c.requestId());
          deviceSeconds.put(c.requestId(), r.usage().deviceSeconds());
        }
      }).build();
      generator = g[0];
      generator.scheduler().observer(this);
    }

    @Override
    public void queued(int waiting) {
      queued.incrementAndGet();
      synchronized (this) {
        notifyAll();
      }
    }

    synchronized void awaitQueued(int n) throws InterruptedException {
      while (queued.get() < n) {
        wait();
      }
    }

    void assertDeviceTimeSumsToTheMeasuredTime(int calls) {
      assertThat(deviceSeconds).hasSize(calls);
      double sum = deviceSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
      assertThat(sum).isCloseTo(measuredNanos[0] / 1e9, within(1e-9));
    }
  }

  private static List<GenerationRequest> mixedJoiners() {
    List<GenerationRequest> out = new ArrayList<>();
    out.add(greedy("greedy", 6, 11, 12, 13));
    out.add(named("twoPrompts", GenerationRequest.builder().tokenIds(new long[][] {{21, 22, 23, 24, 25}, {26, 27}})
        .config(GenerationConfig.builder().maxNewTokens(4).build()).build()));
    out.add(named("beams", GenerationRequest.builder().tokenIds(new long[] {31, 32, 33, 34})
        .config(GenerationConfig.builder().maxNewTokens(5).numBeams(2).numReturnSequences(2).build()).build()));
    out.add(named("sampled", GenerationRequest.builder().tokenIds(new long[] {41})
        .config(GenerationConfig.builder().maxNewTokens(7).doSample(true).seed(17).numReturnSequences(2).build())
        .build()));
    out.add(greedy("oneToken", 1, 51, 52, 53, 54, 55, 56)); // ends at its first selection, before joining
    return out;
  }

  @Test
  void callsAdmittedInOneIteration_arePrefilledInOnePass_andEqualTheirUnbatchedResults() throws Exception {
    List<GenerationRequest> joiners = mixedJoiners();
    Scenario s = new Scenario(ToyBackend.builder().seed(12), BatchingPolicy.defaults(), joiners, i -> { });
    GenerationRequest first = greedy("first", 20, 7, 8, 9);
    GenerationResult firstResult = s.generator.generate(first);

    TextGenerator plain = TextGenerator.builder(ToyBackend.builder().seed(12).build()).build();
    assertThat(essence(firstResult)).isEqualTo(essence(plain.generate(first)));
    for (int k = 0; k < joiners.size(); k++) {
      assertThat(essence(s.joined.get(k).get(30, TimeUnit.SECONDS))).as("joiner %d", k)
          .isEqualTo(essence(plain.generate(joiners.get(k))));
    }
    List<String> passes = passes(s.backend);
    // the first call's prefill, then ONE prefill of the five joiners' six prompt rows
    assertThat(passes.stream().filter(p -> p.startsWith("P")).toList()).containsExactly("P1", "P6");
    // then the group joins at once: 1 + 1 + 2 + 2 beams + 2 copies rows (the one-token call ended)
    assertThat(passes.subList(0, 4)).containsExactly("P1", "S1", "P6", "S8");
    assertThat(s.backend.appends()).as("the group joins in one append").isEqualTo(1);
    assertThat(s.backend.sessionsClosed()).isEqualTo(s.backend.sessionsOpened());
    s.assertDeviceTimeSumsToTheMeasuredTime(1 + joiners.size());
  }

  @Test
  void groupedJoinsOff_prefillsEveryJoiningCallInItsOwnPass_withTheSameResults() throws Exception {
    List<GenerationRequest> joiners = mixedJoiners();
    Scenario s = new Scenario(ToyBackend.builder().seed(12),
        BatchingPolicy.builder().groupedJoins(false).build(), joiners, i -> { });
    s.generator.generate(greedy("first", 20, 7, 8, 9));
    TextGenerator plain = TextGenerator.builder(ToyBackend.builder().seed(12).build()).build();
    for (int k = 0; k < joiners.size(); k++) {
      assertThat(essence(s.joined.get(k).get(30, TimeUnit.SECONDS))).as("joiner %d", k)
          .isEqualTo(essence(plain.generate(joiners.get(k))));
    }
    assertThat(passes(s.backend).stream().filter(p -> p.startsWith("P")).toList())
        .containsExactlyInAnyOrder("P1", "P1", "P2", "P1", "P1", "P1"); // arrival order varies
  }

  private static List<GenerationRequest> threeJoiners(GenerationRequest second) {
    return List.of(greedy("a", 5, 10, 11, 12, 13, 14, 15, 16, 17), second, greedy("c", 6, 30, 31, 32, 33, 34, 35));
  }

  @Test
  void aLongGroup_isPrefilledInChunksOfTheTokenBudget_betweenSteps() throws Exception {
    // widths 8, 7, 6: the first chunk needs 3 rows x 3 columns (a real token in every row) <= 12;
    // 12 tokens / 3 rows = 4 columns per chunk: two chunks, a step of the running call between
    List<GenerationRequest> joiners = threeJoiners(greedy("b", 3, 20, 21, 22, 23, 24, 25, 26));
    Scenario s = new Scenario(ToyBackend.builder().logits(successor()),
        BatchingPolicy.builder().prefillChunkTokens(12).build(), joiners, i -> { });
    GenerationRequest first = greedy("first", 12, 3, 4);
    s.generator.generate(first);
    TextGenerator plain = TextGenerator.builder(ToyBackend.builder().logits(successor()).build()).build();
    for (int k = 0; k < joiners.size(); k++) {
      assertThat(s.joined.get(k).get(30, TimeUnit.SECONDS).sequences()).as("joiner %d", k)
          .isEqualTo(plain.generate(joiners.get(k)).sequences());
    }
    assertThat(passes(s.backend).subList(0, 6)).containsExactly("P1", "S1", "P3", "S1", "P3", "S4");
    assertThat(s.backend.passes().get(2).tokens()).isEqualTo(4);
    assertThat(s.backend.passes().get(4).tokens()).isEqualTo(4);
    s.assertDeviceTimeSumsToTheMeasuredTime(4);
  }

  @Test
  void cancel_ofOneGroupedCallDuringTheGroupPrefill_neitherAbortsNorChangesTheOthers() throws Exception {
    Cancellation cancelB = Cancellation.create();
    GenerationRequest b = greedy("b", 3, 20, 21, 22, 23, 24, 25, 26).toBuilder().cancellation(cancelB).build();
    List<GenerationRequest> joiners = threeJoiners(b);
    AtomicInteger groupPasses = new AtomicInteger();
    ToyBackend[] self = new ToyBackend[1];
    Scenario s = new Scenario(ToyBackend.builder().logits(successor()),
        BatchingPolicy.builder().prefillChunkTokens(12).build(), joiners, i -> {
          List<ToyBackend.Pass> p = self[0].passes();
          ToyBackend.Pass last = p.get(p.size() - 1);
          if (last.prefill() && last.rows() == 3 && groupPasses.incrementAndGet() == 1) {
            cancelB.cancel(); // during the group's first chunk
          }
        });
    self[0] = s.backend;
    s.generator.generate(greedy("first", 12, 3, 4));
    TextGenerator plain = TextGenerator.builder(ToyBackend.builder().logits(successor()).build()).build();
    GenerationResult cancelled = s.joined.get(1).get(30, TimeUnit.SECONDS);
    assertThat(cancelled.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(cancelled.first().generatedLength()).isZero();
    for (int k : new int[] {0, 2}) {
      assertThat(s.joined.get(k).get(30, TimeUnit.SECONDS).sequences()).as("joiner %d", k)
          .isEqualTo(plain.generate(joiners.get(k)).sequences());
    }
    // the group's passes ran to the end (B's rows fed on); B's rows were dropped before joining
    assertThat(passes(s.backend).subList(0, 6)).containsExactly("P1", "S1", "P3", "S1", "P3", "S3");
    assertThat(s.events).contains("cancel:b", "complete:a", "complete:c").doesNotContain("error:a", "error:c");
    assertThat(s.backend.sessionsClosed()).isEqualTo(s.backend.sessionsOpened());
    s.assertDeviceTimeSumsToTheMeasuredTime(4);
  }

  @Test
  void backendError_inAGroupPrefill_prefillsEachCallAlone_andFailsOnlyTheCallThatFailsAlone() throws Exception {
    GenerationRequest poisoned = greedy("b", 4, 48, 49, 50); // token 50 fails every pass that feeds it
    List<GenerationRequest> joiners = List.of(greedy("a", 5, 10, 11, 12), poisoned, greedy("c", 6, 30, 31));
    Scenario s = new Scenario(ToyBackend.builder().logits(successor()).failOnToken(50), BatchingPolicy.defaults(),
        joiners, i -> { });
    GenerationRequest first = greedy("first", 12, 3, 4);
    TextGenerator plain = TextGenerator.builder(ToyBackend.builder().logits(successor()).build()).build();
    assertThat(s.generator.generate(first).sequences()).isEqualTo(plain.generate(first).sequences());
    assertThat(s.joined.get(0).get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(joiners.get(0))
        .sequences());
    assertThat(s.joined.get(2).get(30, TimeUnit.SECONDS).sequences()).isEqualTo(plain.generate(joiners.get(2))
        .sequences());
    assertThatThrownBy(() -> s.joined.get(1).get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BackendException.class).hasMessageContaining("poisoned token 50");
    // the group's pass failed; then each call alone: two succeed, the poisoned one fails again
    assertThat(passes(s.backend).stream().filter(p -> p.startsWith("P")).toList())
        .containsExactly("P1", "P3", "P1", "P1", "P1");
    assertThat(s.events).containsExactlyInAnyOrder("complete:first", "complete:a", "error:b", "complete:c");
    assertThat(s.backend.sessionsClosed()).isEqualTo(s.backend.sessionsOpened());
    s.assertDeviceTimeSumsToTheMeasuredTime(4);
  }

  @Test
  void aBackendThatRejectsMultiRowPrefill_getsEveryCallPrefilledAlone_withTheSameResults() throws Exception {
    List<GenerationRequest> joiners = List.of(greedy("a", 5, 10, 11, 12), greedy("b", 4, 20, 21),
        greedy("c", 6, 30, 31, 32, 33));
    AtomicInteger rejected = new AtomicInteger();
    Scenario s = new Scenario(ToyBackend.builder().logits(successor()), BatchingPolicy.defaults(), joiners, i -> { },
        b -> new OneRowPrefillBackend(b, rejected));
    GenerationRequest first = greedy("first", 12, 3, 4);
    TextGenerator plain = TextGenerator.builder(ToyBackend.builder().logits(successor()).build()).build();
    assertThat(s.generator.generate(first).sequences()).isEqualTo(plain.generate(first).sequences());
    for (int k = 0; k < joiners.size(); k++) {
      assertThat(s.joined.get(k).get(30, TimeUnit.SECONDS).sequences()).as("joiner %d", k)
          .isEqualTo(plain.generate(joiners.get(k)).sequences());
    }
    assertThat(rejected.get()).as("the group's one multi-row prefill, then each call alone").isEqualTo(1);
    assertThat(passes(s.backend).stream().filter(p -> p.startsWith("P")).toList())
        .containsExactly("P1", "P1", "P1", "P1");
    assertThat(s.events).containsExactlyInAnyOrder("complete:first", "complete:a", "complete:b", "complete:c");
    assertThat(s.backend.sessionsClosed()).isEqualTo(s.backend.sessionsOpened());
  }

  /** A backend whose sessions reject a prefill of more than one row (as a graph without padding would). */
  private static final class OneRowPrefillBackend implements TransformerBackend {
    private final TransformerBackend backend;
    private final AtomicInteger rejected;

    OneRowPrefillBackend(TransformerBackend backend, AtomicInteger rejected) {
      this.backend = backend;
      this.rejected = rejected;
    }

    @Override
    public ModelInfo modelInfo() {
      return backend.modelInfo();
    }

    @Override
    public DecoderSession openSession() {
      return new Wrapped(backend.openSession());
    }

    private final class Wrapped extends ForwardingDecoderSession {
      Wrapped(DecoderSession s) {
        super(s);
      }

      @Override
      public Logits prefill(long[][] tokenIds, int[] leftPadding) {
        if (tokenIds.length > 1) {
          rejected.incrementAndGet();
          throw new IllegalArgumentException("tokenIds: " + tokenIds.length + " rows; this graph takes one");
        }
        return delegate.prefill(tokenIds, leftPadding);
      }
    }

    @Override
    public void close() {}
  }
}

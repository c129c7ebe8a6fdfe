package io.costgen.core;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.internal.BeamSearchDecoder;
import io.costgen.core.internal.DecodeContext;
import io.costgen.core.internal.DecodeHooks;
import io.costgen.core.internal.Decoder;
import io.costgen.core.internal.Hypothesis;
import io.costgen.core.internal.SamplingDecoder;
import io.costgen.core.internal.StopRules;
import io.costgen.core.internal.StopStringMatcher;
import io.costgen.core.internal.UsageCounter;
import io.costgen.core.internal.batching.BatchDemand;
import io.costgen.core.internal.batching.BatchMember;
import io.costgen.core.internal.batching.BatchScheduler;
import io.costgen.core.internal.batching.ScheduledCall;
import io.costgen.core.processor.LogitsProcessor;
import io.costgen.core.processor.LogitsProcessors;
import io.costgen.core.tokenizer.IncrementalDetokenizer;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.OnlineCorrection;
import io.costgen.cost.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation call, start to end, in one place:
 *
 * <ol>
 *   <li>{@link #begin()}: plan the call ({@link CallPlan}: resolve the config, tokenize and
 *       validate; errors here produce no listener events), estimate the cost, tell
 *       listeners {@code onStart}, open the backend session, build processors and the decoder;
 *   <li>{@link #advance()} until it returns false (prefill, then token selection and one forward
 *       pass at a time);
 *   <li>{@link #complete()} (result, usage, price, {@code onComplete} / {@code onCancel}) or
 *       {@link #fail(Throwable)} ({@code onError} with the partial price), both through
 *       {@link #terminate}, which closes the session and sends exactly one terminal event.
 * </ol>
 *
 * <p>Budget reservation belongs right before the session is opened in {@link #begin()}; settling
 * and metering belong in {@link #terminate}. Not thread-safe: driven by one thread at a time
 * (only cancellation comes from other threads).
 *
 * <p><b>Batched</b> ({@link TextGenerator.Builder#batching}): {@link #begin()} and
 * {@link #terminate} run on the caller's thread as above, but the session is the call's view of
 * the {@link BatchScheduler}'s batch and the decoder runs on the scheduler thread. The decoder's
 * token and step hooks are queued in a {@link BatchMailbox}; {@link #advance()} waits for them and delivers them
 * (streaming callbacks, {@code CostListener.onToken}) on the caller's thread, so a slow callback
 * never stalls the batch. {@code deviceSeconds} is the call's share of the measured passes.
 *
 * <p>Usage, timings and sequences are assembled by {@link ResultAssembler}.
 */
final class GenerationCall implements DecodeHooks, BatchMember {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationCall.class);

  private final TextGenerator generator;
  private final GenerationRequest request;
  private final Consumer<StreamedToken> sink;
  private final ModelInfo model;
  private final Ticker ticker;
  private final long startNanos;
  private final CallContext context;
  private final List<Cancellation> cancellations = new ArrayList<>(2);
  private final List<Cancellation.Registration> registrations = new ArrayList<>(2);

  private CallPlan plan;
  private GenerationConfig config;
  private ResultAssembler results;
  private UsageCounter usage;
  private DecoderSession session;
  private Decoder decoder;
  private IncrementalDetokenizer[] detokenizers;
  private int[] tokenCounts;
  private long firstTokenNanos = -1;
  private CallAccounting accounting;
  private int tokensSoFar;
  private long lastCheckNanos = -1;
  /** Whether this call's first pass is the generator's first (the bound adds the cold allowance). */
  private boolean coldStart;
  private double lastCheckFlops;
  private boolean started;
  private boolean terminated;
  /** The meter could not record the completed call; {@link #complete()} throws it. */
  private RuntimeException meterFailure;

  // batched calls only
  private ScheduledCall scheduled;
  private BatchMailbox mailbox;
  /** A stop asked for by the caller's thread (stream closed, thread interrupted). */
  private volatile FinishReason stopRequest;

  /**
   * @param sink receives streamed tokens in addition to the request's callback (TokenStream), or null
   * @param ownCancellation an extra cancellation handle (TokenStream's), or null
   */
  GenerationCall(TextGenerator generator, GenerationRequest request, Consumer<StreamedToken> sink,
      Cancellation ownCancellation) {
    this.generator = generator;
    this.request = request;
    this.sink = sink;
    this.model = generator.modelInfo();
    this.ticker = generator.ticker();
    this.startNanos = ticker.read();
    this.context = request.context();
    request.cancellation().ifPresent(cancellations::add);
    if (ownCancellation != null) {
      cancellations.add(ownCancellation);
    }
  }

  /** Runs the whole call synchronously. */
  GenerationResult run() {
    begin();
    while (advance()) {
      // one phase at a time
    }
    return complete();
  }

  // ------------------------------------------------------------------ 1. begin

  void begin() {
    plan = CallPlan.of(request, generator.defaults(), model, generator.tokenizer(),
        sink != null || request.onToken().isPresent(), startNanos, generator.clock());
    config = plan.config;
    results = new ResultAssembler(model, plan, generator.tokenizer(), startNanos);
    long promptTokens = plan.promptTokens();
    long maxNew = plan.maxNewTokens();
    int rows = plan.rows();
    BatchScheduler scheduler = generator.scheduler();
    BatchDemand demand = null;
    if (scheduler != null) {
      demand = new BatchDemand(rows, plan.longestPrompt(), (int) maxNew);
      scheduler.checkFits(demand); // a validation error: before any event
    }
    // A meter that cannot record fails the call here, before any work (and before any budget hold).
    generator.meter().ifPresent(io.costgen.cost.meter.Meter::checkReady);
    CostReport estimate = generator.costModel().estimate(model.shape(), promptTokens, maxNew, rows);
    // Budgets: reserve the bound before the backend is touched (a refusal throws here). The bound
    // covers the cold first pass when no pass has run on this generator yet.
    coldStart = generator.coldStart();
    accounting = CallAccounting.open(generator, context, model, promptTokens, maxNew,
        config.minNewTokens().orElse(0), rows, coldStart);
    if (accounting.shrunk()) {
      plan.capNewTokens(accounting.grantedNewTokens());
    }
    for (CostListener l : generator.listeners()) {
      guard(l, "onStart", () -> l.onStart(context, estimate));
    }
    started = true;
    // From here on every path ends in terminate(): exactly one terminal event.
    try {
      usage = new UsageCounter(model.shape(), model.weightDtype(), model.kvCacheDtype());
      if (scheduler != null) {
        mailbox = new BatchMailbox(this::emitToken, this::emitStep);
        scheduled = scheduler.open(this, demand);
        session = scheduled.session();
      } else {
        session = generator.backend().openSession();
      }
      for (Cancellation c : cancellations) {
        registrations.add(c.onCancel(session::cancel));
      }
      decoder = newDecoder();
      if (scheduled != null) {
        scheduled.start(decoder); // the scheduler thread drives the decoder from here on
      }
    } catch (Throwable t) {
      throw fail(t);
    }
  }

  private Decoder newDecoder() {
    List<LogitsProcessor> processors = LogitsProcessors.forConfig(config, request.logitsProcessors());
    StopStringMatcher stopStrings = config.stopStrings().isEmpty()
        ? null : new StopStringMatcher(generator.tokenizer().get(), config.stopStrings());
    StopRules rules = new StopRules(config.eosTokenIds(), stopStrings, request.stoppingCriteria());
    long pad = config.padTokenId().orElse(0);
    long padInput = pad < model.vocabSize() ? pad : 0; // padding ids are ignored, but must be embeddable
    DecodeContext ctx = new DecodeContext(session, model.vocabSize(), plan.prompts, plan.maxLengths, padInput,
        processors, rules, usage, this);
    long seed = config.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    int rows = plan.inputs() * plan.copies;
    tokenCounts = new int[rows];
    if (plan.streaming && generator.tokenizer().isPresent()) {
      detokenizers = new IncrementalDetokenizer[rows];
      for (int r = 0; r < rows; r++) {
        detokenizers[r] = new IncrementalDetokenizer(generator.tokenizer().get(), plan.prompts.get(r / plan.copies));
      }
    }
    if (config.isBeamSearch()) {
      return new BeamSearchDecoder(ctx, config.numBeams(), config.numReturnSequences(), config.doSample(),
          config.lengthPenalty(), config.earlyStopping(), seed);
    }
    return new SamplingDecoder(ctx, plan.copies, config.doSample(), seed);
  }

  // ------------------------------------------------------------------ 2. advance

  /**
   * Runs the next phase (batched: waits for the scheduler's next events and delivers them);
   * false once the call has nothing left to do.
   */
  boolean advance() {
    if (scheduled != null) {
      return awaitBatchEvents();
    }
    try {
      return decoder.advance();
    } catch (Throwable t) {
      throw fail(t);
    }
  }

  /** Ends the unfinished sequences now (stream closed); the call can then {@link #complete()}. */
  void stopNow(FinishReason reason) {
    if (scheduled != null) {
      stopRequest = reason;
      scheduled.wake();
      while (awaitBatchEvents()) {
        // the scheduler stops the call at its next iteration
      }
      return;
    }
    decoder.stop(reason);
  }

  // ------------------------------------------------------------------ batched: events

  /** Scheduler thread: the call left the scheduler (done, or failed with {@code error}). */
  @Override
  public void batchDone(Throwable error) {
    mailbox.done(error);
  }

  /**
   * Waits until the scheduler queued events or finished the call, and delivers the events on
   * this thread. An interrupt stops the call (as a cancellation) and is restored afterwards.
   *
   * @return false once the scheduler is done with the call
   */
  private boolean awaitBatchEvents() {
    boolean more = mailbox.deliver(() -> {
      stopRequest = FinishReason.CANCELLED;
      session.cancel(); // wakes the scheduler; aborts the call's own prefill if one runs
    });
    if (!more && mailbox.error() != null) {
      throw fail(mailbox.error());
    }
    return more;
  }

  @Override
  public UsageCounter usageCounter() {
    return usage;
  }

  @Override
  public String name() {
    return "request " + context.requestId();
  }

  // ------------------------------------------------------------------ DecodeHooks

  @Override
  public FinishReason pollStop() {
    if (isCancelled()) {
      return FinishReason.CANCELLED;
    }
    FinishReason requested = stopRequest;
    if (requested != null) {
      return requested;
    }
    long now = ticker.read();
    if (now - plan.deadlineNanos >= 0 && plan.deadlineNanos != Long.MAX_VALUE) {
      return FinishReason.DEADLINE;
    }
    if (plan.maxTimeNanos != Long.MAX_VALUE && now - startNanos > plan.maxTimeNanos) {
      return FinishReason.DEADLINE;
    }
    if (accounting != null && accounting.checksSpend() && usage != null && !admitsNextStep(now)) {
      return FinishReason.BUDGET;
    }
    return null;
  }

  /** Projects the usage after one more step like the last one and asks the reservation. */
  private boolean admitsNextStep(long now) {
    double flops = usage.prefillFlops() + usage.decodeFlops();
    // Device time so far: wall time, or (batched) this call's share of the measured passes.
    long busyNanos = scheduled != null ? scheduled.deviceNanos() : now - startNanos;
    long stepNanos = lastCheckNanos < 0 ? busyNanos : busyNanos - lastCheckNanos;
    double stepFlops = flops - lastCheckFlops;
    lastCheckNanos = busyNanos;
    lastCheckFlops = flops;
    // The next pass cannot be interrupted: project it at the larger of the last measured step and
    // the cost model's bound for that pass (the prompt pass first, cold-aware; then one decode step).
    boolean prefilled = usage.prefillFlops() > 0 || usage.decodeSteps() > 0;
    int rows = plan.rows();
    long longestPrompt = plan.longestPrompt();
    double passBound = generator.costModel().passBoundSeconds(model.shape(),
        prefilled ? 1 : longestPrompt, prefilled ? longestPrompt + usage.decodeSteps() : 0, rows,
        !prefilled && coldStart) / Math.max(1, model.devices());
    stepNanos = Math.max(stepNanos, (long) Math.min(Long.MAX_VALUE / 4, passBound * 1e9));
    double wall = (busyNanos + stepNanos) / 1e9;
    long promptTokens = plan.promptTokens();
    long completionTokens = tokensSoFar + (long) rows;
    int sequences = plan.inputs() * plan.copies;
    long decodeSteps = usage.decodeSteps() + 1;
    double decodeFlops = usage.decodeFlops() + stepFlops;
    // Within the worst case the reservation holds (the usual case): answered without building
    // the projected Usage (one per step) or pricing it.
    if (accounting.coveredWithoutPricing(model.shape(), promptTokens, completionTokens, sequences,
        decodeSteps, usage.prefillFlops(), decodeFlops, usage.bytesMoved(), wall,
        wall * model.devices(), model.devices())) {
      return true;
    }
    Usage projected = Usage.builder().model(model.shape()).promptTokens(promptTokens)
        .completionTokens(completionTokens)
        .sequences(sequences).decodeSteps(decodeSteps)
        .prefillFlops(usage.prefillFlops()).decodeFlops(decodeFlops)
        .bytesMoved(usage.bytesMoved()).wallSeconds(wall).deviceSeconds(wall * model.devices())
        .devices(model.devices()).build();
    return accounting.admitsNextStep(projected);
  }

  @Override
  public FinishReason abortReason() {
    FinishReason r = pollStop();
    return r == null ? FinishReason.CANCELLED : r;
  }

  @Override
  public void onToken(int row, long tokenId, FinishReason finish) {
    if (firstTokenNanos < 0) {
      firstTokenNanos = ticker.read();
    }
    if (sink == null && request.onToken().isEmpty()) {
      return;
    }
    if (scheduled != null) {
      mailbox.postToken(row, tokenId, finish);
      return;
    }
    emitToken(row, tokenId, finish);
  }

  /** Streams one token (caller's thread). */
  private void emitToken(int row, long tokenId, FinishReason finish) {
    String text = "";
    if (detokenizers != null) {
      IncrementalDetokenizer d = detokenizers[row];
      text = d.add(tokenId);
      if (finish != null) {
        text = text + d.finish();
      }
    }
    StreamedToken token = new StreamedToken(row, row / plan.copies, tokenCounts[row]++, tokenId, text,
        Optional.ofNullable(finish));
    if (sink != null) {
      sink.accept(token);
    }
    request.onToken().ifPresent(cb -> {
      try {
        cb.onToken(token);
      } catch (RuntimeException e) {
        LOG.warn("token callback threw; ignored (request {})", context.requestId(), e);
      }
    });
  }

  @Override
  public void onStep(int tokensSoFar) {
    this.tokensSoFar = tokensSoFar;
    if (firstTokenNanos < 0) {
      firstTokenNanos = ticker.read();
    }
    if (generator.listeners().isEmpty()) {
      return;
    }
    if (scheduled != null) {
      mailbox.postStep(tokensSoFar);
      return;
    }
    emitStep(tokensSoFar);
  }

  private void emitStep(int tokensSoFar) {
    for (CostListener l : generator.listeners()) {
      guard(l, "onToken", () -> l.onToken(context, tokensSoFar));
    }
  }

  private boolean isCancelled() {
    for (Cancellation c : cancellations) {
      if (c.isCancelled()) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ 3. end

  /** Builds, prices and reports the result. */
  GenerationResult complete() {
    GenerationResult result;
    try {
      List<Hypothesis> hypotheses = decoder.results();
      long end = ticker.read();
      Usage u = usage(hypotheses, end);
      List<GeneratedSequence> sequences = results.sequences(hypotheses,
          accounting != null && accounting.shrunk() ? accounting.grantedNewTokens() : -1);
      CostReport cost = generator.costModel().price(u);
      result = new GenerationResult(sequences, u, cost, results.timings(usage, firstTokenNanos, end),
          config.padTokenId());
      observe(end);
    } catch (Throwable t) {
      throw fail(t);
    }
    terminate(result, null);
    if (meterFailure != null) {
      throw meterFailure; // the call completed, but its record was not written: never silently
    }
    return result;
  }

  /**
   * Feeds the measured prefill and decode times back to the cost model (online correction) and
   * marks the generator warm. Unbatched calls only (a batched call's passes are shared).
   */
  private void observe(long end) {
    if (usage == null || (usage.prefillFlops() <= 0 && usage.decodeSteps() <= 0)) {
      return;
    }
    generator.markWarm();
    if (scheduled != null || firstTokenNanos < 0) {
      return;
    }
    try {
      int rows = plan.rows();
      long longestPrompt = plan.longestPrompt();
      CostModel cm = generator.costModel();
      cm.observe(new CostModel.PassObservation(model.shape(),
          coldStart ? OnlineCorrection.Phase.COLD_PREFILL : OnlineCorrection.Phase.PREFILL, rows,
          longestPrompt, 0, (firstTokenNanos - startNanos) / 1e9));
      if (usage.decodeSteps() > 0) {
        cm.observe(new CostModel.PassObservation(model.shape(), OnlineCorrection.Phase.DECODE, rows,
            usage.decodeSteps(), longestPrompt, (end - firstTokenNanos) / 1e9));
      }
    } catch (RuntimeException e) {
      LOG.warn("cost model rejected the call's timings; ignored (request {})", context.requestId(), e);
    }
  }

  /** Reports a failure (once) and returns it for rethrowing. */
  RuntimeException fail(Throwable t) {
    if (started && !terminated) {
      terminate(null, t);
    } else {
      closeSession();
    }
    if (t instanceof RuntimeException re) {
      return re;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new BackendException("generation failed: " + t.getMessage(), t);
  }

  /** The single exit: closes the session and sends exactly one terminal event. */
  private void terminate(GenerationResult result, Throwable error) {
    if (terminated) {
      return;
    }
    terminated = true;
    closeSession();
    CostReport partial = error != null ? partialCost() : null;
    if (accounting != null) {
      // Settle and record however the call ended; never throws (a meter failure is kept).
      meterFailure = accounting.settle(error != null ? partial : result.cost(),
          error != null ? FinishReason.ERROR.wireName() : result.first().finishReason().wireName(), error);
      if (meterFailure != null && error != null) {
        error.addSuppressed(meterFailure);
        meterFailure = null;
      }
    }
    if (error != null) {
      for (CostListener l : generator.listeners()) {
        guard(l, "onError", () -> l.onError(context, error, partial));
      }
    } else if (isCancelled()) {
      for (CostListener l : generator.listeners()) {
        guard(l, "onCancel", () -> l.onCancel(context, result));
      }
    } else {
      for (CostListener l : generator.listeners()) {
        guard(l, "onComplete", () -> l.onComplete(context, result));
      }
    }
  }

  private CostReport partialCost() {
    Usage u = Usage.none();
    try {
      u = usage(decoder == null ? List.of() : decoder.results(), ticker.read());
      return generator.costModel().price(u);
    } catch (RuntimeException e) {
      LOG.warn("pricing the partial usage failed; reporting it unpriced (request {})", context.requestId(), e);
      return CostReport.free(u);
    }
  }

  private void closeSession() {
    for (Cancellation.Registration r : registrations) {
      r.close();
    }
    registrations.clear();
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the decoder session failed (request {})", context.requestId(), e);
      }
      session = null;
    }
  }

  private Usage usage(List<Hypothesis> hypotheses, long end) {
    return results.usage(hypotheses, usage, firstTokenNanos, end, scheduled != null ? scheduled.deviceNanos() : -1);
  }

  private void guard(CostListener l, String event, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("cost listener {} threw in {}; ignored (request {})", l, event, context.requestId(), e);
    }
  }
}

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation call, start to end, in one place:
 *
 * <ol>
 *   <li>{@link #begin()}: resolve the config (request → generator defaults → model defaults),
 *       tokenize and validate (errors here produce no listener events), estimate the cost, tell
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
 * token and step hooks are queued as events; {@link #advance()} waits for them and delivers them
 * (streaming callbacks, {@code CostListener.onToken}) on the caller's thread, so a slow callback
 * never stalls the batch. {@code deviceSeconds} is the call's share of the measured passes.
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

  private GenerationConfig config;
  private List<long[]> prompts;
  private int[] maxLengths;
  private int copies;
  private long deadlineNanos = Long.MAX_VALUE;
  private long maxTimeNanos = Long.MAX_VALUE;
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
  private final Object eventLock = new Object();
  /** Guarded by eventLock: queued {@link TokenEvent}s and step counts (Integer), in order. */
  private ArrayList<Object> events = new ArrayList<>();
  /** Guarded by eventLock. */
  private boolean batchDone;
  /** Guarded by eventLock. */
  private Throwable batchError;
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
    prepare();
    int inputs = prompts.size();
    long promptTokens = 0;
    long maxNew = 0;
    for (int b = 0; b < inputs; b++) {
      promptTokens += prompts.get(b).length;
      maxNew = Math.max(maxNew, maxLengths[b] - prompts.get(b).length);
    }
    int rows = inputs * (config.isBeamSearch() ? config.numBeams() : copies);
    BatchScheduler scheduler = generator.scheduler();
    BatchDemand demand = null;
    if (scheduler != null) {
      int width = 0;
      for (long[] p : prompts) {
        width = Math.max(width, p.length);
      }
      demand = new BatchDemand(rows, width, (int) maxNew);
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
      for (int b = 0; b < inputs; b++) {
        maxLengths[b] = (int) Math.min(maxLengths[b], prompts.get(b).length + accounting.grantedNewTokens());
      }
    }
    for (CostListener l : generator.listeners()) {
      guard(l, "onStart", () -> l.onStart(context, estimate));
    }
    started = true;
    // From here on every path ends in terminate(): exactly one terminal event.
    try {
      usage = new UsageCounter(model.shape(), model.weightDtype(), model.kvCacheDtype());
      if (scheduler != null) {
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

  private void prepare() {
    GenerationConfig requested = request.config().orElse(GenerationConfig.defaults());
    config = requested.withDefaultsFrom(generator.defaults()).withModelDefaults(model);
    prompts = tokenize();
    int vocab = model.vocabSize();
    int contextLength = model.contextLength();
    maxLengths = new int[prompts.size()];
    for (int b = 0; b < prompts.size(); b++) {
      long[] p = prompts.get(b);
      for (int i = 0; i < p.length; i++) {
        if (p[i] < 0 || p[i] >= vocab) {
          throw new IllegalArgumentException(String.format(
              "%s[%d]: token id %d at position %d is outside the allowed range [0, %d) (the model's vocabulary)",
              request.prompts().isPresent() ? "prompts" : "tokenIds", b, p[i], i, vocab));
        }
      }
      maxLengths[b] = maxLength(b, p.length, contextLength);
    }
    for (List<Long> seq : config.badWordsIds()) {
      for (Long id : seq) {
        if (id >= vocab) {
          throw new IllegalArgumentException("badWordsIds: token id " + id + " is outside the allowed range [0, "
              + vocab + ") (the model's vocabulary)");
        }
      }
    }
    if (!config.stopStrings().isEmpty() && generator.tokenizer().isEmpty()) {
      throw new IllegalStateException("stopStrings: need a tokenizer; set TextGenerator.builder().tokenizer(...)");
    }
    boolean streaming = sink != null || request.onToken().isPresent();
    if (streaming && config.isBeamSearch()) {
      throw new IllegalStateException("streaming: not supported with beam search (numBeams=" + config.numBeams()
          + "); Hugging Face raises too. Use generate() and read the result, or numBeams=1");
    }
    copies = config.doSample() && !config.isBeamSearch() ? config.numReturnSequences() : 1;
    request.timeout().ifPresent(d -> deadlineNanos = saturatedAdd(startNanos, d));
    request.deadline().ifPresent(at -> {
      Duration left = Duration.between(generator.clock().instant(), at);
      deadlineNanos = Math.min(deadlineNanos, left.isNegative() ? startNanos : saturatedAdd(startNanos, left));
    });
    config.maxTime().ifPresent(d -> maxTimeNanos = d.toNanos());
  }

  private List<long[]> tokenize() {
    if (request.prompts().isPresent()) {
      Tokenizer tokenizer = generator.tokenizer().orElseThrow(() -> new IllegalStateException(
          "prompts: text prompts need a tokenizer; set TextGenerator.builder().tokenizer(...) or pass tokenIds"));
      List<String> texts = request.prompts().get();
      List<long[]> out = new ArrayList<>(texts.size());
      for (int b = 0; b < texts.size(); b++) {
        long[] ids = tokenizer.encode(texts.get(b));
        if (ids.length == 0) {
          throw new IllegalArgumentException("prompts[" + b + "]: the tokenizer produced no tokens; the model needs"
              + " at least 1 prompt token (this tokenizer adds no BOS to an empty text)");
        }
        out.add(ids);
      }
      return out;
    }
    return request.tokenIdsUnsafe();
  }

  /** Per-prompt total length, Hugging Face {@code _prepare_generated_length} with our per-row counting. */
  private int maxLength(int b, int promptLength, int contextLength) {
    if (config.maxNewTokens().isPresent()) {
      long total = (long) promptLength + config.maxNewTokens().getAsInt();
      if (total > contextLength) {
        throw new PromptTooLongException(String.format("prompt %d: %d prompt tokens + maxNewTokens %d = %d exceeds"
            + " the model's context length %d", b, promptLength, config.maxNewTokens().getAsInt(), total,
            contextLength), b, promptLength, (int) Math.min(total, Integer.MAX_VALUE), contextLength);
      }
      return (int) total;
    }
    if (config.isExplicit("max_length")) {
      int total = config.maxLength();
      if (total > contextLength) {
        throw new IllegalArgumentException("maxLength (max_length): " + total + " exceeds the model's context length "
            + contextLength + "; allowed range [promptLength + 1, " + contextLength + "]");
      }
      if (promptLength >= total) {
        throw new PromptTooLongException(String.format("prompt %d: %d prompt tokens leave no room under maxLength %d;"
            + " raise maxLength or set maxNewTokens", b, promptLength, total), b, promptLength, total, contextLength);
      }
      return total;
    }
    if (promptLength >= contextLength) {
      throw new PromptTooLongException(String.format("prompt %d: %d prompt tokens leave no room in the model's"
          + " context length %d", b, promptLength, contextLength), b, promptLength, promptLength + 1, contextLength);
    }
    return Math.min(promptLength + GenerationConfig.DEFAULT_MAX_LENGTH, contextLength);
  }

  private Decoder newDecoder() {
    List<LogitsProcessor> processors = LogitsProcessors.forConfig(config, request.logitsProcessors());
    StopStringMatcher stopStrings = config.stopStrings().isEmpty()
        ? null : new StopStringMatcher(generator.tokenizer().get(), config.stopStrings());
    StopRules rules = new StopRules(config.eosTokenIds(), stopStrings, request.stoppingCriteria());
    long pad = config.padTokenId().orElse(0);
    long padInput = pad < model.vocabSize() ? pad : 0; // padding ids are ignored, but must be embeddable
    DecodeContext ctx = new DecodeContext(session, model.vocabSize(), prompts, maxLengths, padInput, processors,
        rules, usage, this);
    long seed = config.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    boolean streaming = sink != null || request.onToken().isPresent();
    int rows = prompts.size() * copies;
    tokenCounts = new int[rows];
    if (streaming && generator.tokenizer().isPresent()) {
      detokenizers = new IncrementalDetokenizer[rows];
      for (int r = 0; r < rows; r++) {
        detokenizers[r] = new IncrementalDetokenizer(generator.tokenizer().get(), prompts.get(r / copies));
      }
    }
    if (config.isBeamSearch()) {
      return new BeamSearchDecoder(ctx, config.numBeams(), config.numReturnSequences(), config.doSample(),
          config.lengthPenalty(), config.earlyStopping(), seed);
    }
    return new SamplingDecoder(ctx, copies, config.doSample(), seed);
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

  private record TokenEvent(int row, long tokenId, FinishReason finish) {}

  private void post(Object event) {
    synchronized (eventLock) {
      events.add(event);
      eventLock.notifyAll();
    }
  }

  /** Scheduler thread: the call left the scheduler (done, or failed with {@code error}). */
  @Override
  public void batchDone(Throwable error) {
    synchronized (eventLock) {
      batchDone = true;
      batchError = error;
      eventLock.notifyAll();
    }
  }

  /**
   * Waits until the scheduler queued events or finished the call, and delivers the events on
   * this thread. An interrupt stops the call (as a cancellation) and is restored afterwards.
   *
   * @return false once the scheduler is done with the call
   */
  private boolean awaitBatchEvents() {
    List<Object> batch;
    boolean done;
    Throwable error;
    boolean interrupted = false;
    synchronized (eventLock) {
      while (events.isEmpty() && !batchDone) {
        try {
          eventLock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
          stopRequest = FinishReason.CANCELLED;
          session.cancel(); // wakes the scheduler; aborts the call's own prefill if one runs
        }
      }
      batch = events;
      events = new ArrayList<>();
      done = batchDone;
      error = batchError;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    for (Object e : batch) {
      if (e instanceof TokenEvent t) {
        emitToken(t.row(), t.tokenId(), t.finish());
      } else {
        emitStep((Integer) e);
      }
    }
    if (done && error != null) {
      throw fail(error);
    }
    return !done;
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
    if (now - deadlineNanos >= 0 && deadlineNanos != Long.MAX_VALUE) {
      return FinishReason.DEADLINE;
    }
    if (maxTimeNanos != Long.MAX_VALUE && now - startNanos > maxTimeNanos) {
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
    int rows = prompts.size() * Math.max(copies, config.numBeams());
    long longestPrompt = 0;
    for (long[] p : prompts) {
      longestPrompt = Math.max(longestPrompt, p.length);
    }
    double passBound = generator.costModel().passBoundSeconds(model.shape(),
        prefilled ? 1 : longestPrompt, prefilled ? longestPrompt + usage.decodeSteps() : 0, rows,
        !prefilled && coldStart) / Math.max(1, model.devices());
    stepNanos = Math.max(stepNanos, (long) Math.min(Long.MAX_VALUE / 4, passBound * 1e9));
    double wall = (busyNanos + stepNanos) / 1e9;
    Usage projected = Usage.builder().model(model.shape()).promptTokens(promptTokenCount())
        .completionTokens(tokensSoFar + (long) prompts.size() * Math.max(copies, config.numBeams()))
        .sequences(prompts.size() * copies).decodeSteps(usage.decodeSteps() + 1)
        .prefillFlops(usage.prefillFlops()).decodeFlops(usage.decodeFlops() + stepFlops)
        .bytesMoved(usage.bytesMoved()).wallSeconds(wall).deviceSeconds(wall * model.devices())
        .devices(model.devices()).build();
    return accounting.admitsNextStep(projected);
  }

  private long promptTokenCount() {
    long n = 0;
    for (long[] p : prompts) {
      n += p.length;
    }
    return n;
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
      post(new TokenEvent(row, tokenId, finish));
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
    StreamedToken token = new StreamedToken(row, row / copies, tokenCounts[row]++, tokenId, text,
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
      post(tokensSoFar);
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
      List<GeneratedSequence> sequences = toSequences(hypotheses);
      CostReport cost = generator.costModel().price(u);
      result = new GenerationResult(sequences, u, cost, timings(end), config.padTokenId());
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
      int rows = prompts.size() * Math.max(copies, config.numBeams());
      long longestPrompt = 0;
      for (long[] p : prompts) {
        longestPrompt = Math.max(longestPrompt, p.length);
      }
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
    long promptTokens = 0;
    for (long[] p : prompts) {
      promptTokens += p.length;
    }
    long completion = 0;
    for (Hypothesis h : hypotheses) {
      completion += h.tokens().length - h.promptLength();
    }
    double wall = Math.max(0, end - startNanos) / 1e9;
    // batched: the call's share of the measured forward passes (docs/batching.md)
    double busy = scheduled != null ? scheduled.deviceNanos() / 1e9 : wall;
    Usage.Builder b = Usage.builder().model(model.shape()).promptTokens(promptTokens).completionTokens(completion)
        .sequences(hypotheses.size()).wallSeconds(wall).deviceSeconds(busy * model.devices())
        .devices(model.devices())
        .timeToFirstTokenSeconds(firstTokenNanos < 0 ? -1 : (firstTokenNanos - startNanos) / 1e9);
    if (usage != null) {
      b.decodeSteps(usage.decodeSteps()).prefillFlops(usage.prefillFlops()).decodeFlops(usage.decodeFlops())
          .bytesMoved(usage.bytesMoved());
    }
    return b.build();
  }

  private GenerationTimings timings(long end) {
    Duration total = Duration.ofNanos(Math.max(0, end - startNanos));
    Duration ttft = firstTokenNanos < 0 ? total : Duration.ofNanos(firstTokenNanos - startNanos);
    long steps = usage == null ? 0 : usage.decodeSteps();
    Duration perToken = steps == 0 ? Duration.ZERO : total.minus(ttft).dividedBy(steps);
    return new GenerationTimings(ttft, total, perToken);
  }

  private List<GeneratedSequence> toSequences(List<Hypothesis> hypotheses) {
    Optional<Tokenizer> tokenizer = generator.tokenizer();
    String[] promptTexts = new String[prompts.size()];
    List<GeneratedSequence> out = new ArrayList<>(hypotheses.size());
    for (Hypothesis h : hypotheses) {
      String text = "";
      String completion = "";
      if (tokenizer.isPresent()) {
        Tokenizer t = tokenizer.get();
        int b = h.inputIndex();
        if (promptTexts[b] == null) {
          promptTexts[b] = t.decode(Arrays.copyOf(h.tokens(), h.promptLength()), true);
        }
        text = t.decode(h.tokens(), true);
        completion = text.startsWith(promptTexts[b]) ? text.substring(promptTexts[b].length())
            : t.decode(Arrays.copyOfRange(h.tokens(), h.promptLength(), h.tokens().length), true);
      }
      OptionalDouble score = Double.isNaN(h.score()) ? OptionalDouble.empty() : OptionalDouble.of(h.score());
      FinishReason reason = h.finishReason();
      if (reason == FinishReason.LENGTH && accounting != null && accounting.shrunk()
          && h.tokens().length - h.promptLength() >= accounting.grantedNewTokens()) {
        reason = FinishReason.BUDGET; // the budget's cap, not the requested length, ended it
      }
      out.add(new GeneratedSequence(h.inputIndex(), h.rank(), h.tokens(), h.promptLength(), text, completion,
          reason, score));
    }
    return out;
  }

  private void guard(CostListener l, String event, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("cost listener {} threw in {}; ignored (request {})", l, event, context.requestId(), e);
    }
  }

  private static long saturatedAdd(long nanos, Duration d) {
    long add;
    try {
      add = d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
    long sum = nanos + add;
    return ((nanos ^ sum) & (add ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}

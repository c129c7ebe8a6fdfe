package io.costgen.core.internal.batching;

import io.costgen.core.BatchingPolicy;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.FinishReason;
import io.costgen.core.GenerationCancelledException;
import io.costgen.core.spi.Logits;
import io.costgen.core.ModelInfo;
import io.costgen.core.Ticker;
import io.costgen.core.spi.TransformerBackend;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous (iteration-level) batching for one backend: one scheduler thread runs every
 * in-flight call's decoder and, per iteration, ONE forward pass for all their rows.
 *
 * <p>An iteration (see {@code docs/batching.md}):
 *
 * <ol>
 *   <li>admit waiting calls, first come first served, while the batch has room
 *       ({@link BatchingPolicy#maxBatchRows}, {@link BatchingPolicy#maxKvCacheBytes}, and the
 *       model's context length for the padded batch); stop calls that were cancelled or ran out
 *       of time while waiting;
 *   <li>token selection for every call in the batch (reading the last step's logits); finished
 *       rows and calls leave the batch session at once ({@link DecoderSession#selectRows});
 *   <li>prefill chunks of admitted calls, at most {@link BatchingPolicy#prefillChunkTokens}
 *       prompt positions per iteration (at least one chunk). The calls admitted in one iteration
 *       form a {@link PrefillGroup} ({@link BatchingPolicy#groupedJoins}): their prompts are the
 *       left-padded rows of one block, prefilled in one session, one pass per chunk; a call alone
 *       (or every call, with grouping off) prefills in its own session. A call or group whose
 *       prompt is done selects its first tokens and joins the batch session
 *       ({@link DecoderSession#appendRows}, which pads and aligns the caches), a group in one
 *       append;
 *   <li>one batched decode step ({@link DecoderSession#step}) for every row of every call.
 * </ol>
 *
 * <p>Device time: every forward pass and cache copy is timed with the generator's {@link Ticker};
 * a prefill (and a join) is charged to its call, a group's prefill pass (and join) split over
 * its calls by rows; a batched step (and the {@code selectRows} before it) is split over the
 * calls by rows in the step, in whole nanoseconds whose sum is exactly the measured time.
 *
 * <p>Cancellation: a cancel aborts the running prefill of a call alone; a group's pass is never
 * aborted (it would abort the others), the call leaves the group at the next iteration instead.
 *
 * <p>Failures: an exception from a call's decoder, prefill or join fails that call only. A
 * group's failed prefill pass prefills each of its calls again alone (a failed later chunk first
 * retries the whole block, like a call alone); a failed group join re-prefills its calls alone. A
 * batched step (or batch {@code selectRows}) that throws cannot be attributed to a row: the batch
 * session is closed and every call in it is re-prefilled alone (its prompt and tokens so far),
 * once; a call whose retry fails, or that was already retrying, fails with that error; the others
 * continue.
 *
 * <p>Seams: {@link Admission} (capacity rules), {@link DeviceTimeSplit} (time per call) and
 * {@link Recovery} (re-prefill after a failure) hold those rules; this class runs the loop.
 *
 * <p>The scheduler thread is started on demand and ends when no call is left (daemon, named
 * {@code costgen-batching-N}). Thread-safe.
 */
public final class BatchScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final BatchObserver NO_OBSERVER = new BatchObserver() {};

  private final TransformerBackend backend;
  private final Ticker ticker;
  private final BatchingPolicy policy;
  private final Admission admission;
  private final Recovery recovery;
  private final int vocab;
  private volatile BatchObserver observer = NO_OBSERVER;

  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private final ArrayDeque<ScheduledCall> waiting = new ArrayDeque<>();
  /** Guarded by {@link #lock}: a scheduler thread is alive. */
  private boolean running;
  /** Guarded by {@link #lock}: System.nanoTime() when the oldest waiting call arrived. */
  private long firstArrivalNanos;

  // Scheduler thread only.
  /** Calls in prefill (each in exactly one group of {@link #prefillQueue}). */
  private final List<ScheduledCall> prefilling = new ArrayList<>();
  /** The prefills to run, first come first served: groups of calls admitted together, or calls alone. */
  private List<PrefillGroup> prefillQueue = new ArrayList<>();
  /** Calls prefilled, not yet in the batch session (members of {@link #readyGroups} included). */
  private final List<ScheduledCall> ready = new ArrayList<>();
  /** Groups prefilled together, joining the batch session together. */
  private final List<PrefillGroup> readyGroups = new ArrayList<>();
  private List<ScheduledCall> active = new ArrayList<>();
  private DecoderSession shared;
  private boolean mergeUnsupported;
  private boolean chunkingUnsupported;
  private boolean groupingUnsupported;
  private long maintenanceNanos;

  private BatchScheduler(TransformerBackend backend, Ticker ticker, BatchingPolicy policy) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.policy = Objects.requireNonNull(policy, "policy");
    ModelInfo info = backend.modelInfo();
    this.admission = new Admission(policy, info.shape().kvCacheBytesPerToken(info.kvCacheDtype()),
        info.contextLength());
    this.recovery = new Recovery(backend, ticker);
    this.vocab = info.vocabSize();
  }

  /**
   * The scheduler of one {@code TextGenerator}. Only {@code io.costgen.core.TextGenerator} may
   * create one (this class is internal; users batch with {@code TextGenerator.Builder#batching}).
   *
   * @throws IllegalCallerException when called from anywhere else
   */
  public static BatchScheduler create(TransformerBackend backend, Ticker ticker, BatchingPolicy policy) {
    Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
    if (!GENERATOR.equals(caller.getName()) || caller.getClassLoader() != BatchScheduler.class.getClassLoader()) {
      throw new IllegalCallerException("BatchScheduler is internal; batch calls with TextGenerator.builder()"
          + ".batching(...) (called from " + caller.getName() + ")");
    }
    return new BatchScheduler(backend, ticker, policy);
  }

  private static final String GENERATOR = "io.costgen.core.TextGenerator";

  public BatchingPolicy policy() {
    return policy;
  }

  /** Installs a diagnostics observer (tests); null removes it. */
  public void observer(BatchObserver o) {
    this.observer = o == null ? NO_OBSERVER : o;
  }

  /**
   * Rejects a call that could never run within {@link BatchingPolicy#maxKvCacheBytes}, even
   * alone: rows × (prompt width + new tokens) × KV bytes per token.
   *
   * @throws IllegalArgumentException naming the limit, the need and how it is counted
   */
  public void checkFits(BatchDemand d) {
    admission.checkFits(d);
  }

  /** A new call, not yet queued: use its session, then {@link ScheduledCall#start}. */
  public ScheduledCall open(BatchMember member, BatchDemand demand) {
    return new ScheduledCall(this, Objects.requireNonNull(member, "member"), Objects.requireNonNull(demand, "demand"),
        vocab);
  }

  void submit(ScheduledCall c) {
    synchronized (lock) {
      if (waiting.isEmpty()) {
        firstArrivalNanos = System.nanoTime();
      }
      c.state = ScheduledCall.State.WAITING;
      waiting.addLast(c);
      observer.queued(waiting.size());
      if (running) {
        lock.notifyAll();
        return;
      }
      Thread t = new Thread(this::loop, "costgen-batching-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      try {
        t.start();
      } catch (Throwable e) {
        waiting.remove(c);
        throw e;
      }
      running = true;
    }
  }

  void stopRequested() {
    observer.stopRequested();
    wake();
  }

  void wake() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** Positions per row in the batch session (scheduler thread). */
  int sharedPositions() {
    return shared == null ? 0 : shared.cachedPositions();
  }

  // ------------------------------------------------------------------ the loop

  private void loop() {
    try {
      while (intake()) {
        iterate();
      }
    } catch (Throwable t) {
      LOG.error("batch scheduler failed; failing its calls", t);
      abandonAll(t);
    }
  }

  /** Admits and reaps waiting calls; false (thread ends) when no call is left. */
  private boolean intake() {
    List<ScheduledCall> stopped = new ArrayList<>();
    List<ScheduledCall> admitted = new ArrayList<>();
    synchronized (lock) {
      while (true) {
        for (Iterator<ScheduledCall> it = waiting.iterator(); it.hasNext(); ) {
          ScheduledCall c = it.next();
          if (c.stopReason() != null) {
            it.remove();
            stopped.add(c);
          }
        }
        boolean busy = busy();
        if (!busy && waiting.isEmpty()) {
          if (!stopped.isEmpty()) {
            break;
          }
          closeShared();
          running = false;
          return false;
        }
        long maxWait = policy.maxWait().toNanos();
        if (!busy && maxWait > 0 && waitingRows() < policy.maxBatchRows()) {
          long left = firstArrivalNanos + maxWait - System.nanoTime();
          if (left > 0) {
            try {
              TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
              // nobody interrupts this thread on purpose; go on
            }
            continue;
          }
        }
        break;
      }
      while (!waiting.isEmpty() && fits(waiting.peekFirst(), admitted)) {
        ScheduledCall c = waiting.pollFirst();
        c.state = ScheduledCall.State.PREFILLING;
        admitted.add(c);
      }
      if (!waiting.isEmpty()) {
        firstArrivalNanos = System.nanoTime();
      }
    }
    for (ScheduledCall c : stopped) {
      FinishReason reason = c.stopReason();
      c.decoder.stop(reason == null ? FinishReason.CANCELLED : reason);
      finish(c, null);
    }
    List<ScheduledCall> started = new ArrayList<>(admitted.size());
    for (ScheduledCall c : admitted) {
      if (startPrefill(c)) {
        started.add(c);
      }
    }
    queuePrefills(started);
    return true;
  }

  private boolean busy() {
    return !active.isEmpty() || !ready.isEmpty() || !prefilling.isEmpty();
  }

  private int waitingRows() {
    int n = 0;
    for (ScheduledCall c : waiting) {
      n += c.demand.rows();
    }
    return n;
  }

  /**
   * Whether {@code c} may join now: always when the batch is empty (the call was checked alone
   * against the KV limit); else when {@link Admission#fits} the batch with it.
   */
  private boolean fits(ScheduledCall c, List<ScheduledCall> admitted) {
    if (!busy() && admitted.isEmpty()) {
      return true;
    }
    if (mergeUnsupported) {
      return false;
    }
    List<ScheduledCall> members = new ArrayList<>(active.size() + ready.size() + prefilling.size() + 2);
    members.addAll(active);
    members.addAll(ready);
    members.addAll(prefilling);
    members.addAll(admitted);
    members.add(c);
    return admission.fits(members, sharedPositions(), chunkTokens());
  }

  /** Runs the call's decoder to its prefill; false if the call is already done. */
  private boolean startPrefill(ScheduledCall c) {
    prefilling.add(c);
    try {
      if (c.driveToPrefill()) {
        return true;
      }
      prefilling.remove(c);
      finish(c, null);
    } catch (Throwable t) {
      prefilling.remove(c);
      finish(c, t);
    }
    return false;
  }

  /**
   * Queues the prefills of the calls admitted in this iteration: in groups, in arrival order, when
   * {@link BatchingPolicy#groupedJoins} is on (a call starts a new group when the current one's
   * first chunk would exceed {@link BatchingPolicy#prefillChunkTokens}); else each alone.
   */
  private void queuePrefills(List<ScheduledCall> calls) {
    boolean grouping = policy.groupedJoins() && !groupingUnsupported && calls.size() > 1;
    int chunkTokens = chunkTokens();
    List<ScheduledCall> current = new ArrayList<>();
    for (ScheduledCall c : calls) {
      if (!current.isEmpty()) {
        current.add(c);
        boolean fits = grouping && (chunkTokens == 0 || PrefillGroup.firstChunkTokens(current) <= chunkTokens);
        current.remove(current.size() - 1);
        if (!fits) {
          queueGroup(current);
          current = new ArrayList<>();
        }
      }
      current.add(c);
    }
    if (!current.isEmpty()) {
      queueGroup(current);
    }
  }

  private void queueGroup(List<ScheduledCall> calls) {
    if (calls.size() == 1) {
      queueAlone(calls.get(0));
      return;
    }
    DecoderSession s;
    try {
      s = backend.openSession();
    } catch (Throwable t) {
      for (ScheduledCall c : calls) {
        prefilling.remove(c);
        finish(c, t);
      }
      return;
    }
    PrefillGroup g = PrefillGroup.of(calls, s);
    for (ScheduledCall c : calls) {
      c.group = g;
      c.prefilledColumns = 0;
    }
    prefillQueue.add(g);
  }

  /** The call prefills in its own session, which a cancel of the call aborts. */
  private void queueAlone(ScheduledCall c) {
    c.group = null;
    c.prefilledColumns = 0;
    try {
      c.own = backend.openSession();
      c.session.cancellable = c.own;
      if (c.stopRequested) {
        c.own.cancel();
      }
      prefillQueue.add(PrefillGroup.solo(c));
    } catch (Throwable t) {
      prefilling.remove(c);
      finish(c, t);
    }
  }

  private void iterate() {
    maintenanceNanos = 0;
    selectActive();
    runPrefills();
    joinReady();
    if (!active.isEmpty()) {
      step();
    }
  }

  /** Token selection for the calls in the batch; finished rows and calls leave. */
  private void selectActive() {
    if (active.isEmpty()) {
      return;
    }
    List<ScheduledCall> kept = new ArrayList<>(active.size());
    List<ScheduledCall> ended = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (ScheduledCall c : active) {
      try {
        if (c.driveToStep()) {
          kept.add(c);
          continue;
        }
        errors.add(null);
      } catch (Throwable t) {
        errors.add(t);
      }
      ended.add(c);
    }
    try {
      leave(kept);
    } finally {
      // told after their rows left (and after the batch session closed, if it emptied)
      for (int i = 0; i < ended.size(); i++) {
        finish(ended.get(i), errors.get(i));
      }
    }
  }

  /** The rows of calls not in {@code kept} leave the batch session. */
  private void leave(List<ScheduledCall> kept) {
    KeptRows r = KeptRows.of(kept);
    int[] sel = r.rows();
    int n = r.count();
    boolean identity = r.identity();
    active = kept;
    if (n == 0) {
      closeShared(); // the batch emptied: its padding goes with it
      return;
    }
    if (identity && n == shared.rows()) {
      return;
    }
    long t0 = ticker.read();
    try {
      shared.selectRows(sel);
    } catch (Throwable t) {
      maintenanceNanos += ticker.read() - t0;
      LOG.warn("selectRows on the batch session failed ({} rows of {} calls); re-prefilling each call alone",
          n, active.size(), t);
      splitAndRecover(n, t);
      return;
    }
    maintenanceNanos += ticker.read() - t0;
  }

  /** Prefill chunks, first come first served, within the per-iteration token budget. */
  private void runPrefills() {
    int chunkTokens = chunkTokens();
    long budget = chunkTokens == 0 ? Long.MAX_VALUE : chunkTokens;
    boolean ran = false;
    List<PrefillGroup> next = new ArrayList<>(prefillQueue.size());
    for (PrefillGroup g : prefillQueue) {
      if (ran && budget <= 0) {
        next.add(g);
        continue;
      }
      long fed = g.solo ? prefillAlone(g, chunkTokens, budget, next) : prefillGroup(g, chunkTokens, budget, next);
      if (fed > 0) {
        ran = true;
        budget -= fed;
      }
    }
    prefillQueue = next;
  }

  /** Columns of the next chunk of a block of {@code rows} × {@code width}, {@code done} columns done. */
  private static int chunkColumns(int rows, int width, int done, int maxPadding, int chunkTokens, long budget) {
    if (chunkTokens == 0) {
      return width - done;
    }
    int cols = (int) Math.min(width - done, Math.max(1, budget / rows));
    if (done == 0) {
      cols = Math.max(cols, Math.min(width, maxPadding + 1)); // a real token in every row
    }
    return cols;
  }

  private static void chunkOf(long[][] block, int[] padding, int done, int cols, long[][] chunk, int[] pad) {
    int width = block[0].length;
    for (int r = 0; r < block.length; r++) {
      chunk[r] = cols == width ? block[r] : java.util.Arrays.copyOfRange(block[r], done, done + cols);
      pad[r] = done == 0 ? padding[r] : 0;
    }
  }

  /**
   * The next chunk of a call prefilled alone (in its own session). Adds the group back to
   * {@code next} while it has chunks left; returns the prompt positions fed (0 if none ran).
   */
  private long prefillAlone(PrefillGroup g, int chunkTokens, long budget, List<PrefillGroup> next) {
    ScheduledCall c = g.members.get(0);
    FinishReason stop = c.stopReason();
    if (stop != null) {
      prefilling.remove(c);
      c.decoder.stop(stop);
      finish(c, null);
      return 0;
    }
    long[][] block = c.session.block;
    int rows = block.length;
    int width = block[0].length;
    int done = c.prefilledColumns;
    int cols = chunkColumns(rows, width, done, c.session.maxPadding(), chunkTokens, budget);
    long[][] chunk = new long[rows][];
    int[] pad = new int[rows];
    chunkOf(block, c.session.padding, done, cols, chunk, pad);
    long t0 = ticker.read();
    Logits logits;
    try {
      logits = c.own.prefill(chunk, pad);
      c.charge(ticker.read() - t0);
    } catch (GenerationCancelledException e) {
      c.charge(ticker.read() - t0);
      prefilling.remove(c);
      c.decoder.stop(c.member.abortReason());
      finish(c, null);
      return 0;
    } catch (Throwable t) {
      c.charge(ticker.read() - t0);
      logits = done > 0 ? prefillWhole(c, t) : null;
      if (logits == null) {
        prefilling.remove(c);
        finish(c, t);
        return 0;
      }
      cols = width - done;
    }
    observer.prefilled(rows, cols);
    c.prefilledColumns += cols;
    if (c.prefilledColumns == width) {
      prefilling.remove(c);
      c.session.bindOwn(logits);
      c.state = ScheduledCall.State.READY;
      ready.add(c);
    } else {
      next.add(g);
    }
    return (long) rows * cols;
  }

  /**
   * The next chunk of a group: one pass over the rows of all its calls, its time split over them
   * by rows. A call that stopped leaves the group at once (its rows are fed on, and dropped before
   * the group joins); nothing aborts a group's pass, so a cancel never touches the others. A pass
   * that fails splits the group: each call is prefilled again alone (and fails only if that fails
   * too), after the whole block was retried once when a later chunk failed.
   */
  private long prefillGroup(PrefillGroup g, int chunkTokens, long budget, List<PrefillGroup> next) {
    for (Iterator<ScheduledCall> it = g.members.iterator(); it.hasNext(); ) {
      ScheduledCall c = it.next();
      FinishReason stop = c.stopReason();
      if (stop != null) {
        it.remove();
        prefilling.remove(c);
        c.group = null;
        c.decoder.stop(stop);
        finish(c, null);
      }
    }
    if (g.members.isEmpty()) {
      closeQuietly(g.session);
      return 0;
    }
    int rows = g.rows();
    int done = g.done;
    int cols = chunkColumns(rows, g.width, done, g.maxPadding(), chunkTokens, budget);
    long[][] chunk = new long[rows][];
    int[] pad = new int[rows];
    chunkOf(g.block, g.padding, done, cols, chunk, pad);
    long t0 = ticker.read();
    Logits logits;
    try {
      logits = g.session.prefill(chunk, pad);
      DeviceTimeSplit.chargeByRows(g.members, ticker.read() - t0);
    } catch (Throwable t) {
      DeviceTimeSplit.chargeByRows(g.members, ticker.read() - t0);
      logits = done > 0 && !chunkingUnsupported && !(t instanceof Error) ? recovery.prefillGroupWhole(g, t) : null;
      if (logits == null) {
        splitGroup(g, t, next);
        return 0;
      }
      chunkingUnsupported = true;
      LOG.warn("a prefill chunk on a non-empty cache failed but the whole prompt works: {} cannot prefill in"
          + " chunks; chunked prefill is off for this generator", backend, t);
      cols = g.width - done;
    }
    observer.prefilled(rows, cols);
    g.done += cols;
    for (ScheduledCall c : g.members) {
      c.prefilledColumns = Math.max(0, g.done - (g.width - c.session.block[0].length));
    }
    if (g.done < g.width) {
      next.add(g);
      return (long) rows * cols;
    }
    for (ScheduledCall c : g.members) {
      prefilling.remove(c);
      c.session.bindGroup(logits, c.offset, c.sharedRows);
      c.state = ScheduledCall.State.READY;
      ready.add(c);
    }
    readyGroups.add(g);
    return (long) rows * cols;
  }

  /**
   * A group's prefill failed: each of its calls is prefilled again alone, from its prompt (an
   * {@link Error} fails them all). A backend that rejected the multi-row block itself (any error
   * but a {@link io.costgen.core.BackendException}) prefills every call alone from now on.
   */
  private void splitGroup(PrefillGroup g, Throwable error, List<PrefillGroup> next) {
    closeQuietly(g.session);
    if (!(error instanceof io.costgen.core.BackendException) && !(error instanceof Error) && !groupingUnsupported) {
      groupingUnsupported = true;
      LOG.debug("{} failed a grouped prefill ({}); prefilling each call alone from now on", backend,
          error.toString());
    } else {
      LOG.debug("a grouped prefill of {} calls failed; prefilling each alone", g.members.size(), error);
    }
    List<PrefillGroup> before = prefillQueue;
    prefillQueue = next;
    try {
      for (ScheduledCall c : g.members) {
        if (error instanceof Error) {
          prefilling.remove(c);
          c.group = null;
          finish(c, error);
        } else {
          queueAlone(c); // adds to next (it is prefillQueue meanwhile)
        }
      }
    } finally {
      prefillQueue = before;
    }
  }

  private int chunkTokens() {
    return chunkingUnsupported ? 0 : policy.prefillChunkTokens();
  }

  /**
   * A later prefill chunk failed: try the whole prompt in a fresh session
   * ({@link Recovery#prefillWhole}); if that works, chunking is off for this scheduler from now on.
   * Returns the logits, or null if the retry failed too (or cannot help).
   */
  private Logits prefillWhole(ScheduledCall c, Throwable chunkError) {
    if (chunkingUnsupported || chunkError instanceof Error) {
      return null;
    }
    Logits logits = recovery.prefillWhole(c, chunkError);
    if (logits != null) {
      chunkingUnsupported = true;
      LOG.warn("a prefill chunk on a non-empty cache failed but the whole prompt works: {} cannot prefill in"
          + " chunks; chunked prefill is off for this generator", backend, chunkError);
    }
    return logits;
  }

  /** Calls whose prompt is done select their first tokens, then join the batch session. */
  private void joinReady() {
    for (Iterator<ScheduledCall> it = ready.iterator(); it.hasNext(); ) {
      ScheduledCall c = it.next();
      if (c.group != null) {
        continue; // joins with its group below
      }
      try {
        if (c.session.pendingStep == null && !c.driveToStep()) {
          it.remove();
          finish(c, null);
          continue;
        }
      } catch (Throwable t) {
        it.remove();
        finish(c, t);
        continue;
      }
      // From here a cancel no longer aborts the session that joins (it would abort the batch);
      // one that came in between may have aborted it already: that call stops instead.
      c.session.cancellable = null;
      if (c.stopRequested) {
        it.remove();
        FinishReason reason = c.stopReason();
        c.decoder.stop(reason == null ? FinishReason.CANCELLED : reason);
        finish(c, null);
        continue;
      }
      if (shared == null) {
        shared = c.own;
        c.offset = 0;
      } else if (mergeUnsupported) {
        continue; // joins when the batch empties
      } else {
        int before = shared.rows();
        long t0 = ticker.read();
        try {
          shared.appendRows(c.own);
        } catch (UnsupportedOperationException e) {
          c.charge(ticker.read() - t0);
          mergeUnsupported = true;
          LOG.warn("{} cannot merge sessions (DecoderSession.appendRows): batched calls will run one after"
              + " another", backend, e);
          continue;
        } catch (Throwable t) {
          c.charge(ticker.read() - t0);
          it.remove();
          finish(c, t); // the joining call fails; the batch goes on if appendRows left it as it was
          if (!unchanged(before)) {
            splitAndRecover(activeRows(), t);
            return;
          }
          continue;
        }
        c.charge(ticker.read() - t0);
        c.offset = before;
      }
      c.own = null;
      c.sharedRows = c.session.rows();
      c.state = ScheduledCall.State.ACTIVE;
      active.add(c);
      it.remove();
    }
    for (Iterator<PrefillGroup> it = readyGroups.iterator(); it.hasNext(); ) {
      PrefillGroup g = it.next();
      if (joinGroup(g)) {
        it.remove();
      }
    }
  }

  /**
   * A prefilled group: its calls select their first tokens; the rows of calls that ended or
   * stopped are dropped from the group session and the rest joins the batch session in one
   * {@link DecoderSession#appendRows} (or becomes it), the copies' time split over the calls by
   * rows. If that fails, each call is re-prefilled alone ({@link Recovery#reprefillAlone}).
   *
   * @return true when the group is gone (joined or dissolved); false while it waits to join
   */
  private boolean joinGroup(PrefillGroup g) {
    List<ScheduledCall> kept = new ArrayList<>(g.members.size());
    for (ScheduledCall c : g.members) {
      try {
        if (c.session.pendingStep == null && !c.driveToStep()) {
          leaveGroup(c, null);
          continue;
        }
      } catch (Throwable t) {
        leaveGroup(c, t);
        continue;
      }
      if (c.stopRequested) {
        FinishReason reason = c.stopReason();
        c.decoder.stop(reason == null ? FinishReason.CANCELLED : reason);
        leaveGroup(c, null);
        continue;
      }
      kept.add(c);
    }
    g.members.retainAll(kept);
    if (kept.isEmpty()) {
      closeQuietly(g.session);
      return true;
    }
    KeptRows r = KeptRows.of(kept);
    int[] sel = r.rows();
    int n = r.count();
    boolean identity = r.identity();
    long t0 = ticker.read();
    boolean batchBroken = false;
    try {
      if (!identity || n != g.session.rows()) {
        g.session.selectRows(sel);
      }
      if (shared == null) {
        shared = g.session;
      } else if (mergeUnsupported) {
        DeviceTimeSplit.chargeByRows(kept, ticker.read() - t0);
        return false; // joins when the batch empties
      } else {
        int before = shared.rows();
        try {
          shared.appendRows(g.session);
        } catch (UnsupportedOperationException e) {
          DeviceTimeSplit.chargeByRows(kept, ticker.read() - t0);
          mergeUnsupported = true;
          LOG.warn("{} cannot merge sessions (DecoderSession.appendRows): batched calls will run one after"
              + " another", backend, e);
          return false;
        } catch (Throwable t) {
          batchBroken = !unchanged(before);
          throw t;
        }
        for (ScheduledCall c : kept) {
          c.offset += before;
        }
      }
    } catch (Throwable t) {
      DeviceTimeSplit.chargeByRows(kept, ticker.read() - t0);
      closeQuietly(g.session);
      LOG.warn("a prefilled group of {} calls could not join the batch; re-prefilling each call alone", kept.size(),
          t);
      ready.removeAll(kept);
      for (ScheduledCall c : kept) {
        c.group = null;
      }
      recovery.reprefillAlone(kept, t, observer, ready::add, this::finish);
      if (batchBroken) {
        splitAndRecover(activeRows(), t); // appendRows left the batch session changed: its calls too
      }
      return true;
    }
    DeviceTimeSplit.chargeByRows(kept, ticker.read() - t0);
    ready.removeAll(kept);
    for (ScheduledCall c : kept) {
      c.group = null;
      c.state = ScheduledCall.State.ACTIVE;
      active.add(c);
    }
    return true;
  }

  /** A call of a prefilled group ended before joining: its rows stay in the group session until it joins. */
  private void leaveGroup(ScheduledCall c, Throwable error) {
    ready.remove(c);
    c.group = null;
    finish(c, error);
  }

  private static void closeQuietly(DecoderSession s) {
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        LOG.warn("closing a session failed", e);
      }
    }
  }

  private boolean unchanged(int rowsBefore) {
    try {
      return shared.rows() == rowsBefore;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private int activeRows() {
    int n = 0;
    for (ScheduledCall c : active) {
      n += c.sharedRows;
    }
    return n;
  }

  /** One forward pass for every row of every call in the batch. */
  private void step() {
    int total = activeRows();
    long[] ids = new long[total];
    for (ScheduledCall c : active) {
      System.arraycopy(c.session.pendingStep, 0, ids, c.offset, c.sharedRows);
    }
    int positions = shared.cachedPositions();
    long t0 = ticker.read();
    Logits logits;
    try {
      logits = shared.step(ids);
    } catch (Throwable t) {
      maintenanceNanos += ticker.read() - t0;
      observer.stepped(total, active.size(), positions);
      LOG.warn("batched step failed ({} rows of {} calls); re-prefilling each call alone once", total,
          active.size(), t);
      splitAndRecover(total, t);
      return;
    }
    long elapsed = ticker.read() - t0 + maintenanceNanos;
    maintenanceNanos = 0;
    observer.stepped(total, active.size(), positions);
    split(elapsed, total);
    for (ScheduledCall c : active) {
      c.session.bindStep(logits, c.offset, c.sharedRows);
      c.stepsDone++;
      c.retried = false;
    }
  }

  /** Splits {@code nanos} over the active calls by rows (exact: the shares sum to {@code nanos}). */
  private void split(long nanos, int totalRows) {
    DeviceTimeSplit.charge(active, nanos, totalRows);
  }

  /**
   * A batched operation failed: charge its time, close the batch session (its state is
   * unknown) and re-prefill each call alone from its tokens, once ({@link Recovery}).
   */
  private void splitAndRecover(int totalRows, Throwable error) {
    if (totalRows > 0) {
      split(maintenanceNanos, totalRows);
    }
    maintenanceNanos = 0;
    closeShared();
    List<ScheduledCall> members = active;
    active = new ArrayList<>();
    recovery.reprefillAlone(members, error, observer, ready::add, this::finish);
  }

  /** The scheduler is done with {@code c}: release its own session and tell the call. */
  private void finish(ScheduledCall c, Throwable error) {
    c.state = ScheduledCall.State.DONE;
    c.session.cancellable = null;
    if (c.own != null) {
      try {
        c.own.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the session of {} failed", c.member.name(), e);
      }
      c.own = null;
    }
    try {
      c.member.batchDone(error);
    } catch (RuntimeException e) {
      LOG.warn("batchDone of {} threw; ignored", c.member.name(), e);
    }
  }

  private void closeShared() {
    if (shared != null) {
      try {
        shared.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the batch session failed", e);
      }
      shared = null;
      observer.batchClosed();
    }
  }

  /** Last resort after a scheduler bug: fail every call cleanly. */
  private void abandonAll(Throwable t) {
    List<ScheduledCall> all = new ArrayList<>(active);
    all.addAll(ready);
    all.addAll(prefilling);
    active = new ArrayList<>();
    ready.clear();
    prefilling.clear();
    for (PrefillGroup g : prefillQueue) {
      closeQuietly(g.session);
    }
    for (PrefillGroup g : readyGroups) {
      closeQuietly(g.session);
    }
    prefillQueue = new ArrayList<>();
    readyGroups.clear();
    closeShared();
    synchronized (lock) {
      all.addAll(waiting);
      waiting.clear();
      running = false;
    }
    for (ScheduledCall c : all) {
      if (c.state != ScheduledCall.State.DONE) {
        finish(c, t);
      }
    }
  }

  /**
   * The rows the kept calls keep in their shared session, in call order: each call's rows from
   * its pending selection ({@code takeSelection}, or all its rows), as indices into the session.
   * Moves each call's {@code offset}/{@code sharedRows} to where its rows will be after
   * {@code selectRows(rows)}. {@code identity}: the first {@code count} rows stay where they are.
   */
  private record KeptRows(int[] rows, int count, boolean identity) {
    static KeptRows of(List<ScheduledCall> kept) {
      int total = 0;
      for (ScheduledCall c : kept) {
        total += c.session.rows();
      }
      int[] sel = new int[total];
      int n = 0;
      boolean identity = true;
      for (ScheduledCall c : kept) {
        int[] local = c.session.takeSelection();
        int count = local == null ? c.sharedRows : local.length;
        for (int i = 0; i < count; i++) {
          int row = c.offset + (local == null ? i : local[i]);
          identity &= row == n;
          sel[n++] = row;
        }
        c.offset = n - count;
        c.sharedRows = count;
      }
      return new KeptRows(sel, n, identity);
    }
  }
}

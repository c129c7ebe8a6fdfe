package io.costgen.core.internal.batching;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.FinishReason;
import io.costgen.core.spi.Logits;
import io.costgen.core.internal.Decoder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One generation call inside a {@link BatchScheduler}: its state in the batch and the
 * {@link DecoderSession} its decoder talks to ({@link #session()}). That session runs nothing
 * itself: {@code prefill} and {@code step} record the tokens and return logits that the scheduler
 * fills in after the batched forward pass; {@code selectRows} is applied to the call's own
 * session before it joins, or to the call's rows of the batch session at the next step.
 *
 * <p>The call's thread uses {@link #session()}, {@link #start(Decoder)} and, after the member
 * was told {@link BatchMember#batchDone}, {@link #deviceNanos()}; everything else runs on the
 * scheduler thread. Internal.
 */
public final class ScheduledCall {

  enum State { NEW, WAITING, PREFILLING, READY, ACTIVE, DONE }

  final BatchScheduler scheduler;
  final BatchMember member;
  final BatchDemand demand;
  final Session session;

  // scheduler thread (written once by the call's thread before it is queued)
  Decoder decoder;
  State state = State.NEW;
  /** The call's own session: prefill chunks, then its rows until they join the batch session. */
  DecoderSession own;
  /**
   * The group the call is prefilled with (instead of {@link #own}), until it joins the batch; its
   * rows are then {@code [offset, offset + sharedRows)} of the group session. Null when alone.
   */
  PrefillGroup group;
  int prefilledColumns;
  /** The call's rows are {@code [offset, offset + sharedRows)} of the batch session (ACTIVE). */
  int offset;
  int sharedRows;
  int stepsDone;
  /** Recovered once from a failed batched step, with no successful step since. */
  boolean retried;
  /** Device time charged to this call; read by the call's thread after {@code batchDone}. */
  private long deviceNanos;

  /** Set from any thread: the call's session was cancelled or closed. */
  volatile boolean stopRequested;

  ScheduledCall(BatchScheduler scheduler, BatchMember member, BatchDemand demand, int vocab) {
    this.scheduler = scheduler;
    this.member = member;
    this.demand = demand;
    this.session = new Session(vocab);
  }

  /** The session the call's decoder must use (instead of a backend session). */
  public DecoderSession session() {
    return session;
  }

  /** Queues the call; from now on the scheduler thread drives {@code decoder}. Once only. */
  public void start(Decoder decoder) {
    Objects.requireNonNull(decoder, "decoder");
    if (this.decoder != null) {
      throw new IllegalStateException("the call was already started");
    }
    this.decoder = decoder;
    scheduler.submit(this);
  }

  /** Device time charged to this call so far, in nanoseconds of the generator's ticker. */
  public long deviceNanos() {
    return deviceNanos;
  }

  /** Wakes the scheduler (after a stop was requested through the call's own hooks). */
  public void wake() {
    scheduler.wake();
  }

  // ------------------------------------------------------------------ scheduler thread

  void charge(long nanos) {
    deviceNanos += Math.max(0, nanos);
  }

  /** The reason to stop the call now, or null. */
  FinishReason stopReason() {
    FinishReason r = member.pollStop();
    if (r == null && stopRequested) {
      r = FinishReason.CANCELLED;
    }
    return r;
  }

  /** Runs the decoder until it has recorded its prefill; false if it finished instead. */
  boolean driveToPrefill() {
    for (int i = 0; i < 4 && session.block == null; i++) {
      if (!decoder.advance()) {
        return false;
      }
    }
    if (session.block == null) {
      throw new IllegalStateException("the decoder did not prefill");
    }
    return true;
  }

  /** Runs the decoder until it has recorded its next step; false if it finished instead. */
  boolean driveToStep() {
    for (int i = 0; i < 4 && session.pendingStep == null; i++) {
      if (!decoder.advance()) {
        return false;
      }
    }
    if (session.pendingStep == null) {
      throw new IllegalStateException("the decoder did not step");
    }
    return true;
  }

  /** Positions per row of the session holding the call's rows while it is READY. */
  int readyPositions() {
    if (own != null) {
      return own.cachedPositions();
    }
    return group != null && group.session != null ? group.session.cachedPositions() : 0;
  }

  /** Decode steps this call may still run (worst case). */
  int remainingSteps() {
    return Math.max(0, demand.maxNewTokens() - stepsDone);
  }

  @Override
  public String toString() {
    return "ScheduledCall[" + member.name() + ", " + state + "]";
  }

  /**
   * The decoder's view of the batch. Keeps each row's real tokens (prompt and every token fed)
   * so that the call can be re-prefilled alone after a failed batched step.
   */
  final class Session implements DecoderSession {
    final DeferredLogits logits;
    long[][] block;
    int[] padding;
    /** Ids of the recorded, not yet run step; null when none. */
    long[] pendingStep;
    /** Composed selection over the call's batch rows recorded since the last step; null = none. */
    private int[] pendingSelection;
    private long[][] history = new long[0][];
    private int[] historyLength = new int[0];
    private int rows;
    /** The own session while it exists, for {@link #cancel()} from other threads. */
    volatile DecoderSession cancellable;
    private volatile boolean closed;

    Session(int vocab) {
      this.logits = new DeferredLogits(vocab);
    }

    @Override
    public Logits prefill(long[][] tokenIds, int[] leftPadding) {
      if (block != null) {
        throw new UnsupportedOperationException("a batched call prefills once");
      }
      if (tokenIds.length == 0 || tokenIds.length != leftPadding.length) {
        throw new IllegalArgumentException("prefill: " + tokenIds.length + " rows, " + leftPadding.length
            + " paddings");
      }
      int n = tokenIds.length;
      block = new long[n][];
      history = new long[n][];
      historyLength = new int[n];
      for (int r = 0; r < n; r++) {
        block[r] = tokenIds[r].clone();
        int real = tokenIds[r].length - leftPadding[r];
        history[r] = Arrays.copyOf(Arrays.copyOfRange(tokenIds[r], leftPadding[r], tokenIds[r].length),
            real + 16);
        historyLength[r] = real;
      }
      padding = leftPadding.clone();
      rows = n;
      logits.unbind();
      return logits;
    }

    @Override
    public Logits step(long[] tokenIds) {
      if (rows == 0 || tokenIds.length != rows) {
        throw new IllegalArgumentException("step: " + tokenIds.length + " ids for " + rows + " rows");
      }
      if (pendingStep != null) {
        throw new IllegalStateException("step: the previous step has not run yet");
      }
      pendingStep = tokenIds.clone();
      for (int r = 0; r < rows; r++) {
        if (historyLength[r] == history[r].length) {
          history[r] = Arrays.copyOf(history[r], history[r].length * 2);
        }
        history[r][historyLength[r]++] = tokenIds[r];
      }
      logits.unbind();
      return logits;
    }

    @Override
    public void selectRows(int[] sel) {
      if (sel.length == 0) {
        throw new IllegalArgumentException("rows: empty; keep at least one row");
      }
      for (int i = 0; i < sel.length; i++) {
        if (sel[i] < 0 || sel[i] >= rows) {
          throw new IllegalArgumentException("rows[" + i + "]: " + sel[i] + " not in [0, " + rows + ")");
        }
      }
      if (state == State.READY && own != null) {
        own.selectRows(sel);
      } else if (state == State.ACTIVE || state == State.READY) {
        // in the batch session, or in a group session before it joins: applied by the scheduler
        int[] composed = new int[sel.length];
        for (int i = 0; i < sel.length; i++) {
          composed[i] = pendingSelection == null ? sel[i] : pendingSelection[sel[i]];
        }
        pendingSelection = composed;
      } else {
        throw new IllegalStateException("selectRows in state " + state);
      }
      long[][] h = new long[sel.length][];
      int[] len = new int[sel.length];
      for (int i = 0; i < sel.length; i++) {
        h[i] = history[sel[i]].clone();
        len[i] = historyLength[sel[i]];
      }
      history = h;
      historyLength = len;
      rows = sel.length;
      logits.unbind();
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public int cachedPositions() {
      DecoderSession o = own;
      if (o != null) {
        return o.cachedPositions();
      }
      if (state == State.READY) {
        return readyPositions();
      }
      return state == State.ACTIVE ? scheduler.sharedPositions() : 0;
    }

    /** Any thread: stops the call at the scheduler's next iteration, aborting its own prefill. */
    @Override
    public void cancel() {
      stopRequested = true;
      DecoderSession o = cancellable;
      if (o != null) {
        o.cancel();
      }
      scheduler.stopRequested();
    }

    /** Closed by the call once done; before that, it stops the call like {@link #cancel()}. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        if (state != State.DONE) {
          cancel();
        }
      }
    }

    // ---------------------------------------------------------------- scheduler

    int maxPadding() {
      int m = 0;
      for (int p : padding) {
        m = Math.max(m, p);
      }
      return m;
    }

    /** Takes the selection recorded since the last step (null: keep every row as is). */
    int[] takeSelection() {
      int[] s = pendingSelection;
      pendingSelection = null;
      return s;
    }

    /** The prefill ran: its logits are the call's (one row per prompt). */
    void bindOwn(Logits l) {
      logits.bind(l, 0, l.rows());
    }

    /** The group prefill ran: the call's rows of its logits. */
    void bindGroup(Logits l, int from, int count) {
      logits.bind(l, from, count);
    }

    /** The batched step ran: the call's rows of its logits. */
    void bindStep(Logits l, int from, int count) {
      pendingStep = null;
      logits.bind(l, from, count);
    }

    /** Every row's real tokens, left-padded to the longest (the recovery prefill). */
    long[][] historyBlock(int[] leftPadding, int[] lengths, long padId) {
      int width = 0;
      for (int r = 0; r < rows; r++) {
        width = Math.max(width, historyLength[r]);
      }
      long[][] out = new long[rows][width];
      for (int r = 0; r < rows; r++) {
        int pad = width - historyLength[r];
        Arrays.fill(out[r], 0, pad, padId);
        System.arraycopy(history[r], 0, out[r], pad, historyLength[r]);
        leftPadding[r] = pad;
        lengths[r] = historyLength[r];
      }
      return out;
    }
  }
}

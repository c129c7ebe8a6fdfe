package io.costgen.core.internal.batching;

import io.costgen.core.FinishReason;
import io.costgen.core.GenerationCancelledException;
import io.costgen.core.Ticker;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Failure recovery for the scheduler: what runs when a batched operation or a prefill chunk
 * failed, each call re-prefilled alone in a fresh backend session, its time charged to it.
 * Scheduler thread only.
 */
final class Recovery {
  private final TransformerBackend backend;
  private final Ticker ticker;

  Recovery(TransformerBackend backend, Ticker ticker) {
    this.backend = backend;
    this.ticker = ticker;
  }

  /**
   * The batch session failed (and was closed): re-prefill each call of {@code members} alone
   * from its prompt and tokens so far, once. A call that was already retrying since its last
   * good step, or whose retry fails, is finished with the error; one that was stopped meanwhile
   * is finished without one.
   *
   * @param ready gets each call that is READY again (it joins the batch like a new one)
   * @param finish gets each call that is done, with its error or null
   */
  void reprefillAlone(List<ScheduledCall> members, Throwable error, BatchObserver observer,
      Consumer<ScheduledCall> ready, BiConsumer<ScheduledCall, Throwable> finish) {
    for (ScheduledCall c : members) {
      if (c.retried) {
        finish.accept(c, error);
        continue;
      }
      c.retried = true;
      FinishReason stop = c.stopReason();
      if (stop != null) {
        c.decoder.stop(stop);
        finish.accept(c, null);
        continue;
      }
      long t0 = ticker.read();
      try {
        c.own = backend.openSession();
        c.session.cancellable = c.own;
        int rows = c.session.rows();
        int[] pad = new int[rows];
        int[] lengths = new int[rows];
        long[][] block = c.session.historyBlock(pad, lengths, 0);
        t0 = ticker.read();
        Logits l = c.own.prefill(block, pad);
        c.charge(ticker.read() - t0);
        observer.prefilled(rows, block[0].length);
        c.member.usageCounter().prefill(lengths, rows);
        c.session.pendingStep = null;
        c.session.takeSelection();
        c.session.bindOwn(l);
        c.stepsDone++;
        c.state = ScheduledCall.State.READY;
        ready.accept(c);
      } catch (GenerationCancelledException e) {
        c.charge(ticker.read() - t0);
        c.decoder.stop(c.member.abortReason());
        finish.accept(c, null);
      } catch (Throwable t) {
        c.charge(ticker.read() - t0);
        if (t != error) {
          t.addSuppressed(error);
        }
        finish.accept(c, t);
      }
    }
  }

  /**
   * A later prefill chunk failed. Some graphs accept a multi-token block only on an empty cache
   * (onnxruntime-genai's attention-mask subgraph, for one): prefill the whole prompt in a fresh
   * session. Returns the logits, or null (after charging, with the call's own session left for
   * the scheduler to close) if that failed too; its error is then suppressed in {@code chunkError}.
   */
  Logits prefillWhole(ScheduledCall c, Throwable chunkError) {
    long t0 = ticker.read();
    try {
      c.own.close();
      c.own = backend.openSession();
      c.session.cancellable = c.own;
      t0 = ticker.read();
      Logits logits = c.own.prefill(c.session.block, c.session.padding);
      c.charge(ticker.read() - t0);
      return logits;
    } catch (Throwable t) {
      c.charge(ticker.read() - t0);
      chunkError.addSuppressed(t);
      return null;
    }
  }

  /**
   * A later chunk of a group prefill failed: prefill the group's whole block in a fresh session
   * (see {@link #prefillWhole}), its time split over the group's calls by rows. Returns the
   * logits (the group's session replaced), or null if that failed too (the fresh session closed;
   * its error suppressed in {@code chunkError}).
   */
  Logits prefillGroupWhole(PrefillGroup g, Throwable chunkError) {
    long t0 = ticker.read();
    try {
      g.session.close();
      g.session = backend.openSession();
      t0 = ticker.read();
      Logits logits = g.session.prefill(g.block, g.padding);
      DeviceTimeSplit.chargeByRows(g.members, ticker.read() - t0);
      return logits;
    } catch (Throwable t) {
      DeviceTimeSplit.chargeByRows(g.members, ticker.read() - t0);
      chunkError.addSuppressed(t);
      return null;
    }
  }
}

package io.costgen.core.internal.batching;

import io.costgen.core.FinishReason;
import io.costgen.core.internal.UsageCounter;

/**
 * The call side of a batched generation call, as the {@link BatchScheduler} sees it. Internal.
 * Every method is called on the scheduler thread and must not block.
 */
public interface BatchMember {

  /** {@link FinishReason#CANCELLED} / {@link FinishReason#DEADLINE} when the call must stop now, else null. */
  FinishReason pollStop();

  /** The finish reason for sequences cut short by an aborted prefill. */
  FinishReason abortReason();

  /** The call's work counter (the scheduler adds recovery prefills and shares weight reads). */
  UsageCounter usageCounter();

  /**
   * The scheduler is done with the call: its decoder finished (or was stopped), or {@code error}
   * (non-null) failed it. Called exactly once; afterwards the scheduler never touches the call.
   */
  void batchDone(Throwable error);

  /** For log messages (e.g. the request id). */
  String name();
}

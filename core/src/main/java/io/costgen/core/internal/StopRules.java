package io.costgen.core.internal;

import io.costgen.core.FinishReason;
import io.costgen.core.processor.StoppingCriterion;
import java.util.List;

/**
 * The per-sequence stopping criteria of a call, evaluated after each appended token, first hit
 * wins: EOS (any id), stop string, user criteria, then maximum length. Internal; immutable.
 */
public final class StopRules {
  private final long[] eos;
  private final StopStringMatcher stopStrings;
  private final StoppingCriterion[] user;

  public StopRules(List<Long> eosTokenIds, StopStringMatcher stopStrings, List<StoppingCriterion> user) {
    this.eos = eosTokenIds.stream().mapToLong(Long::longValue).toArray();
    this.stopStrings = stopStrings;
    this.user = user.toArray(new StoppingCriterion[0]);
  }

  public boolean isEos(long token) {
    for (long e : eos) {
      if (e == token) {
        return true;
      }
    }
    return false;
  }

  public int eosCount() {
    return eos.length;
  }

  /** Whether checks beyond EOS and length need the token sequence. */
  public boolean needsSequence() {
    return stopStrings != null || user.length > 0;
  }

  /**
   * The reason {@code tokens[0, length)} (whose last token was just appended) is finished, or
   * {@code null}.
   */
  public FinishReason check(long[] tokens, int length, int promptLength, int maxLength) {
    if (isEos(tokens[length - 1])) {
      return FinishReason.EOS;
    }
    if (stopStrings != null && stopStrings.matches(tokens, length)) {
      return FinishReason.STOP_STRING;
    }
    for (StoppingCriterion c : user) {
      if (c.shouldStop(tokens, length, promptLength)) {
        return FinishReason.STOPPING_CRITERION;
      }
    }
    if (length >= maxLength) {
      return FinishReason.LENGTH;
    }
    return null;
  }
}

package io.costgen.core;

import java.util.Locale;

/** Why a sequence stopped. */
public enum FinishReason {
  /** Reached {@code maxLength} / {@code maxNewTokens}. */
  LENGTH,
  /** Emitted an end-of-sequence token (kept in the output). */
  EOS,
  /** Its text ended with one of the stop strings (kept in the output). */
  STOP_STRING,
  /** The caller cancelled the call. */
  CANCELLED,
  /** The call's deadline passed. */
  DEADLINE,
  /** The budget reserved for the call ran out. */
  BUDGET,
  /** A user stopping criterion ended it. */
  STOPPING_CRITERION,
  /** The backend failed. */
  ERROR;

  /** Lower-case wire name, e.g. {@code "stop_string"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package io.costgen.core;

import java.util.Locale;

/**
 * Beam-search stopping rule, Hugging Face {@code early_stopping} ({@code True}, {@code False} or
 * {@code "never"}); only used when {@code numBeams > 1}.
 *
 * <ul>
 *   <li>{@link #TRUE}: stop a prompt's search as soon as {@code numBeams} hypotheses are finished.
 *   <li>{@link #FALSE} (default): stop when the best running beam, scored at its current generated
 *       length, cannot beat the worst finished hypothesis.
 *   <li>{@link #NEVER}: like {@code FALSE}, but with a positive length penalty the running beam is
 *       scored at the longest length it could reach ({@code maxLength − promptLength}); the
 *       canonical beam search when combined with {@code lengthPenalty = 0}.
 * </ul>
 *
 * <p>Source: transformers {@code generation/utils.py} {@code _check_early_stop_heuristic},
 * {@code _beam_search_has_unfinished_sequences}.
 */
public enum EarlyStopping {
  TRUE,
  FALSE,
  NEVER;

  /**
   * Parses the {@code generation_config.json} value: a JSON boolean or the string
   * {@code "never"} (also {@code "true"}/{@code "false"}, case-insensitive).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static EarlyStopping fromHuggingFace(Object value) {
    if (value instanceof Boolean b) {
      return b ? TRUE : FALSE;
    }
    if (value instanceof String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "never": return NEVER;
        case "true": return TRUE;
        case "false": return FALSE;
        default: break;
      }
    }
    throw new IllegalArgumentException(
        "earlyStopping (early_stopping): '" + value + "' is not one of true, false, \"never\"");
  }
}

package io.costgen.core.internal;

import io.costgen.core.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Text stop strings with Hugging Face {@code StopStringCriteria} semantics: a sequence stops when
 * its newest token completes a stop string, i.e. an occurrence of the stop string in the decoded
 * text ends inside the text that token added. The occurrence may start in earlier tokens (also in
 * the prompt) and the token may run past it ({@code ["st", "opera"]} stops on {@code "stop"}); an
 * occurrence lying wholly in text that existed before the token (e.g. in the prompt) never counts.
 *
 * <p>Text is decoded with special tokens kept (as Hugging Face matches against the tokens' own
 * strings), so a stop string that is the text of a special token ({@code <|im_end|>},
 * {@code <|eot_id|>}) matches when that token is generated. The window is the last tokens just
 * long enough to hold the longest stop string (two decodes per check). Internal; thread-safe if the tokenizer
 * is.
 */
public final class StopStringMatcher {
  private final Tokenizer tokenizer;
  private final String[] stops;
  private final int maxChars;

  public StopStringMatcher(Tokenizer tokenizer, List<String> stopStrings) {
    this.tokenizer = tokenizer;
    this.stops = stopStrings.toArray(new String[0]);
    int m = 0;
    for (String s : stops) {
      m = Math.max(m, s.length());
    }
    this.maxChars = m;
  }

  /** Whether {@code tokens[length − 1]} completes a stop string. */
  public boolean matches(long[] tokens, int length) {
    if (length == 0) {
      return false;
    }
    int window = maxChars + 2;
    String before;
    String after;
    while (true) {
      int start = Math.max(0, length - window);
      before = decode(tokens, start, length - 1);
      after = decode(tokens, start, length);
      // +1: decoders such as SentencePiece drop the first piece's leading space
      if (start == 0 || before.length() >= maxChars + 1) {
        break;
      }
      window *= 2;
    }
    int common = 0;
    int limit = Math.min(before.length(), after.length());
    while (common < limit && before.charAt(common) == after.charAt(common)) {
      common++;
    }
    if (common == after.length()) {
      return false; // the token added no text
    }
    for (String s : stops) {
      int from = Math.max(0, common - s.length() + 1);
      if (after.indexOf(s, from) >= 0) {
        return true;
      }
    }
    return false;
  }

  private String decode(long[] tokens, int from, int to) {
    if (from >= to) {
      return "";
    }
    return tokenizer.decode(Arrays.copyOfRange(tokens, from, to), false);
  }
}

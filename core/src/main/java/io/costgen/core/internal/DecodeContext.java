package io.costgen.core.internal;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.processor.LogitsProcessor;
import java.util.List;

/**
 * What a decoder needs for one call. Internal.
 *
 * @param prompts one token array per input (no padding)
 * @param maxLengths per input: total length limit in tokens
 * @param padId id written into padding positions (ignored by the backend)
 */
public record DecodeContext(
    DecoderSession session,
    int vocabSize,
    List<long[]> prompts,
    int[] maxLengths,
    long padId,
    List<LogitsProcessor> processors,
    StopRules stopRules,
    UsageCounter usage,
    DecodeHooks hooks) {

  /** Prefill block: prompts left-padded to the longest. */
  long[][] paddedPrompts(int[] leftPadding) {
    int width = 0;
    for (long[] p : prompts) {
      width = Math.max(width, p.length);
    }
    long[][] ids = new long[prompts.size()][width];
    for (int b = 0; b < ids.length; b++) {
      long[] p = prompts.get(b);
      int pad = width - p.length;
      leftPadding[b] = pad;
      java.util.Arrays.fill(ids[b], 0, pad, padId);
      System.arraycopy(p, 0, ids[b], pad, p.length);
    }
    return ids;
  }

  int[] promptLengths() {
    int[] lens = new int[prompts.size()];
    for (int b = 0; b < lens.length; b++) {
      lens[b] = prompts.get(b).length;
    }
    return lens;
  }
}

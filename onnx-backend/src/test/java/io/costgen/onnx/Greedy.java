package io.costgen.onnx;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import java.util.Arrays;

/** Plain greedy decode loops over the SPI, for tests. */
public final class Greedy {
  private Greedy() {}

  public static int argmax(float[] v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Next token of every row of {@code logits}. */
  public static long[] argmaxRows(Logits logits) {
    float[] row = new float[logits.vocabSize()];
    long[] next = new long[logits.rows()];
    for (int r = 0; r < next.length; r++) {
      logits.copyRow(r, row);
      next[r] = argmax(row, logits.vocabSize());
    }
    return next;
  }

  /** Prompt + {@code newTokens} greedy tokens, one row, with the KV cache. */
  public static long[] generate(TransformerBackend backend, long[] prompt, int newTokens) {
    return generateBatch(backend, new long[][] {prompt}, newTokens)[0];
  }

  /** Each prompt followed by {@code newTokens} greedy tokens, in one left-padded batch. */
  public static long[][] generateBatch(TransformerBackend backend, long[][] prompts, int newTokens) {
    int b = prompts.length;
    int width = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
    long[][] ids = new long[b][width];
    int[] pad = new int[b];
    for (int r = 0; r < b; r++) {
      pad[r] = width - prompts[r].length;
      System.arraycopy(prompts[r], 0, ids[r], pad[r], prompts[r].length);
    }
    long[][] out = new long[b][];
    for (int r = 0; r < b; r++) {
      out[r] = Arrays.copyOf(prompts[r], prompts[r].length + newTokens);
    }
    try (DecoderSession s = backend.openSession()) {
      Logits logits = s.prefill(ids, pad);
      for (int t = 0; t < newTokens; t++) {
        long[] next = argmaxRows(logits);
        for (int r = 0; r < b; r++) {
          out[r][prompts[r].length + t] = next[r];
        }
        if (t + 1 < newTokens) {
          logits = s.step(next);
        }
      }
    }
    return out;
  }

  /**
   * Prompt + {@code newTokens} greedy tokens recomputing from scratch each step: every token
   * comes from a fresh session prefilled with the whole sequence so far.
   */
  public static long[] generateByRecompute(TransformerBackend backend, long[] prompt, int newTokens) {
    long[] seq = Arrays.copyOf(prompt, prompt.length + newTokens);
    for (int t = 0; t < newTokens; t++) {
      int len = prompt.length + t;
      try (DecoderSession s = backend.openSession()) {
        Logits logits = s.prefill(new long[][] {Arrays.copyOf(seq, len)}, new int[] {0});
        seq[len] = argmaxRows(logits)[0];
      }
    }
    return seq;
  }
}

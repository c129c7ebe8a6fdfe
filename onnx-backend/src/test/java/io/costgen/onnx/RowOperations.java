package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import java.util.Arrays;

/** Checks selectRows/appendRows against single-row greedy runs, for any model. */
final class RowOperations {
  private RowOperations() {}

  /**
   * Prompt 0 and 1 in one session, 3 steps; prompt 2 alone, 6 steps; selectRows([1, 0, 1]),
   * then appendRows of the second session (a different length): 10 more steps must follow each
   * row's single-row greedy continuation.
   */
  static void checkSelectAndAppend(TransformerBackend backend, long[][] prompts) {
    int steps = 20;
    long[][] alone = new long[3][];
    for (int r = 0; r < 3; r++) {
      alone[r] = Greedy.generate(backend, prompts[r], steps);
    }
    try (DecoderSession a = backend.openSession(); DecoderSession b = backend.openSession()) {
      int width = Math.max(prompts[0].length, prompts[1].length);
      long[][] ids = new long[2][width];
      int[] pad = {width - prompts[0].length, width - prompts[1].length};
      System.arraycopy(prompts[0], 0, ids[0], pad[0], prompts[0].length);
      System.arraycopy(prompts[1], 0, ids[1], pad[1], prompts[1].length);
      Logits la = a.prefill(ids, pad);
      int[] madeA = {0, 0};
      for (int t = 0; t < 3; t++) {
        long[] next = Greedy.argmaxRows(la);
        for (int r = 0; r < 2; r++) {
          assertThat(next[r]).isEqualTo(alone[r][prompts[r].length + t]);
        }
        la = a.step(next);
        madeA[0]++;
        madeA[1]++;
      }
      Logits lb = b.prefill(new long[][] {prompts[2]}, new int[] {0});
      int madeB = 0;
      for (int t = 0; t < 6; t++) {
        long next = Greedy.argmaxRows(lb)[0];
        assertThat(next).isEqualTo(alone[2][prompts[2].length + t]);
        lb = b.step(new long[] {next});
        madeB++;
      }
      a.selectRows(new int[] {1, 0, 1});
      a.appendRows(b);
      assertThat(a.rows()).isEqualTo(4);
      int[] source = {1, 0, 1, 2};
      int[] made = {madeA[1], madeA[0], madeA[1], madeB};
      // Feed each row its pending token (the reference's next), then compare what follows.
      long[] pending = new long[4];
      for (int r = 0; r < 4; r++) {
        pending[r] = alone[source[r]][prompts[source[r]].length + made[r]];
        made[r]++;
      }
      Logits l = a.step(pending);
      for (int t = 0; t < 8; t++) {
        long[] next = Greedy.argmaxRows(l);
        for (int r = 0; r < 4; r++) {
          assertThat(next[r]).as("row %d (prompt %d) token %d", r, source[r], made[r])
              .isEqualTo(alone[source[r]][prompts[source[r]].length + made[r]]);
          made[r]++;
        }
        l = a.step(next);
      }
      assertThat(Arrays.stream(made).max().orElseThrow()).isLessThanOrEqualTo(steps);
    }
  }
}

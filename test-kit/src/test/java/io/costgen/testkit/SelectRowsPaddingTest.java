package io.costgen.testkit;

import io.costgen.onnx.Greedy;
import io.costgen.onnx.OnnxBackend;
import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DecoderSession#selectRows} drops the padding columns every kept row shares: when the
 * long row of a left-padded batch leaves, the session shrinks to the short row's length, and the
 * kept rows continue exactly as they would alone (every test model and synthetic layout).
 */
class SelectRowsPaddingTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.costgen.testkit.LastPositionLogitsTest#models")
  void keptRows_loseSharedPadding_andDecodeAsAlone(LastPositionLogitsTest.Case c) {
    long[] longPrompt = {5, 9, 13, 2, 7, 11, 3, 8};
    long[] shortPrompt = {4, 8, 6};
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(c.dir()).intraOpThreads(1)
        .allowSpinning(false).build()) {
      long[] alone = Greedy.generate(backend, shortPrompt, 8);
      try (DecoderSession s = backend.openSession()) {
        long[][] ids = new long[2][8];
        ids[0] = longPrompt;
        System.arraycopy(shortPrompt, 0, ids[1], 5, 3);
        Logits logits = s.prefill(ids, new int[] {0, 5});
        long[] made = Arrays.copyOf(shortPrompt, shortPrompt.length + 8);
        int n = shortPrompt.length;
        for (int t = 0; t < 2; t++) {
          long[] next = Greedy.argmaxRows(logits);
          made[n++] = next[1];
          logits = s.step(next);
        }
        assertThat(s.cachedPositions()).isEqualTo(10);
        long next = Greedy.argmaxRows(logits)[1];
        made[n++] = next;
        s.selectRows(new int[] {1, 1});
        assertThat(s.cachedPositions()).as("5 shared padding columns dropped").isEqualTo(5);
        assertThat(s.rows()).isEqualTo(2);
        logits = s.step(new long[] {next, next});
        for (int t = 0; t < 5; t++) {
          long[] both = Greedy.argmaxRows(logits);
          assertThat(both[0]).isEqualTo(both[1]);
          made[n++] = both[0];
          if (t < 4) {
            logits = s.step(both);
          }
        }
        assertThat(made).containsExactly(alone);
      }
    }
  }
}

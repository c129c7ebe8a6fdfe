package io.costgen.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.BackendException;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import io.costgen.core.testing.ToyBackend;
import org.junit.jupiter.api.Test;

/** The offloading wrapper is transparent on platform threads (every Java version). */
class NativeOffloadTest {

  @Test
  void onAPlatformThread_passesRunHere_andSessionsStillMerge() {
    ToyBackend toy = ToyBackend.builder().build();
    TransformerBackend wrapped = NativeOffload.wrapAlways(toy);
    long before = NativeOffload.offloadedPasses();
    try (DecoderSession a = wrapped.openSession(); DecoderSession b = wrapped.openSession()) {
      Logits la = a.prefill(new long[][] {{1, 2, 3}}, new int[] {0});
      b.prefill(new long[][] {{4, 5}}, new int[] {0});
      float[] row = new float[la.vocabSize()];
      la.copyRow(0, row);
      assertThat(row).containsExactly(toy.logitsFor(1, 2, 3));

      a.appendRows(b); // the toy session only accepts its own kind: the wrapper hands over the delegate

      assertThat(toy.appends()).isEqualTo(1);
      assertThat(a.rows()).isEqualTo(2);
      assertThat(a.cachedPositions()).isEqualTo(3);
      a.step(new long[] {7, 8});
      a.selectRows(new int[] {1});
      assertThat(a.rows()).isEqualTo(1);
    }
    assertThat(toy.sessionsClosed()).isEqualTo(2);
    assertThat(NativeOffload.offloadedPasses()).isEqualTo(before);
    assertThat(wrapped.modelInfo()).isSameAs(toy.modelInfo());
    assertThat(NativeOffload.wrapAlways(wrapped)).isSameAs(wrapped);
    assertThat(NativeOffload.isVirtual(Thread.currentThread())).isFalse();
    assertThat(NativeOffload.virtualThreadsSupported()).isEqualTo(Runtime.version().feature() >= 21);
  }

  @Test
  void failuresAndCancellationPassThrough() {
    ToyBackend toy = ToyBackend.builder().failAtForwardPass(1).build();
    try (DecoderSession s = NativeOffload.wrapAlways(toy).openSession()) {
      s.prefill(new long[][] {{1, 2}}, new int[] {0});
      assertThatThrownBy(() -> s.step(new long[] {3})).isInstanceOf(BackendException.class)
          .hasMessageContaining("forward pass 1");
      s.cancel();
      assertThatThrownBy(() -> s.step(new long[] {3})).isInstanceOf(io.costgen.core.GenerationCancelledException.class);
    }
  }
}

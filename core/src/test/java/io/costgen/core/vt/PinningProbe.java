package io.costgen.core.vt;

import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.internal.NativeOffload;
import io.costgen.core.testing.ToyBackend;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Child-JVM program for {@link VirtualThreadPinningTest}, run with one carrier thread
 * ({@code -Djdk.virtualThreadScheduler.parallelism=1}). A generation call on a virtual thread
 * reaches a forward pass that busy-spins (like a long native call: it never yields its thread)
 * until an unrelated virtual task sets a flag. When the pass runs on the calling virtual thread it
 * holds the only carrier, the flag task never runs and the program never ends; when the pass is
 * offloaded to a platform thread the caller parks, the flag task runs and the call completes.
 * Prints {@code completed tokens=[...] passThread=<name> offloaded=<n>} and exits 0.
 */
public final class PinningProbe {
  static volatile boolean flag;

  public static void main(String[] args) throws Exception {
    CountDownLatch inSpinningPass = new CountDownLatch(1);
    AtomicReference<String> passThread = new AtomicReference<>();
    ToyBackend backend = ToyBackend.builder().vocabSize(64).eosTokenIds(63).logits((tokens, length, out) -> {
      Arrays.fill(out, 0f);
      out[(int) ((tokens[length - 1] + 1) % 64)] = 5f;
    }).onForwardPass(i -> {
      if (i == 1) {
        passThread.set(Thread.currentThread().getName());
        inSpinningPass.countDown();
        while (!flag) {
          Thread.onSpinWait();
        }
      }
    }).build();
    TextGenerator generator = TextGenerator.builder(backend).build();
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread caller = VirtualThreadStarter.start("caller", () -> {
      try {
        GenerationResult r = generator.generate(new long[][] {{1, 2, 3}}, GenerationConfig.builder().maxNewTokens(4).build());
        outcome.set(r);
      } catch (Throwable t) {
        outcome.set(t);
      }
    });
    inSpinningPass.await(); // this (platform) thread is not a carrier
    VirtualThreadStarter.start("unrelated", () -> flag = true);
    caller.join();
    if (outcome.get() instanceof GenerationResult r) {
      System.out.println("completed tokens=" + Arrays.toString(r.first().tokenIds()) + " passThread=" + passThread.get()
          + " offloaded=" + NativeOffload.offloadedPasses());
      return;
    }
    ((Throwable) outcome.get()).printStackTrace();
    System.exit(1);
  }
}

package io.costgen.core.vt;

import io.costgen.core.BackendException;
import io.costgen.core.BatchingPolicy;
import io.costgen.core.Cancellation;
import io.costgen.core.FinishReason;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.internal.NativeOffload;
import io.costgen.core.testing.ToyBackend;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Child-JVM program for {@link VirtualThreadPinningTest} (Java 21+): what a virtual caller sees
 * through the offload is what a platform caller sees. Prints one line per check:
 * {@code failure=<exception class>: <message> thread=<thread that ran the failing pass>},
 * {@code cancelled=<finish reason> tokens=<n>}, {@code batched=<ids of each call>} and
 * {@code unbatched=<ids of each call>}, then {@code offloaded=<n>}.
 */
public final class OffloadSemanticsProbe {
  public static void main(String[] args) throws Exception {
    GenerationConfig config = GenerationConfig.builder().maxNewTokens(6).build();

    // 1. a backend failure inside an offloaded pass reaches the virtual caller unchanged
    AtomicReference<String> failingThread = new AtomicReference<>();
    ToyBackend failing = ToyBackend.builder().failAtForwardPass(2)
        .onForwardPass(i -> failingThread.set(Thread.currentThread().getName())).build();
    Object failure = onVirtualThread(() -> TextGenerator.builder(failing).build()
        .generate(new long[][] {{1, 2, 3}}, config));
    Throwable t = (Throwable) failure;
    System.out.println("failure=" + t.getClass().getSimpleName() + ": " + t.getMessage() + " thread="
        + failingThread.get() + " instanceofBackend=" + (t instanceof BackendException));

    // 2. cancelling from another thread aborts an offloaded pass
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    ToyBackend blocking = ToyBackend.builder().eosTokenIds(63).onForwardPass(i -> {
      if (i == 2) {
        entered.countDown();
        released.await();
      }
    }).onCancel(released::countDown).build();
    Cancellation cancellation = Cancellation.create();
    TextGenerator g = TextGenerator.builder(blocking).build();
    AtomicReference<Object> cancelled = new AtomicReference<>();
    Thread caller = VirtualThreadStarter.start("cancelled-caller", () -> cancelled.set(capture(() -> g.generate(
        GenerationRequest.builder().tokenIds(new long[][] {{1, 2, 3}})
            .config(GenerationConfig.builder().maxNewTokens(20).build()).cancellation(cancellation).build()))));
    entered.await();
    cancellation.cancel();
    caller.join();
    GenerationResult c = (GenerationResult) cancelled.get();
    System.out.println("cancelled=" + c.first().finishReason() + " tokens=" + c.first().generatedTokenIds().length);

    // 3. batched calls from virtual threads (sessions merged through the offload) equal unbatched ones
    ToyBackend toy = ToyBackend.builder().eosTokenIds(63).build();
    TextGenerator batched = TextGenerator.builder(toy).batching(BatchingPolicy.defaults()).build();
    TextGenerator unbatched = TextGenerator.builder(toy).build();
    String[] b = new String[4];
    String[] u = new String[4];
    Thread[] threads = new Thread[4];
    for (int i = 0; i < 4; i++) {
      int k = i;
      long[][] prompt = {{1 + k, 5, 9 + k}};
      threads[i] = VirtualThreadStarter.start("batched-" + k, () -> {
        b[k] = Arrays.toString(batched.generate(prompt, config).first().tokenIds());
        u[k] = Arrays.toString(unbatched.generate(prompt, config).first().tokenIds());
      });
    }
    for (Thread th : threads) {
      th.join();
    }
    System.out.println("batched=" + String.join(" ", b));
    System.out.println("unbatched=" + String.join(" ", u));
    System.out.println("appends=" + toy.appends());
    System.out.println("offloaded=" + NativeOffload.offloadedPasses());
    if (c.first().finishReason() != FinishReason.CANCELLED) {
      System.exit(1);
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static Object capture(Call call) {
    try {
      return call.run();
    } catch (Throwable e) {
      return e;
    }
  }

  private static Object onVirtualThread(Call call) throws InterruptedException {
    AtomicReference<Object> out = new AtomicReference<>();
    VirtualThreadStarter.start("probe", () -> out.set(capture(call))).join();
    return out.get();
  }
}

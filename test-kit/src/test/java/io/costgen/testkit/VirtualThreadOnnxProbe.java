package io.costgen.testkit;

import io.costgen.core.GenerationConfig;
import io.costgen.core.TextGenerator;
import io.costgen.core.internal.NativeOffload;
import io.costgen.core.vt.VirtualThreadStarter;
import io.costgen.onnx.OnnxBackend;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Child-JVM program for {@link VirtualThreadOnnxTest} (Java 21+): greedy generation on the ONNX
 * model in {@code args[0]} from a platform thread, then from four virtual threads at once. Prints
 * {@code platform=[ids]}, one {@code virtual=[ids]} line per virtual caller, and
 * {@code offloaded=<passes run on the platform pool>}.
 */
public final class VirtualThreadOnnxProbe {
  public static void main(String[] args) throws Exception {
    long[][] prompt = {{5, 17, 42, 7}};
    GenerationConfig config = GenerationConfig.builder().maxNewTokens(12).build();
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(Path.of(args[0])).intraOpThreads(1).build();
         TextGenerator generator = TextGenerator.builder(backend).build()) {
      System.out.println("platform=" + Arrays.toString(generator.generate(prompt, config).first().tokenIds()));
      long before = NativeOffload.offloadedPasses();
      AtomicReferenceArray<Object> outcomes = new AtomicReferenceArray<>(4);
      Thread[] callers = new Thread[4];
      for (int i = 0; i < callers.length; i++) {
        int index = i;
        callers[i] = VirtualThreadStarter.start("virtual-caller-" + i, () -> {
          try {
            outcomes.set(index, Arrays.toString(generator.generate(prompt, config).first().tokenIds()));
          } catch (Throwable t) {
            outcomes.set(index, t);
          }
        });
      }
      for (Thread t : callers) {
        t.join();
      }
      for (int i = 0; i < callers.length; i++) {
        if (outcomes.get(i) instanceof Throwable t) {
          t.printStackTrace();
          System.exit(1);
        }
        System.out.println("virtual=" + outcomes.get(i));
      }
      System.out.println("offloaded=" + (NativeOffload.offloadedPasses() - before));
    }
  }
}

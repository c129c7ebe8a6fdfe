package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Native-memory leak check: many short decode calls must not grow the process's resident set.
 * A leak of one KV cache per call (10 tensors of 640 bytes plus ONNX Runtime's per-value
 * overhead) would add well over the bound over 10,000 calls.
 */
class OnnxBackendNativeMemoryTest {

  private static final int WARM_UP = 1_000;
  private static final int CALLS = 10_000;
  private static final long BOUND_BYTES = 24L << 20;

  /**
   * Runs the calls in a child JVM with a fixed, pre-touched heap, so that the resident set can only
   * grow through native memory and is not disturbed by other test classes' garbage.
   */
  @Test
  void tenThousandShortDecodeCalls_doNotGrowResidentMemory() throws Exception {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(javaBin.toString(), "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Child.class.getName(),
        Stories260k.dir().toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)).as(out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    String result = out.lines().filter(l -> l.startsWith("RSS ")).findFirst()
        .orElseThrow(() -> new AssertionError("child printed no RSS line:\n" + out));
    String[] parts = result.split(" ");
    long before = Long.parseLong(parts[1]);
    long after = Long.parseLong(parts[2]);
    long open = Long.parseLong(parts[3]);
    assertThat(open).as("sessions left open").isZero();
    assertThat(after - before)
        .as("VmRSS grew from %d KiB to %d KiB over %d calls", before >> 10, after >> 10, CALLS)
        .isLessThan(BOUND_BYTES);
  }

  /** The child process: warm up, measure, run the calls, measure; prints {@code RSS before after openSessions}. */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      try (OnnxBackend backend = OnnxBackend.builder().modelDir(Path.of(args[0])).intraOpThreads(1).build()) {
        long checksum = run(backend, WARM_UP);
        System.gc();
        long before = residentBytes();
        checksum += run(backend, CALLS);
        System.gc();
        long after = residentBytes();
        if (checksum <= 0) {
          throw new AssertionError("no tokens were decoded");
        }
        System.out.println("RSS " + before + " " + after + " " + backend.openSessions());
      }
    }
  }

  private static long run(OnnxBackend backend, int calls) {
    long sum = 0;
    float[] row = new float[512];
    long[][] prompt = {{1, 403, 407}};
    int[] noPad = {0};
    long[] next = new long[1];
    for (int i = 0; i < calls; i++) {
      try (DecoderSession s = backend.openSession()) {
        Logits l = s.prefill(prompt, noPad);
        for (int t = 0; t < 2; t++) {
          l.copyRow(0, row);
          next[0] = Greedy.argmax(row, 512);
          l = s.step(next);
        }
        l.copyRow(0, row);
        sum += Greedy.argmax(row, 512);
      }
    }
    return sum;
  }

  /** VmRSS of this process from /proc/self/status, in bytes. */
  private static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new AssertionError("no VmRSS in /proc/self/status (this check needs Linux)");
  }
}

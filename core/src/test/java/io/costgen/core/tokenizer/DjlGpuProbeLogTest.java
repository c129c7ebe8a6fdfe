package io.costgen.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.testing.ChildJvm;
import io.costgen.core.testing.SharedModels;
import java.lang.reflect.Field;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a tokenizer keeps DJL's GPU probe out of the host's log: on a machine with a CUDA
 * runtime but no usable GPU, DJL used to log {@code WARN ai.djl.util.cuda.CudaUtils - Failed to
 * detect GPU count ...} twice. The child JVM logs through the tests' SLF4J binding (slf4j-simple,
 * INFO, to stderr), as a host app would, with nothing configured for DJL.
 */
class DjlGpuProbeLogTest {

  /** Opens a tokenizer and prints whether DJL's probe logging is still on. */
  public static void main(String[] args) throws Exception {
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.open(Path.of(args[0]))) {
      System.out.println("ids=" + t.encode("Once upon a time").length);
    }
    System.out.println("djlProbeLogging=" + probeLogging());
  }

  static boolean probeLogging() throws ReflectiveOperationException {
    Field f = Class.forName("ai.djl.util.cuda.CudaUtils").getDeclaredField("logging");
    f.setAccessible(true);
    return f.getBoolean(null);
  }

  @Test
  void openingATokenizer_logsNoGpuProbeWarnings(@TempDir Path dir) throws Exception {
    Path model = SharedModels.model(SharedModels.STORIES_260K);
    ChildJvm.Result r = ChildJvm.of(DjlGpuProbeLogTest.class).args(model.toString()).run(dir);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).as(r.describe()).contains("ids=5", "djlProbeLogging=false");
    assertThat(r.err()).as(r.describe()).doesNotContain("CudaUtils").doesNotContain("GPU");
  }

  @Test
  void theHostCanKeepDjlsProbeWarnings(@TempDir Path dir) throws Exception {
    Path model = SharedModels.model(SharedModels.STORIES_260K);
    ChildJvm.Result r = ChildJvm.of(DjlGpuProbeLogTest.class)
        .jvmArg("-D" + HuggingFaceTokenizer.GPU_PROBE_WARNINGS + "=true").args(model.toString()).run(dir);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).as(r.describe()).contains("djlProbeLogging=true");
  }
}

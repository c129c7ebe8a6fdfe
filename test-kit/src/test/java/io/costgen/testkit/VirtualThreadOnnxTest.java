package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ONNX Runtime call from a virtual thread (child JVM on Java 21+) runs its forward passes on
 * the platform pool and gives exactly the platform thread's tokens.
 */
class VirtualThreadOnnxTest {
  @TempDir
  Path tmp;

  @Test
  void callsFromVirtualThreads_giveThePlatformThreadsTokens_withTheirPassesOffloaded() throws Exception {
    Path model = tmp.resolve("gpt2");
    SyntheticModels.gpt2().layers(2).hidden(64).heads(4).vocab(512).context(64).initStd(0.1).seed(7).build()
        .writeTo(model, Layout.WITH_PAST);

    ChildJvm.Result r = ChildJvm.of(VirtualThreadOnnxProbe.class).javaHome(ChildJvm.virtualThreadJdk())
        .jvmArg("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
        .args(model.toString()).run(tmp);

    assertThat(r.exitCode()).as(r.describe()).isZero();
    List<String> lines = r.out().lines().toList();
    String platform = lines.stream().filter(l -> l.startsWith("platform=")).findFirst().orElseThrow()
        .substring("platform=".length());
    assertThat(platform).as(r.describe()).startsWith("[5, 17, 42, 7, ");
    int generated = platform.split(",").length - 4;
    assertThat(lines.stream().filter(l -> l.startsWith("virtual=")).map(l -> l.substring("virtual=".length())))
        .as(r.describe()).hasSize(4).containsOnly(platform);
    // each call: one pass per generated token (the prefill gives the first), all on the platform pool
    assertThat(lines).as(r.describe()).contains("offloaded=" + 4 * generated);
  }
}

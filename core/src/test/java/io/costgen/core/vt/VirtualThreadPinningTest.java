package io.costgen.core.vt;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.internal.NativeOffload;
import io.costgen.core.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native forward passes of virtual callers do not pin carriers: proven without timings, in a
 * child JVM on Java 21+ with a single carrier ({@link PinningProbe}). With the offload the
 * program completes; with the offload switched off the same program deadlocks (its unrelated
 * virtual task never runs), which shows the probe really detects pinning.
 */
class VirtualThreadPinningTest {
  @TempDir
  Path tmp;

  private static ChildJvm probe(boolean offload) {
    return ChildJvm.of(PinningProbe.class).javaHome(ChildJvm.virtualThreadJdk())
        .jvmArg("-Djdk.virtualThreadScheduler.parallelism=1")
        .jvmArg("-Djdk.virtualThreadScheduler.maxPoolSize=1")
        .jvmArg("-D" + NativeOffload.ENABLED_PROPERTY + "=" + offload)
        .jvmArg("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
  }

  @Test
  void aVirtualCallersForwardPass_runsOnAPlatformThread_andLeavesTheOnlyCarrierFree() throws Exception {
    ChildJvm.Result r = probe(true).timeout(Duration.ofMinutes(2)).run(tmp);

    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).as(r.describe()).contains("completed tokens=[1, 2, 3, 4, 5, 6, 7]")
        .contains("passThread=costgen-native-").doesNotContain("offloaded=0");
  }

  @Test
  void withoutTheOffload_theSameProgramDeadlocks() throws Exception {
    ChildJvm.Running child = probe(false).start(tmp);
    try {
      // A deadlock never ends: any wait shows it. The child reaching the end would mean the probe
      // cannot see pinning, and the test above would prove nothing.
      assertThat(child.waitFor(Duration.ofSeconds(5))).as("the pinned program should never finish").isFalse();
      assertThat(child.isAlive()).isTrue();
    } finally {
      child.kill();
    }
  }

  @Test
  void throughTheOffload_failuresCancellationAndBatchingBehaveAsOnPlatformThreads() throws Exception {
    ChildJvm.Result r = ChildJvm.of(OffloadSemanticsProbe.class).javaHome(ChildJvm.virtualThreadJdk())
        .jvmArg("-Dorg.slf4j.simpleLogger.defaultLogLevel=error").timeout(Duration.ofMinutes(2)).run(tmp);

    assertThat(r.exitCode()).as(r.describe()).isZero();
    String out = r.out();
    assertThat(out).as(r.describe())
        .contains("failure=BackendException: toy backend: injected failure at forward pass 2 thread=costgen-native-")
        .contains("instanceofBackend=true")
        .contains("cancelled=CANCELLED tokens=2");
    String batched = line(out, "batched=");
    assertThat(batched).as(r.describe()).isEqualTo(line(out, "unbatched=")).contains("[1, 5, 9, ");
    assertThat(Long.parseLong(line(out, "offloaded="))).isPositive();
  }

  private static String line(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(
        "no line " + prefix + " in:\n" + out)).substring(prefix.length());
  }
}

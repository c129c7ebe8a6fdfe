package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.testing.ChildJvm;
import io.costgen.onnx.internal.NativeLibraryCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a fresh process shows about loading ONNX Runtime: a host JVM with a long class path
 * (IDE runs, {@code mvn exec}, app servers) can open a model (ONNX Runtime 1.29.0's telemetry
 * client crashed such JVMs with SIGSEGV), nothing is written under {@code ~/.cache/Microsoft}, and
 * no {@code onnxruntime-java*} folder is left in the temp directory because the native libraries
 * come from costgen's versioned cache.
 */
class OnnxRuntimeProcessTest {

  @TempDir static Path work;
  static Path home;
  static Path tmp;
  static ChildJvm.Result child;

  /** Opens stories260k, generates 8 greedy tokens and prints them. */
  public static final class OpenAndGenerate {
    public static void main(String[] args) {
      try (OnnxBackend backend = OnnxBackend.open(Path.of(args[0]))) {
        GenerationResult r = TextGenerator.builder(backend).build().generate(GenerationRequest.builder()
            .tokenIds(new long[][] {Stories260k.PROMPTS[0]})
            .config(GenerationConfig.builder().maxNewTokens(8).build()).build());
        System.out.println("TOKENS " + Arrays.toString(r.first().tokenIds()));
        System.out.println("NATIVE " + System.getProperty(NativeLibraryCache.ORT_NATIVE_PATH));
      }
    }
  }

  @BeforeAll
  static void runChildWithLongClassPathFreshHomeAndTempDir() throws Exception {
    home = Files.createDirectories(work.resolve("home"));
    tmp = Files.createDirectories(work.resolve("tmp"));
    child = ChildJvm.of(OpenAndGenerate.class)
        .classPath(ChildJvm.paddedClassPath(20_000))
        .jvmArg("-Duser.home=" + home)
        .jvmArg("-Djava.io.tmpdir=" + tmp)
        .env("HOME", home.toString())
        .env("COSTGEN_CACHE", "")
        .args(Stories260k.dir().toString())
        .run(work.resolve("logs"));
  }

  @Test
  void open_inHostJvmWith20KbClassPath_loadsModelAndGenerates() {
    assertThat(String.join(" ", child_command())).hasSizeGreaterThan(20_000);
    assertThat(child.exitCode()).as(child.describe()).isZero();
    long[] expected = Arrays.copyOf(Stories260k.EXPECTED[0], Stories260k.PROMPTS[0].length + 8);
    assertThat(child.out()).as(child.describe()).contains("TOKENS " + Arrays.toString(expected));
  }

  @Test
  void freshHome_hasNoTelemetryFilesAfterARun() throws IOException {
    assertThat(child.exitCode()).as(child.describe()).isZero();
    assertThat(home.resolve(".cache/Microsoft")).as("ONNX Runtime telemetry folder").doesNotExist();
    assertThat(listAll(home)).noneMatch(p -> p.toString().toLowerCase(java.util.Locale.ROOT).contains("onnxruntime.db")
        || p.getFileName().toString().equals("deviceid"));
  }

  @Test
  void run_leavesNothingInTempDir_andLoadsNativesFromVersionedCache() throws IOException {
    assertThat(child.exitCode()).as(child.describe()).isZero();
    assertThat(listAll(tmp)).as("left in java.io.tmpdir").isEmpty();
    Path cache = home.resolve(".cache/costgen/native");
    assertThat(child.out()).contains("NATIVE " + cache);
    try (Stream<Path> versions = Files.list(cache)) {
      Path versionDir = versions.findFirst().orElseThrow();
      assertThat(versionDir.getFileName().toString()).isEqualTo(io.costgen.onnx.internal.OrtRuntime.environment().getVersion());
      try (Stream<Path> platforms = Files.list(versionDir)) {
        Path platform = platforms.findFirst().orElseThrow();
        assertThat(platform.resolve(System.mapLibraryName("onnxruntime"))).isRegularFile();
        assertThat(listAll(platform)).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
      }
    }
  }

  @Test
  void concurrentFirstRuns_shareOneCacheFolder_andAllLoad() throws Exception {
    Path cacheRoot = work.resolve("shared-cache");
    List<ChildJvm.Running> running = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      running.add(ChildJvm.of(OpenAndGenerate.class)
          .jvmArg("-D" + NativeLibraryCache.CACHE_PROPERTY + "=" + cacheRoot)
          .args(Stories260k.dir().toString())
          .start(work.resolve("logs-" + i)));
    }
    for (ChildJvm.Running r : running) {
      ChildJvm.Result result = r.await();
      assertThat(result.exitCode()).as(result.describe()).isZero();
      assertThat(result.out()).contains("NATIVE " + cacheRoot.resolve("native"));
    }
    assertThat(listAll(cacheRoot)).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
  }

  private static List<String> child_command() {
    return ChildJvm.of(OpenAndGenerate.class).classPath(ChildJvm.paddedClassPath(20_000)).command();
  }

  private static List<Path> listAll(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir)).toList();
    }
  }
}

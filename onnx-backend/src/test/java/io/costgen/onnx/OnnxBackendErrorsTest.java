package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.ModelLoadException;
import io.costgen.cost.CostgenException;
import io.costgen.onnx.internal.CudaLibraries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clear failures, each naming the path or field and what was expected. */
class OnnxBackendErrorsTest {

  @TempDir Path tmp;

  private static OnnxBackend stories;

  @BeforeAll
  static void load() {
    stories = OnnxBackend.builder().modelDir(Stories260k.dir()).intraOpThreads(1).build();
  }

  @AfterAll
  static void unload() {
    stories.close();
  }

  @Test
  void open_missingDirectory_namesIt() {
    Path missing = tmp.resolve("no-such-model");
    assertThatThrownBy(() -> OnnxBackend.open(missing))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void open_fileInsteadOfDirectory_saysSo() throws IOException {
    Path file = Files.writeString(tmp.resolve("model.onnx"), "x");
    assertThatThrownBy(() -> OnnxBackend.open(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("is not a directory");
  }

  @Test
  void open_directoryWithoutOnnx_namesItAndTheExpectedFiles() throws IOException {
    Files.writeString(tmp.resolve("config.json"), "{}");
    assertThatThrownBy(() -> OnnxBackend.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(tmp.toAbsolutePath().toString())
        .hasMessageContaining("contains no .onnx model file")
        .hasMessageContaining("model.onnx")
        .hasMessageContaining("decoder_model_merged");
  }

  @Test
  void open_randomBytes_isNotAValidOnnxModel() throws IOException {
    byte[] junk = new byte[4096];
    new Random(7).nextBytes(junk);
    Path file = Files.write(tmp.resolve("model.onnx"), junk);
    assertThatThrownBy(() -> OnnxBackend.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toAbsolutePath().toString())
        .hasMessageContaining("is not a valid ONNX model");
  }

  @Test
  void open_emptyFile_isNotAValidOnnxModel() throws IOException {
    Files.write(tmp.resolve("model.onnx"), new byte[0]);
    assertThatThrownBy(() -> OnnxBackend.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("is not a valid ONNX model")
        .hasMessageContaining("empty");
  }

  @Test
  void open_wellFormedButUnrunnableGraph_reportsOnnxRuntimesReason() throws IOException {
    ProtoWriter g = new ProtoWriter().string(2, "bad")
        .message(1, TinyOnnxGraphs.node("NoSuchOperator", new String[] {"input_ids"},
            new String[] {"logits"}))
        .message(11, TinyOnnxGraphs.valueInfo("input_ids", TinyOnnxGraphs.INT64, "b", "s"))
        .message(12, TinyOnnxGraphs.valueInfo("logits", TinyOnnxGraphs.FLOAT, "b", "s", 4L));
    Path file = TinyOnnxGraphs.write(tmp, "model.onnx", TinyOnnxGraphs.model(g));
    assertThatThrownBy(() -> OnnxBackend.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toAbsolutePath().toString())
        .hasMessageContaining("could not be loaded by ONNX Runtime")
        .hasMessageContaining("NoSuchOperator");
  }

  @Test
  void open_unknownLayout_listsTheGraphInputs() throws IOException {
    Path file = TinyOnnxGraphs.write(tmp, "model.onnx", TinyOnnxGraphs.unknownLayout());
    assertThatThrownBy(() -> OnnxBackend.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toAbsolutePath().toString())
        .hasMessageContaining("unknown decoder layout")
        .hasMessageContaining("no token-id input 'input_ids'")
        .hasMessageContaining("pixel_values");
  }

  @Test
  void open_severalUnknownOnnxFiles_listsThemAndSuggestsModelFile() throws IOException {
    Files.write(tmp.resolve("a.onnx"), new byte[] {1});
    Files.write(tmp.resolve("b.onnx"), new byte[] {1});
    assertThatThrownBy(() -> OnnxBackend.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("[a.onnx, b.onnx]")
        .hasMessageContaining("modelFile(");
  }

  @Test
  void open_malformedConfigJson_namesTheFile() throws IOException {
    Files.writeString(tmp.resolve("config.json"), "{\"n_layer\": ");
    assertThatThrownBy(() -> OnnxBackend.open(tmp))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(tmp.toAbsolutePath().resolve("config.json").toString())
        .hasMessageContaining("is not valid JSON");
  }

  @Test
  void open_missingExplicitModelFile_namesIt() {
    assertThatThrownBy(() -> OnnxBackend.builder().modelDir(Stories260k.dir())
        .modelFile(Path.of("nope.onnx")).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("nope.onnx")
        .hasMessageContaining("does not exist");
  }

  @Test
  void build_cudaWithoutGpuRuntime_explainsWhatIsNeeded() {
    assertThatThrownBy(() -> OnnxBackend.builder().modelDir(Stories260k.dir())
        .executionProvider(ExecutionProvider.CUDA).build())
        .isInstanceOfSatisfying(CudaUnavailableException.class, e -> {
          assertThat(e).isInstanceOf(CostgenException.class);
          assertThat(e.missing()).containsExactly("the onnxruntime_gpu artifact (this ONNX Runtime has [CPU] only)");
          assertThat(e.getMessage()).isEqualTo("CUDA not available: missing the onnxruntime_gpu artifact"
              + " (this ONNX Runtime has [CPU] only); install com.microsoft.onnxruntime:onnxruntime_gpu:1.28.0"
              + " in place of com.microsoft.onnxruntime:onnxruntime, with the NVIDIA driver, CUDA 12.x and"
              + " cuDNN 9 (docs/onnx-backend.md#cuda)");
        });
  }

  @Test
  void cudaUnavailable_namesEachMissingLibrary() {
    List<String> missing = CudaLibraries.missing(CudaLibraries.REQUIRED,
        lib -> !lib.equals("libcublasLt.so.12") && !lib.equals("libcudnn.so.9"));
    assertThat(missing).containsExactly("libcublasLt.so.12", "libcudnn.so.9");
    CudaUnavailableException e = new CudaUnavailableException(missing, "CUDA 12.x and cuDNN 9");
    assertThat(e.getMessage())
        .isEqualTo("CUDA not available: missing libcublasLt.so.12, libcudnn.so.9; install CUDA 12.x and cuDNN 9");
    assertThat(CudaLibraries.missing(CudaLibraries.REQUIRED, lib -> true)).isEmpty();
    assertThat(CudaLibraries.REQUIRED).contains("libcuda.so.1", "libcudart.so.12", "libcublas.so.12",
        "libcublasLt.so.12", "libcurand.so.10", "libcudnn.so.9");
    assertThatThrownBy(() -> new CudaUnavailableException(List.of(), "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
  }

  @Test
  void cudaUnavailable_findsLibrariesInTheLoaderCache() {
    // the loader cache always lists libc, so the finder sees it without a folder
    assertThat(CudaLibraries.systemFinder().test("libc.so.6")).isTrue();
    assertThat(CudaLibraries.systemFinder().test("libcostgen-no-such-library.so.99")).isFalse();
  }

  @Test
  void builder_rejectsBadSettings_namingTheField() {
    assertThatThrownBy(() -> OnnxBackend.builder().intraOpThreads(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intraOpThreads: -1");
    assertThatThrownBy(() -> OnnxBackend.builder().intraOpThreads(100_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("intraOpThreads: 100000 is out of range; allowed 0 to "
            + OnnxBackend.Builder.maxIntraOpThreads());
    OnnxBackend.builder().intraOpThreads(OnnxBackend.Builder.maxIntraOpThreads());
    assertThatThrownBy(() -> OnnxBackend.builder().deviceId(-2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deviceId: -2");
    assertThatThrownBy(() -> OnnxBackend.builder().contextLength(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contextLength: 0");
    assertThatThrownBy(() -> OnnxBackend.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("modelDir");
    assertThatThrownBy(() -> OnnxBackend.builder().modelDir(Stories260k.dir()).deviceId(1).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("CUDA only");
  }

  @Test
  void prefill_tokenIdOutsideVocabulary_namesRowColumnAndRange() {
    try (DecoderSession s = stories.openSession()) {
      assertThatThrownBy(() -> s.prefill(new long[][] {{1, 2}, {1, 512}}, new int[] {0, 0}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tokenIds[1][1]: token id 512 not in [0, 512)")
          .hasMessageContaining("model.onnx");
      assertThat(s.rows()).isZero();
      s.prefill(new long[][] {{1}}, new int[] {0});
      assertThatThrownBy(() -> s.step(new long[] {-1}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("token id -1 not in [0, 512)");
      assertThat(s.cachedPositions()).isEqualTo(1);
    }
  }

  @Test
  void prefill_paddedIdsAreNotValidated() {
    try (DecoderSession s = stories.openSession()) {
      s.prefill(new long[][] {{-5, 1}, {1, 403}}, new int[] {1, 0});
      assertThat(s.rows()).isEqualTo(2);
    }
  }

  @Test
  void sessionCalls_withInconsistentArguments_explainTheRule() {
    try (DecoderSession s = stories.openSession()) {
      assertThatThrownBy(() -> s.step(new long[] {1}))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("before prefill");
      assertThatThrownBy(() -> s.prefill(new long[][] {{1, 2}, {1}}, new int[] {0, 0}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenIds[1]");
      assertThatThrownBy(() -> s.prefill(new long[][] {{1, 2}}, new int[] {0, 0}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leftPadding");
      assertThatThrownBy(() -> s.prefill(new long[][] {{1, 2}}, new int[] {3}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("leftPadding[0]: 3 not in [0, 2]");
      assertThatThrownBy(() -> s.prefill(new long[0][], new int[0]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 rows");
      s.prefill(new long[][] {{1, 403}, {1, 291}}, new int[] {0, 0});
      assertThatThrownBy(() -> s.step(new long[] {1}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows() (2)");
      assertThatThrownBy(() -> s.prefill(new long[][] {{7}, {7}}, new int[] {1, 0}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already holds tokens");
      assertThatThrownBy(() -> s.selectRows(new int[] {0, 2}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rows[1]: 2 not in [0, 2)");
      assertThatThrownBy(() -> s.selectRows(new int[0]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
      assertThatThrownBy(() -> s.appendRows(s))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("itself");
      assertThat(s.rows()).isEqualTo(2);
      assertThat(s.cachedPositions()).isEqualTo(2);
    }
  }

  @Test
  void appendRows_fromAnotherBackend_isRejected() {
    try (OnnxBackend other = OnnxBackend.builder().modelDir(Stories260k.dir()).build();
        DecoderSession mine = stories.openSession();
        DecoderSession theirs = other.openSession()) {
      mine.prefill(new long[][] {{1}}, null);
      theirs.prefill(new long[][] {{1}}, null);
      assertThatThrownBy(() -> mine.appendRows(theirs))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("same OnnxBackend");
    }
  }

  @Test
  void closedBackend_refusesNewSessionsAndRuns_butLetsOpenSessionsClose() {
    OnnxBackend backend = OnnxBackend.open(Stories260k.dir());
    DecoderSession open = backend.openSession();
    open.prefill(new long[][] {{1}}, new int[] {0});
    backend.close();
    backend.close();
    assertThatThrownBy(backend::openSession)
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    assertThatThrownBy(() -> open.step(new long[] {403}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    open.close();
    assertThat(backend.openSessions()).isZero();
  }
}

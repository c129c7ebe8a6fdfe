package io.costgen.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

  @TempDir Path dir;

  private void touch(String... names) throws IOException {
    for (String n : names) {
      Path p = dir.resolve(n);
      Files.createDirectories(p.getParent());
      Files.write(p, new byte[] {0});
    }
  }

  private String chosen() {
    return dir.toAbsolutePath().relativize(ModelFolder.open(dir, null).modelFile()).toString();
  }

  @Test
  void modelOnnx_winsOverEverythingElse() throws IOException {
    touch("decoder_model_merged.onnx", "past.onnx", "decoder_model.onnx", "model.onnx");
    assertThat(chosen()).isEqualTo("model.onnx");
  }

  @Test
  void mergedDecoder_prefersPlainThenQuantizedThenFp16() throws IOException {
    touch("decoder_model_merged_fp16.onnx", "decoder_model_merged_quantized.onnx",
        "decoder_with_past_model.onnx");
    assertThat(chosen()).isEqualTo("decoder_model_merged_quantized.onnx");
    touch("decoder_model_merged.onnx");
    assertThat(chosen()).isEqualTo("decoder_model_merged.onnx");
  }

  @Test
  void genaiFilename_beatsPastAndOptimumSplitFiles() throws IOException {
    touch("past.onnx", "custom.onnx", "decoder_with_past_model.onnx");
    Files.writeString(dir.resolve("genai_config.json"),
        "{\"model\": {\"decoder\": {\"filename\": \"custom.onnx\"}}}");
    assertThat(chosen()).isEqualTo("custom.onnx");
  }

  @Test
  void withPastBeatsNoPast_andTheOnlyFileIsTakenWhateverItsName() throws IOException {
    touch("decoder_model.onnx", "decoder_with_past_model.onnx");
    assertThat(chosen()).isEqualTo("decoder_with_past_model.onnx");
    Path other = Files.createDirectories(dir.resolve("x"));
    Files.write(other.resolve("whatever.onnx"), new byte[] {0});
    assertThat(ModelFolder.open(other, null).modelFile().getFileName().toString())
        .isEqualTo("whatever.onnx");
  }

  @Test
  void onnxSubfolder_isSearchedWhenTheRootHasNoGraph_andConfigsComeFromTheRoot()
      throws IOException {
    touch("onnx/decoder_model_merged.onnx", "onnx/decoder_model.onnx");
    Files.writeString(dir.resolve("config.json"), "{\"n_layer\": 3}");
    ModelFolder f = ModelFolder.open(dir, null);
    assertThat(dir.toAbsolutePath().relativize(f.modelFile()).toString())
        .isEqualTo("onnx/decoder_model_merged.onnx");
    assertThat(f.config()).containsEntry("n_layer", 3);
    assertThat(f.generationConfig()).isEmpty();
  }
}

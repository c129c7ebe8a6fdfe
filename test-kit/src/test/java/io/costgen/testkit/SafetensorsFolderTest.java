package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.onnx.graph.SeededWeights;
import io.costgen.onnx.graph.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safetensors folder of a synthetic model, read back with an independent parser of the
 * format: header, offsets, alignment, and values that multiply like the ONNX graph's weights.
 */
class SafetensorsFolderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  /** A parsed safetensors file: the header and the data section. */
  record Parsed(JsonNode header, ByteBuffer data, long headerLength) {
    float[] floats(String name) {
      JsonNode e = header.get(name);
      long begin = e.get("data_offsets").get(0).asLong();
      long end = e.get("data_offsets").get(1).asLong();
      float[] out = new float[(int) ((end - begin) / 4)];
      ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      b.position((int) begin);
      b.asFloatBuffer().get(out);
      return out;
    }

    List<Long> shape(String name) {
      List<Long> s = new ArrayList<>();
      header.get(name).get("shape").forEach(n -> s.add(n.asLong()));
      return s;
    }
  }

  static Parsed parse(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertThat(n).isPositive().isLessThan(all.length);
    JsonNode header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8).strip());
    ByteBuffer data = ByteBuffer.wrap(all, 8 + (int) n, all.length - 8 - (int) n).slice();
    return new Parsed(header, data, n);
  }

  @Test
  void llama_roundTrips_withPyTorchLinearLayout_andContiguousAlignedData() throws IOException {
    SyntheticModel m = SyntheticModels.tinyLlama().build();
    SyntheticModels.writeSafetensors(m, tmp);
    Parsed p = parse(tmp.resolve("model.safetensors"));

    // Every parameter is there once, F32, contiguous from 0 to the end of the file, 8-byte aligned.
    List<TensorSpec> params = DecoderWeights.parameters(m);
    assertThat(p.headerLength() % 8).isZero();
    assertThat(p.header().get("__metadata__").get("format").asText()).isEqualTo("pt");
    long expectedOffset = 0;
    for (TensorSpec t : params) {
      JsonNode e = p.header().get(t.name());
      assertThat(e).as(t.name()).isNotNull();
      assertThat(e.get("dtype").asText()).isEqualTo("F32");
      assertThat(e.get("data_offsets").get(0).asLong()).isEqualTo(expectedOffset);
      expectedOffset += t.byteCount();
      assertThat(e.get("data_offsets").get(1).asLong()).isEqualTo(expectedOffset);
    }
    assertThat(p.header().size()).isEqualTo(params.size() + 1);
    assertThat((long) p.data().remaining()).isEqualTo(expectedOffset);

    // Shapes as in a Hugging Face Llama checkpoint: nn.Linear weights are [out, in].
    int d = m.hiddenSize();
    int q = m.attentionHeads() * m.headSize();
    int kv = m.kvHeads() * m.headSize();
    assertThat(p.shape("model.embed_tokens.weight")).containsExactly((long) m.vocabSize(), (long) d);
    assertThat(p.shape("model.layers.0.self_attn.q_proj.weight")).containsExactly((long) q, (long) d);
    assertThat(p.shape("model.layers.1.self_attn.k_proj.weight")).containsExactly((long) kv, (long) d);
    assertThat(p.shape("model.layers.0.mlp.down_proj.weight"))
        .containsExactly((long) d, (long) m.intermediateSize());
    assertThat(p.shape("lm_head.weight")).containsExactly((long) m.vocabSize(), (long) d);
    assertThat(p.shape("model.norm.weight")).containsExactly((long) d);

    // Values: W_hf · x (PyTorch's Linear) equals x · W (the ONNX graph's MatMul) for every matrix,
    // and the rest is stored unchanged.
    float[] x = new float[Math.max(d, m.intermediateSize())];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.37 + 0.1);
    }
    for (TensorSpec t : params) {
      float[] onnx = SeededWeights.floats(t, m.seed());
      float[] hf = p.floats(t.name());
      long[] dims = t.dims();
      if (dims.length == 2 && !t.name().equals("model.embed_tokens.weight")) {
        int in = (int) dims[0];
        int out = (int) dims[1];
        for (int o = 0; o < out; o++) {
          double viaHf = 0;
          double viaOnnx = 0;
          for (int i = 0; i < in; i++) {
            viaHf += hf[o * in + i] * x[i];
            viaOnnx += x[i] * onnx[i * out + o];
          }
          assertThat(viaHf).as(t.name() + " row " + o).isCloseTo(viaOnnx, org.assertj.core.data.Offset.offset(1e-9));
        }
      } else {
        assertThat(hf).as(t.name()).containsExactly(onnx);
      }
    }
  }

  @Test
  void folder_isComplete_withALlamaConfigAndAFullVocabularyTokenizer() throws IOException {
    SyntheticModel m = SyntheticModels.tinyLlama().vocab(600).build();
    SyntheticModels.writeSafetensors(m, tmp);
    for (String f : List.of("model.safetensors", "config.json", "generation_config.json", "tokenizer.json",
        "tokenizer_config.json", "special_tokens_map.json", "README.md")) {
      assertThat(tmp.resolve(f)).as(f).isRegularFile();
    }
    JsonNode config = JSON.readTree(tmp.resolve("config.json").toFile());
    assertThat(config.get("model_type").asText()).isEqualTo("llama");
    assertThat(config.get("vocab_size").asInt()).isEqualTo(600);
    assertThat(config.get("hidden_size").asInt()).isEqualTo(m.hiddenSize());
    assertThat(config.get("num_key_value_heads").asInt()).isEqualTo(m.kvHeads());
    assertThat(config.get("hidden_act").asText()).isEqualTo("silu");
    JsonNode tokenizer = JSON.readTree(tmp.resolve("tokenizer.json").toFile());
    JsonNode vocab = tokenizer.get("model").get("vocab");
    assertThat(vocab.size()).isEqualTo(600);
    boolean[] seen = new boolean[600];
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      seen[it.next().getValue().asInt()] = true;
    }
    for (int id = 0; id < seen.length; id++) {
      assertThat(seen[id]).as("token id " + id).isTrue();
    }
  }

  @Test
  void gpt2_keepsConv1dLayout_andHasNoHeadWhenTied() throws IOException {
    SyntheticModel m = SyntheticModels.tiny().build();
    SyntheticModels.writeSafetensors(m, tmp);
    Parsed p = parse(tmp.resolve("model.safetensors"));
    assertThat(p.header().has("lm_head.weight")).isFalse();
    for (TensorSpec t : DecoderWeights.parameters(m)) {
      List<Long> dims = new ArrayList<>();
      for (long x : t.dims()) {
        dims.add(x);
      }
      assertThat(p.shape(t.name())).as(t.name()).isEqualTo(dims);
      assertThat(p.floats(t.name())).as(t.name()).containsExactly(SeededWeights.floats(t, m.seed()));
    }
  }

  @Test
  void quantizedSpec_isRejected_namingTheField() {
    SyntheticModel int4 = SyntheticModels.tinyLlama().weightFormat(WeightFormat.INT4).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SyntheticModels.writeSafetensors(int4, tmp))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weightFormat: INT4");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SyntheticModels.cachedSafetensors(tmp, int4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FP32");
  }

  @Test
  void cachedSafetensors_writesOnce_andReusesTheFolder() throws IOException {
    SyntheticModel m = SyntheticModels.tinyLlama().build();
    Path first = SyntheticModels.cachedSafetensors(tmp, m);
    assertThat(first.resolve("model.safetensors")).isRegularFile();
    FileTime written = Files.getLastModifiedTime(first.resolve("model.safetensors"));
    Files.setLastModifiedTime(first.resolve("model.safetensors"), FileTime.fromMillis(written.toMillis() - 60_000));
    Path again = SyntheticModels.cachedSafetensors(tmp, m);
    assertThat(again).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(again.resolve("model.safetensors")).toMillis())
        .isEqualTo(written.toMillis() - 60_000);
    assertThat(SyntheticModels.cachedSafetensors(tmp, m.toBuilder().seed(7).build())).isNotEqualTo(first);
    assertThat(first.getFileName().toString()).contains("safetensors");
  }
}

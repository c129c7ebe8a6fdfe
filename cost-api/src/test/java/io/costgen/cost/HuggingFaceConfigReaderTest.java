package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelShape#fromHuggingFaceConfig} through its reader. */
class HuggingFaceConfigReaderTest {

  /** The keys of Hugging Face's {@code gpt2/config.json}. */
  private static final String GPT2 = "{\"activation_function\":\"gelu_new\","
      + "\"architectures\":[\"GPT2LMHeadModel\"],\"bos_token_id\":50256,\"eos_token_id\":50256,"
      + "\"layer_norm_epsilon\":1e-05,\"model_type\":\"gpt2\",\"n_ctx\":1024,\"n_embd\":768,"
      + "\"n_head\":12,\"n_inner\":null,\"n_layer\":12,\"n_positions\":1024,\"vocab_size\":50257}";

  /** The keys of {@code meta-llama/Llama-2-7b-hf/config.json}. */
  private static final String LLAMA2_7B = "{\"architectures\":[\"LlamaForCausalLM\"],"
      + "\"hidden_size\":4096,\"intermediate_size\":11008,\"max_position_embeddings\":4096,"
      + "\"model_type\":\"llama\",\"num_attention_heads\":32,\"num_hidden_layers\":32,"
      + "\"num_key_value_heads\":32,\"rms_norm_eps\":1e-05,\"tie_word_embeddings\":false,"
      + "\"torch_dtype\":\"float16\",\"vocab_size\":32000}";

  /** The config.json of the shared stories260k model (llama2.c stories260K). */
  private static final String STORIES260K = "{\"architectures\":[\"LlamaForCausalLM\"],"
      + "\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":172,"
      + "\"num_hidden_layers\":5,\"num_attention_heads\":8,\"num_key_value_heads\":4,"
      + "\"head_dim\":8,\"vocab_size\":512,\"max_position_embeddings\":512,"
      + "\"tie_word_embeddings\":true,\"torch_dtype\":\"float32\"}";

  @TempDir Path dir;

  @Test
  void gpt2Config_givesTheGpt2PresetShape() throws IOException {
    ModelShape m = ModelShape.fromHuggingFaceConfig(write("config.json", GPT2));
    assertThat(m.toBuilder().name("gpt2").build()).isEqualTo(ModelShape.preset("gpt2"));
    assertThat(m.parameters()).isEqualTo(124_439_808L);
    assertThat(m.name()).isEqualTo(dir.getFileName().toString());
  }

  @Test
  void llamaConfig_givesExactLlama2_7bCount() throws IOException {
    ModelShape m = ModelShape.fromHuggingFaceConfig(write("config.json", LLAMA2_7B));
    assertThat(m.family()).isEqualTo(ArchitectureFamily.LLAMA);
    assertThat(m.tiedEmbeddings()).isFalse();
    assertThat(m.parameters()).isEqualTo(6_738_415_616L);
  }

  @Test
  void llamaConfig_readsHeadDimAndGroupedKvHeads() throws IOException {
    ModelShape m = ModelShape.fromHuggingFaceConfig(write("config.json", STORIES260K));
    assertThat(m.kvHeads()).isEqualTo(4);
    assertThat(m.headSize()).isEqualTo(8);
    assertThat(m.tiedEmbeddings()).isTrue();
    // 5 × (q 64·64 + k,v 2·64·32 + o 64·64 + SwiGLU 3·64·172 + 2·64) + 512·64 + 64
    assertThat(m.parameters()).isEqualTo(260_032L);
  }

  @Test
  void modelFolder_isAccepted() throws IOException {
    write("config.json", LLAMA2_7B);
    assertThat(ModelShape.fromHuggingFaceConfig(dir).parameters()).isEqualTo(6_738_415_616L);
  }

  @Test
  void nameOrPath_namesTheShape() throws IOException {
    String json = LLAMA2_7B.replace("{", "{\"_name_or_path\":\"meta-llama/Llama-2-7b-hf\",");
    assertThat(ModelShape.fromHuggingFaceConfig(write("c.json", json)).name())
        .isEqualTo("meta-llama/Llama-2-7b-hf");
  }

  @Test
  void missingField_namesTheFieldAndTheFile() throws IOException {
    Path file = write("config.json", GPT2.replace("\"n_embd\":768,", ""));
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing field 'n_embd'")
        .hasMessageContaining("gpt2")
        .hasMessageContaining(file.toString());
  }

  @Test
  void missingLlamaField_namesTheField() throws IOException {
    Path file = write("config.json", LLAMA2_7B.replace("\"intermediate_size\":11008,", ""));
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing field 'intermediate_size'")
        .hasMessageContaining("llama");
  }

  @Test
  void nonIntegerField_isRejected() throws IOException {
    Path file = write("config.json", GPT2.replace("\"n_layer\":12", "\"n_layer\":\"twelve\""));
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'n_layer' must be an integer");
  }

  @Test
  void unsupportedModelType_listsSupportedTypes() throws IOException {
    Path file = write("config.json", "{\"model_type\":\"t5\"}");
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'t5'")
        .hasMessageContaining("gpt2, llama, mistral");
  }

  @Test
  void missingModelType_isRejected() throws IOException {
    Path file = write("config.json", "{\"n_layer\":2}");
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing field 'model_type'");
  }

  @Test
  void invalidJsonOrMissingFile_isRejected() throws IOException {
    Path bad = write("config.json", "{not json");
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(dir.resolve("nope.json")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
  }

  @Test
  void inconsistentShape_reportsTheFile() throws IOException {
    Path file = write("config.json", LLAMA2_7B.replace("\"num_key_value_heads\":32",
        "\"num_key_value_heads\":5"));
    assertThatThrownBy(() -> ModelShape.fromHuggingFaceConfig(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kvHeads")
        .hasMessageContaining(file.toString());
  }

  private Path write(String name, String json) throws IOException {
    return Files.writeString(dir.resolve(name), json);
  }
}

package io.costgen.testkit;

import io.costgen.onnx.graph.WeightStorage;

import io.costgen.onnx.graph.OnnxGraph;
import io.costgen.onnx.graph.TensorSpec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.ModelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelTest {

  @TempDir
  Path tmp;

  @Test
  void gpt2Small_hasExactlyTheReleasedCheckpointsParameterCount_withoutWritingIt() {
    SyntheticModel m = SyntheticModels.gpt2Small().build();
    // 12·(12·768² + 13·768) + 50257·768 + 1024·768 + 2·768
    assertThat(m.parameterCount()).isEqualTo(124_439_808L);
    assertThat(m.estimatedBytes()).isEqualTo(4L * 124_439_808L);
    ModelShape formula = ModelShape.builder().family(ArchitectureFamily.GPT2).layers(12)
        .hiddenSize(768).attentionHeads(12).vocabSize(50257).contextLength(1024).build();
    assertThat(formula.parameters()).isEqualTo(m.parameterCount());
    assertThat(m.shape().parameters()).isEqualTo(124_439_808L);
  }

  @Test
  void gpt2SmallGraph_usesExactlyTheCountedParameters_plusAFewConstants() {
    SyntheticModel m = SyntheticModels.gpt2Small().build();
    OnnxGraph graph = DecoderGraph.build(m, Layout.MERGED); // no weight data is generated
    long parameters = 0;
    long constants = 0;
    for (TensorSpec t : graph.initializers()) {
      if (t.parameter()) {
        parameters += t.elementCount();
      } else {
        constants += t.elementCount();
      }
    }
    assertThat(parameters).isEqualTo(124_439_808L);
    assertThat(constants).isBetween(1L, 64L);
  }

  @Test
  void llamaParameterCount_matchesTheCostModelFormula_forGqaAndUntiedHead() {
    SyntheticModel m = SyntheticModels.llama().layers(3).hidden(96).heads(6).kvHeads(2)
        .intermediate(200).vocab(1000).build();
    ModelShape formula = ModelShape.builder().family(ArchitectureFamily.LLAMA).layers(3)
        .hiddenSize(96).attentionHeads(6).kvHeads(2).intermediateSize(200).vocabSize(1000)
        .contextLength(128).tiedEmbeddings(false).build();
    assertThat(m.parameterCount()).isEqualTo(formula.parameters());
    // The RoPE inverse frequencies are a constant, not a parameter.
    OnnxGraph graph = DecoderGraph.build(m, Layout.WITH_PAST);
    assertThat(graph.initializers()).anySatisfy(t -> {
      assertThat(t.name()).isEqualTo(DecoderGraph.ROPE_INV_FREQ);
      assertThat(t.parameter()).isFalse();
    });
  }

  @Test
  void shape_describesTheModelForTheCostModel() {
    SyntheticModel m = SyntheticModels.tinyLlama().build();
    ModelShape shape = m.shape();
    assertThat(shape.family()).isEqualTo(ArchitectureFamily.LLAMA);
    assertThat(shape.kvHeads()).isEqualTo(2);
    assertThat(shape.headSize()).isEqualTo(16);
    assertThat(shape.parameters()).isEqualTo(m.parameterCount());
    assertThat(shape.nonEmbeddingParameters() + shape.embeddingParameters())
        .isEqualTo(m.parameterCount());
  }

  @Test
  void writeTo_isByteForByteDeterministic_andTheSeedChangesTheWeights() throws IOException {
    SyntheticModel m = SyntheticModels.tiny().build();
    Path a = m.writeTo(tmp.resolve("a"), Layout.WITH_PAST);
    Path b = m.writeTo(tmp.resolve("b"), Layout.WITH_PAST);
    Path c = m.toBuilder().seed(43).build().writeTo(tmp.resolve("c"), Layout.WITH_PAST);
    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    assertThat(Files.mismatch(a, c)).isNotEqualTo(-1L);
    assertThat(Files.size(a)).isEqualTo(Files.size(c));
    assertThat(Files.mismatch(tmp.resolve("a/tokenizer.json"), tmp.resolve("c/tokenizer.json")))
        .isEqualTo(-1L);
  }

  @Test
  void smallModels_areWrittenInline_withinAFewKilobytesOfTheEstimate() throws IOException {
    SyntheticModel m = SyntheticModels.tiny().build();
    Path file = m.writeTo(tmp, Layout.NO_PAST);
    assertThat(file.getFileName().toString()).isEqualTo("model_no_past.onnx");
    assertThat(tmp.resolve("model_no_past.onnx.data")).doesNotExist();
    assertThat(Files.size(file)).isBetween(m.estimatedBytes(), m.estimatedBytes() + 64 * 1024);
  }

  @Test
  void autoStorage_putsGpt2SmallInExternalData_andTinyModelsInline() {
    assertThat(SyntheticModels.gpt2Small().build().usesExternalData(WeightStorage.AUTO)).isTrue();
    assertThat(SyntheticModels.tiny().build().usesExternalData(WeightStorage.AUTO)).isFalse();
    assertThat(SyntheticModels.tiny().build().usesExternalData(WeightStorage.EXTERNAL)).isTrue();
  }

  @Test
  void inlineStorage_isRefusedBeyondTheProtobufLimit() {
    SyntheticModel huge = SyntheticModels.gpt2().hidden(4096).heads(32).layers(8).vocab(50000)
        .build();
    assertThat(huge.estimatedBytes()).isGreaterThan(2L << 30);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> huge.writeTo(tmp, Layout.WITH_PAST, WeightStorage.INLINE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("2 GiB");
    assertThat(tmp.resolve("model.onnx")).doesNotExist();
  }

  @Test
  void writtenFiles_declareIrVersion8_opset17_andUseOnlyStandardOperators() throws IOException {
    SyntheticModel m = SyntheticModels.tinyLlama().build();
    Path file = m.writeTo(tmp, Layout.MERGED);
    Map<Integer, List<Object>> model = ProtoReader.parse(Files.readAllBytes(file));
    assertThat(ProtoReader.varint(model, 1)).isEqualTo(8);
    assertThat(ProtoReader.string(model, 2)).isEqualTo("costgen");
    List<Map<Integer, List<Object>>> opsets = ProtoReader.messages(model, 8);
    assertThat(opsets).hasSize(1);
    assertThat(ProtoReader.string(opsets.get(0), 1)).isEmpty();
    assertThat(ProtoReader.varint(opsets.get(0), 2)).isEqualTo(17);

    Set<String> ops = new TreeSet<>();
    collectOps(ProtoReader.messages(model, 7).get(0), ops);
    assertThat(ops).contains("If", "Softmax", "MatMul", "Cos", "Sin", "ReduceMean")
        .isSubsetOf("Add", "And", "Cast", "Concat", "Cos", "Div", "Gather", "Gemm", "Identity",
            "If", "LayerNormalization", "LessOrEqual", "MatMul", "Mul", "Neg", "Range",
            "ReduceMean", "Reshape", "Shape", "Sigmoid", "Sin", "Softmax", "Split", "Sqrt",
            "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze", "Where");
  }

  /** Op types of a GraphProto and of every subgraph in its attributes; fails on any domain. */
  private static void collectOps(Map<Integer, List<Object>> graph, Set<String> ops) {
    for (Map<Integer, List<Object>> node : ProtoReader.messages(graph, 1)) {
      assertThat(ProtoReader.string(node, 7)).as("node domain").isNull();
      ops.add(ProtoReader.string(node, 4));
      for (Map<Integer, List<Object>> attr : ProtoReader.messages(node, 5)) {
        for (Map<Integer, List<Object>> sub : ProtoReader.messages(attr, 6)) {
          collectOps(sub, ops);
        }
      }
    }
  }

  @Test
  void configJson_usesHuggingFaceNamesPerFamily() throws IOException {
    ObjectMapper json = new ObjectMapper();
    SyntheticModel gpt2 = SyntheticModels.tiny().build();
    gpt2.writeTo(tmp.resolve("g"), Layout.WITH_PAST);
    JsonNode g = json.readTree(tmp.resolve("g/config.json").toFile());
    assertThat(g.get("model_type").asText()).isEqualTo("gpt2");
    assertThat(g.get("n_layer").asInt()).isEqualTo(2);
    assertThat(g.get("n_embd").asInt()).isEqualTo(64);
    assertThat(g.get("n_head").asInt()).isEqualTo(4);
    assertThat(g.get("n_positions").asInt()).isEqualTo(128);
    assertThat(g.get("vocab_size").asInt()).isEqualTo(512);
    assertThat(g.get("tie_word_embeddings").asBoolean()).isTrue();
    assertThat(g.get("eos_token_id").asLong()).isEqualTo(511);

    SyntheticModel llama = SyntheticModels.tinyLlama().build();
    llama.writeTo(tmp.resolve("l"), Layout.WITH_PAST);
    JsonNode l = json.readTree(tmp.resolve("l/config.json").toFile());
    assertThat(l.get("model_type").asText()).isEqualTo("llama");
    assertThat(l.get("num_hidden_layers").asInt()).isEqualTo(2);
    assertThat(l.get("num_attention_heads").asInt()).isEqualTo(4);
    assertThat(l.get("num_key_value_heads").asInt()).isEqualTo(2);
    assertThat(l.get("intermediate_size").asInt()).isEqualTo(176);
    assertThat(l.get("tie_word_embeddings").asBoolean()).isFalse();
    JsonNode gen = json.readTree(tmp.resolve("l/generation_config.json").toFile());
    assertThat(gen.get("bos_token_id").asLong()).isEqualTo(510);
    assertThat(gen.get("eos_token_id").asLong()).isEqualTo(511);
  }

  @Test
  void cacheKey_isStableForEqualSpecs_andChangesWithSeedAndLayout() {
    SyntheticModel m = SyntheticModels.tiny().build();
    assertThat(m.cacheKey(Layout.WITH_PAST))
        .isEqualTo(SyntheticModels.tiny().build().cacheKey(Layout.WITH_PAST))
        .hasSize(16)
        .isNotEqualTo(m.cacheKey(Layout.MERGED))
        .isNotEqualTo(m.toBuilder().seed(1).build().cacheKey(Layout.WITH_PAST));
  }
}

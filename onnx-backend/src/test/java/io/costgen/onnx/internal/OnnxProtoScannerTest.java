package io.costgen.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.testing.SharedModels;
import io.costgen.onnx.ProtoWriter;
import io.costgen.onnx.TinyOnnxGraphs;
import io.costgen.onnx.internal.OnnxProtoScanner.ElementType;
import io.costgen.onnx.internal.OnnxProtoScanner.InitializerSummary;
import io.costgen.onnx.internal.OnnxProtoScanner.InvalidModelException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnnxProtoScannerTest {

  private static InitializerSummary scan(byte[] model) throws InvalidModelException {
    return OnnxProtoScanner.scan(ByteBuffer.wrap(model));
  }

  @Test
  void sumsWeightInitializers_skippingIntegerConstants_andRecursingIntoSubgraphs()
      throws Exception {
    ProtoWriter sub = new ProtoWriter().string(2, "branch")
        .message(5, TinyOnnxGraphs.tensor("inner", TinyOnnxGraphs.FLOAT16, new byte[2 * 6], 2, 3));
    ProtoWriter unpackedDims = new ProtoWriter().varint(1, 4).varint(1, 5)
        .varint(2, TinyOnnxGraphs.INT8).string(8, "q").bytes(9, new byte[20]);
    ProtoWriter g = new ProtoWriter().string(2, "g")
        .message(5, TinyOnnxGraphs.floatTensor("w", new float[12], 3, 4))
        .message(5, TinyOnnxGraphs.int64Tensor("shape", new long[] {1, 2, 3}, 3))
        .message(5, unpackedDims)
        .message(1, TinyOnnxGraphs.node("If", new String[] {"c"}, new String[] {"o"},
            TinyOnnxGraphs.graphAttr("then_branch", sub)));
    InitializerSummary s = scan(TinyOnnxGraphs.model(g));
    assertThat(s.parameterCount()).isEqualTo(12 + 20 + 6);
    assertThat(s.elementsByType()).containsEntry(ElementType.FLOAT32, 12L)
        .containsEntry(ElementType.INT8, 20L).containsEntry(ElementType.FLOAT16, 6L)
        .containsEntry(ElementType.INTEGER, 3L);
    assertThat(s.dominantWeightType()).isEqualTo(ElementType.INT8);
    assertThat(s.weights()).extracting(OnnxProtoScanner.Initializer::name)
        .containsExactly("w", "q", "inner");
    assertThat(s.weights().get(1).dims()).containsExactly(4, 5);
  }

  @Test
  void countsRealModels_includingExternalDataOnes() throws Exception {
    InitializerSummary stories = OnnxProtoScanner.scan(
        SharedModels.model(SharedModels.STORIES_260K).resolve("model.onnx"));
    assertThat(stories.parameterCount()).isEqualTo(292_800L);
    assertThat(stories.dominantWeightType()).isEqualTo(ElementType.FLOAT32);
    InitializerSummary llama = OnnxProtoScanner.scan(
        SharedModels.model(SharedModels.TINY_RANDOM_LLAMA_FP16).resolve("model.onnx"));
    assertThat(llama.parameterCount()).isEqualTo(1_065_040L);
    assertThat(llama.dominantWeightType()).isEqualTo(ElementType.FLOAT16);
  }

  @Test
  void rejectsRandomBytes_emptyInput_truncationAndModelsWithoutGraph() {
    byte[] junk = new byte[1000];
    new Random(3).nextBytes(junk);
    assertThatThrownBy(() -> scan(junk)).isInstanceOf(InvalidModelException.class);
    assertThatThrownBy(() -> scan(new byte[0]))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("empty");
    byte[] model = TinyOnnxGraphs.mergedDecoder(false);
    byte[] truncated = java.util.Arrays.copyOf(model, model.length - 10);
    assertThatThrownBy(() -> scan(truncated))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("past the end");
    byte[] noGraph = new ProtoWriter().varint(1, 8).string(2, "x").toByteArray();
    assertThatThrownBy(() -> scan(noGraph))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("no graph");
  }
}

package io.costgen.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.WeightFootprint;
import io.costgen.cost.DType;
import io.costgen.onnx.graph.OnnxGraph;
import io.costgen.onnx.graph.OnnxGraph.Attr;
import io.costgen.onnx.graph.OnnxModelFile;
import io.costgen.onnx.graph.TensorSpec;
import io.costgen.onnx.graph.TensorSpec.ElementType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameter counts, stored weight bytes and scale/zero-point overhead read from tiny graphs in
 * each quantized format, against the analytic values of the format's layout.
 */
class QuantizedWeightCountingTest {

  private static final int VOCAB = 300;

  @TempDir Path tmp;

  /** A graph with an fp32 embedding [VOCAB, 80] (24,000 parameters, 96,000 bytes). */
  private static OnnxGraph graph() {
    OnnxGraph g = new OnnxGraph("q");
    g.input("x", ElementType.FLOAT, 1L, 80L);
    g.initializer(TensorSpec.raw("embed", ElementType.FLOAT, true, new byte[VOCAB * 80 * 4],
        VOCAB, 80));
    return g;
  }

  private ModelInfoFactory.WeightCount count(OnnxGraph g) throws Exception {
    Path file = tmp.resolve("model.onnx");
    OnnxModelFile.write(file, g, 0, false, "test");
    return ModelInfoFactory.countWeights(OnnxProtoScanner.scan(file), VOCAB);
  }

  private static String raw(OnnxGraph g, String name, ElementType type, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return g.initializer(TensorSpec.raw(name, type, true, new byte[(int) (n * type.bytes())], dims));
  }

  @Test
  void matMulNBits_withoutZeroPoints_countsKTimesN_packedBytes_andScalesApart() throws Exception {
    OnnxGraph g = graph();
    // K = 80 is 2.5 blocks of 32: B [N=24, 3 blocks, 16 bytes], scales [24 · 3] fp32
    String b = raw(g, "w_Q4", ElementType.UINT8, 24, 3, 16);
    String s = raw(g, "w_scales", ElementType.FLOAT, 72);
    g.output("y", g.opIn("com.microsoft", "MatMulNBits", List.of("x", b, s),
        Attr.i("K", 80), Attr.i("N", 24), Attr.i("bits", 4), Attr.i("block_size", 32)),
        ElementType.FLOAT, 1L, 24L);
    ModelInfoFactory.WeightCount c = count(g);
    assertThat(c.footprint()).isEqualTo(new WeightFootprint(
        24_000 + 80 * 24, 96_000 + 24 * 3 * 16, 72 * 4, 80 * 24));
    assertThat(c.dtype()).isEqualTo(DType.FP32);
  }

  @Test
  void matMulNBits_withPackedZeroPoints_fp16Scales_andBias() throws Exception {
    OnnxGraph g = graph();
    // K = 64, N = 4096: 2 blocks; zero points packed 4-bit: N · ceil(2/2) bytes; bias [N] fp32
    String b = raw(g, "w_Q4", ElementType.UINT8, 4096, 2, 16);
    String s = raw(g, "w_scales", ElementType.FLOAT16, 4096 * 2);
    String zp = raw(g, "w_zp", ElementType.UINT8, 4096);
    String bias = raw(g, "w_bias", ElementType.FLOAT, 4096);
    g.output("y", g.opIn("com.microsoft", "MatMulNBits", List.of("x", b, s, zp, "", bias),
        Attr.i("K", 64), Attr.i("N", 4096), Attr.i("bits", 4), Attr.i("block_size", 32)),
        ElementType.FLOAT, 1L, 4096L);
    ModelInfoFactory.WeightCount c = count(g);
    long quantized = 64L * 4096;
    assertThat(c.footprint().parameters()).isEqualTo(24_000 + quantized + 4096);
    assertThat(c.footprint().weightBytes()).isEqualTo(96_000 + quantized / 2 + 4096 * 4);
    assertThat(c.footprint().quantizationOverheadBytes()).isEqualTo(4096 * 2 * 2 + 4096);
    assertThat(c.footprint().quantizedParameters()).isEqualTo(quantized);
    assertThat(c.dtype()).isEqualTo(DType.INT4);
  }

  @Test
  void qdqInt8_perAxisAndPerTensor_countsEveryCode_andScalesZeroPointsApart() throws Exception {
    OnnxGraph g = graph();
    // per axis: int8 [80, 512], scale fp32 [512], zero point int8 [512]
    String q = raw(g, "w_quantized", ElementType.INT8, 80, 512);
    String s = raw(g, "w_scale", ElementType.FLOAT, 512);
    String zp = raw(g, "w_zero_point", ElementType.INT8, 512);
    String w = g.op("DequantizeLinear", List.of(q, s, zp), Attr.i("axis", 1));
    // per tensor: uint8 [512, 16], scalar fp32 scale and uint8 zero point
    String q2 = raw(g, "v_quantized", ElementType.UINT8, 512, 16);
    String s2 = raw(g, "v_scale", ElementType.FLOAT);
    String zp2 = raw(g, "v_zero_point", ElementType.UINT8);
    String v = g.op("DequantizeLinear", List.of(q2, s2, zp2));
    g.output("y", g.op("MatMul", List.of(g.op("MatMul", List.of("x", w)), v)),
        ElementType.FLOAT, 1L, 16L);
    ModelInfoFactory.WeightCount c = count(g);
    long quantized = 80L * 512 + 512L * 16;
    assertThat(c.footprint()).isEqualTo(new WeightFootprint(
        24_000 + quantized, 96_000 + quantized, 512 * 5 + 4 + 1, quantized));
    assertThat(c.dtype()).isEqualTo(DType.INT8);
  }

  @Test
  void gatherBlockQuantized_packed4Bit_countsTwoParametersPerByte() throws Exception {
    OnnxGraph g = new OnnxGraph("gbq");
    g.input("ids", ElementType.INT64, 1L, 3L);
    // embedding [VOCAB, 96] as 4-bit codes packed along the hidden axis: uint8 [VOCAB, 48];
    // block 32 on axis 1: scales fp32 [VOCAB, 3], zero points packed uint8 [VOCAB, 2]
    String data = raw(g, "embed_q", ElementType.UINT8, VOCAB, 48);
    String s = raw(g, "embed_scales", ElementType.FLOAT, VOCAB, 3);
    String zp = raw(g, "embed_zp", ElementType.UINT8, VOCAB, 2);
    g.output("h", g.opIn("com.microsoft", "GatherBlockQuantized", List.of(data, "ids", s, zp),
        Attr.i("gather_axis", 0), Attr.i("quantize_axis", 1), Attr.i("block_size", 32),
        Attr.i("bits", 4)), ElementType.FLOAT, 1L, 3L, 96L);
    ModelInfoFactory.WeightCount c = count(g);
    assertThat(c.footprint()).isEqualTo(new WeightFootprint(
        VOCAB * 96, VOCAB * 48, VOCAB * 3 * 4 + VOCAB * 2, VOCAB * 96));
    assertThat(c.dtype()).isEqualTo(DType.INT4);
  }

  @Test
  void gatherBlockQuantized_8Bit_countsOneParameterPerByte() throws Exception {
    OnnxGraph g = new OnnxGraph("gbq8");
    g.input("ids", ElementType.INT64, 1L, 3L);
    String data = raw(g, "embed_q", ElementType.UINT8, VOCAB, 64);
    String s = raw(g, "embed_scales", ElementType.FLOAT16, VOCAB, 2);
    g.output("h", g.opIn("com.microsoft", "GatherBlockQuantized", List.of(data, "ids", s),
        Attr.i("block_size", 32), Attr.i("bits", 8)), ElementType.FLOAT, 1L, 3L, 64L);
    ModelInfoFactory.WeightCount c = count(g);
    assertThat(c.footprint()).isEqualTo(new WeightFootprint(
        VOCAB * 64, VOCAB * 64, VOCAB * 2 * 2, VOCAB * 64));
    assertThat(c.dtype()).isEqualTo(DType.INT8);
  }

  @Test
  void fp32Graph_hasNoOverhead_andTotalBytesAreFourPerParameter() throws Exception {
    OnnxGraph g = graph();
    String w = raw(g, "w", ElementType.FLOAT, 80, 16);
    g.output("y", g.op("MatMul", List.of("x", w)), ElementType.FLOAT, 1L, 16L);
    ModelInfoFactory.WeightCount c = count(g);
    assertThat(c.footprint()).isEqualTo(new WeightFootprint(24_000 + 1280, 4 * (24_000 + 1280), 0, 0));
    assertThat(c.footprint().totalBytes()).isEqualTo(4 * c.footprint().parameters());
  }
}

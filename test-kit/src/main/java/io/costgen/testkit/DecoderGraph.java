package io.costgen.testkit;

import io.costgen.onnx.graph.OnnxGraph;
import io.costgen.onnx.graph.TensorSpec;

import static io.costgen.onnx.graph.TensorSpec.ElementType.BOOL;
import static io.costgen.onnx.graph.TensorSpec.ElementType.FLOAT;
import static io.costgen.onnx.graph.TensorSpec.ElementType.INT64;

import io.costgen.cost.ArchitectureFamily;
import io.costgen.onnx.graph.OnnxGraph.Attr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits the decoder graph of a {@link SyntheticModel} with standard ONNX operators (default
 * domain, opset 17), plus ONNX Runtime's {@code com.microsoft.MatMulNBits} for the linear layers
 * of an {@link WeightFormat#INT4} model ({@link WeightFormat#INT8} uses the standard
 * {@code DequantizeLinear}; see {@link QuantizedWeights}).
 *
 * <p>Per call: {@code S} new tokens, {@code T} = attention_mask columns, {@code P = T − S}
 * cached positions. Query {@code i} sits at absolute index {@code P + i} and may attend column
 * {@code j} iff {@code j ≤ P + i} (causal) and {@code attention_mask[b, j] ≠ 0}; disallowed
 * scores get {@value #MASK_VALUE} added before the softmax, so a fully padded query row gets a
 * finite uniform distribution instead of NaN.
 *
 * <p>Grouped-query attention without copying K/V: queries are viewed as
 * {@code [B, kvHeads, group, S, headSize]} and keys/values as {@code [B, kvHeads, 1, T, headSize]}
 * so MatMul broadcasting pairs query head {@code h} with KV head {@code h / group} (Hugging Face
 * {@code repeat_kv}).
 *
 * <p>GPT-2 block (Radford et al. 2019): pre-LayerNorm (ε from the model), fused QKV projection,
 * scaled dot-product attention (scale 1/√headSize), output projection, residual; LayerNorm,
 * MLP with the tanh GELU approximation ({@code gelu_new}:
 * {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, Hendrycks and Gimpel 2016), residual;
 * final LayerNorm; logits = h·wteᵀ (tied) via {@code Gemm(transB=1)}. Positions: learned table
 * gathered by {@code position_ids}.
 *
 * <p>Llama block (Touvron et al. 2023): RMSNorm {@code x / √(mean(x²) + ε) · w}, Q/K/V
 * projections without bias, rotary embedding on Q and K in Hugging Face's {@code rotate_half}
 * convention ({@code x·cos + rotate_half(x)·sin}, {@code rotate_half(x) = cat(−x₂, x₁)} of the
 * two halves, angle {@code position · θ^(−2i/headSize)}), GQA attention, output projection,
 * residual; RMSNorm, SwiGLU MLP {@code down(silu(gate(x)) ⊙ up(x))}, residual; final RMSNorm;
 * LM head untied {@code [hidden, vocab]} or tied to the embedding.
 */
final class DecoderGraph {

  /** Added to the attention scores of masked columns. */
  static final float MASK_VALUE = -1e9f;

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String POSITION_IDS = "position_ids";
  static final String USE_CACHE_BRANCH = "use_cache_branch";
  static final String LOGITS = "logits";
  static final String ROPE_INV_FREQ = "rope.inv_freq";

  static final String BATCH = "batch";
  static final String SEQUENCE = "sequence";
  static final String PAST_SEQUENCE = "past_sequence";
  static final String TOTAL_SEQUENCE = "total_sequence";

  private static final int ONNX_FLOAT = 1;
  private static final int ONNX_BOOL = 9;

  private DecoderGraph() {}

  static String pastKey(int layer) {
    return "past_key_values." + layer + ".key";
  }

  static String pastValue(int layer) {
    return "past_key_values." + layer + ".value";
  }

  static String presentKey(int layer) {
    return "present." + layer + ".key";
  }

  static String presentValue(int layer) {
    return "present." + layer + ".value";
  }

  /** The whole graph of {@code model} in {@code layout}, initializers registered but not encoded. */
  static OnnxGraph build(SyntheticModel model, Layout layout) {
    OnnxGraph g = new OnnxGraph(model.name() + "-" + layout.name().toLowerCase(java.util.Locale.ROOT));
    for (TensorSpec t : DecoderWeights.parameters(model)) {
      if (model.weightFormat() != WeightFormat.FP32 && DecoderWeights.isLinearMatrix(t)) {
        QuantizedWeights.register(g, t, model.weightFormat(), model.seed());
      } else {
        g.initializer(t);
      }
    }
    boolean past = layout != Layout.NO_PAST;
    g.input(INPUT_IDS, INT64, BATCH, SEQUENCE);
    g.input(ATTENTION_MASK, INT64, BATCH, past ? TOTAL_SEQUENCE : SEQUENCE);
    g.input(POSITION_IDS, INT64, BATCH, SEQUENCE);
    if (past) {
      for (int l = 0; l < model.layers(); l++) {
        g.input(pastKey(l), FLOAT, kvDims(model, PAST_SEQUENCE));
        g.input(pastValue(l), FLOAT, kvDims(model, PAST_SEQUENCE));
      }
    }
    switch (layout) {
      case WITH_PAST -> declareOutputs(g, model, body(g, model, true), "", true);
      case NO_PAST -> declareOutputs(g, model, body(g, model, false), "", false);
      case MERGED -> {
        g.input(USE_CACHE_BRANCH, BOOL, 1L);
        OnnxGraph withPast = g.subgraph("with_past", "with_past/");
        declareOutputs(withPast, model, body(withPast, model, true), "with_past/", true);
        OnnxGraph noPast = g.subgraph("no_past", "no_past/");
        declareOutputs(noPast, model, body(noPast, model, false), "no_past/", true);
        List<String> ifOutputs = new ArrayList<>();
        ifOutputs.add("if/" + LOGITS);
        for (int l = 0; l < model.layers(); l++) {
          ifOutputs.add("if/" + presentKey(l));
          ifOutputs.add("if/" + presentValue(l));
        }
        g.node("If", "If_use_cache_branch", List.of(USE_CACHE_BRANCH), ifOutputs,
            Attr.graph("then_branch", withPast.encode(null)),
            Attr.graph("else_branch", noPast.encode(null)));
        Outputs merged = new Outputs(ifOutputs.get(0), new String[model.layers()],
            new String[model.layers()]);
        for (int l = 0; l < model.layers(); l++) {
          merged.presentKeys[l] = ifOutputs.get(1 + 2 * l);
          merged.presentValues[l] = ifOutputs.get(2 + 2 * l);
        }
        declareOutputs(g, model, merged, "", true);
      }
      default -> throw new IllegalArgumentException("layout: " + layout);
    }
    return g;
  }

  private static Object[] kvDims(SyntheticModel m, String sequenceDim) {
    return new Object[] {BATCH, (long) m.kvHeads(), sequenceDim, (long) m.headSize()};
  }

  private static void declareOutputs(
      OnnxGraph g, SyntheticModel m, Outputs o, String prefix, boolean presents) {
    g.output(prefix + LOGITS, o.logits, FLOAT, BATCH, SEQUENCE, (long) m.vocabSize());
    if (presents) {
      for (int l = 0; l < m.layers(); l++) {
        g.output(prefix + presentKey(l), o.presentKeys[l], FLOAT, kvDims(m, TOTAL_SEQUENCE));
        g.output(prefix + presentValue(l), o.presentValues[l], FLOAT, kvDims(m, TOTAL_SEQUENCE));
      }
    }
  }

  private record Outputs(String logits, String[] presentKeys, String[] presentValues) {}

  /** The decoder computation; {@code withPast} concatenates the past K/V inputs. */
  private static Outputs body(OnnxGraph g, SyntheticModel m, boolean withPast) {
    boolean gpt2 = m.family() == ArchitectureFamily.GPT2;
    Map<String, TensorSpec> weights = new HashMap<>();
    for (TensorSpec t : DecoderWeights.parameters(m)) {
      weights.put(t.name(), t);
    }
    Projection proj = (x, w) -> QuantizedWeights.matmul(g, x, weights.get(w), m.weightFormat());
    int heads = m.attentionHeads();
    int kvHeads = m.kvHeads();
    int headSize = m.headSize();
    int group = heads / kvHeads;

    // Attention bias [B, 1, 1, S, T]: 0 where allowed, MASK_VALUE elsewhere.
    String s = g.op("Squeeze", List.of(
        g.op("Shape", List.of(INPUT_IDS), Attr.i("start", 1), Attr.i("end", 2))));
    String t = g.op("Squeeze", List.of(
        g.op("Shape", List.of(ATTENTION_MASK), Attr.i("start", 1), Attr.i("end", 2))));
    String p = g.op("Sub", List.of(t, s));
    String one = g.longScalar(1);
    String rows = unsqueeze(g, g.op("Range", List.of(p, t, one)), 1);
    String cols = unsqueeze(g, g.op("Range", List.of(g.longScalar(0), t, one)), 0);
    String causal = g.op("LessOrEqual", List.of(cols, rows));
    String notPadding = unsqueeze(g,
        g.op("Cast", List.of(ATTENTION_MASK), Attr.i("to", ONNX_BOOL)), 1, 2, 3);
    String allowed = g.op("And", List.of(causal, notPadding));
    String bias = g.op("Where",
        List.of(allowed, g.floatScalar(0f), g.floatScalar(MASK_VALUE)));

    // Embeddings and rotary tables.
    String h;
    String cos = null;
    String sin = null;
    if (gpt2) {
      h = g.op("Add", List.of(
          g.op("Gather", List.of(DecoderWeights.WTE, INPUT_IDS)),
          g.op("Gather", List.of(DecoderWeights.WPE, POSITION_IDS))));
    } else {
      h = g.op("Gather", List.of(DecoderWeights.EMBED, INPUT_IDS));
      String invFreq = g.floats(ROPE_INV_FREQ, DecoderWeights.ropeInverseFrequencies(m));
      String positions = g.op("Cast", List.of(POSITION_IDS), Attr.i("to", ONNX_FLOAT));
      String angles = g.op("Mul", List.of(unsqueeze(g, positions, 2), invFreq)); // [B,S,D]
      cos = unsqueeze(g, g.op("Cos", List.of(angles)), 1); // [B,1,S,D]
      sin = unsqueeze(g, g.op("Sin", List.of(angles)), 1);
    }

    String scale = g.floatScalar((float) (1.0 / Math.sqrt(headSize)));
    String[] presentKeys = new String[m.layers()];
    String[] presentValues = new String[m.layers()];
    for (int l = 0; l < m.layers(); l++) {
      String x;
      String q;
      String k;
      String v;
      if (gpt2) {
        x = layerNorm(g, m, h, DecoderWeights.gpt2(l, "ln_1.weight"),
            DecoderWeights.gpt2(l, "ln_1.bias"));
        String qkv = linear(g, proj, x, DecoderWeights.gpt2(l, "attn.c_attn.weight"),
            DecoderWeights.gpt2(l, "attn.c_attn.bias"));
        long a = (long) heads * headSize;
        String[] split = g.ops("Split", 3, List.of(qkv, g.longs(a, a, a)), Attr.i("axis", -1));
        q = split[0];
        k = split[1];
        v = split[2];
      } else {
        x = rmsNorm(g, m, h, DecoderWeights.llama(l, "input_layernorm.weight"));
        q = proj.apply(x, DecoderWeights.llama(l, "self_attn.q_proj.weight"));
        k = proj.apply(x, DecoderWeights.llama(l, "self_attn.k_proj.weight"));
        v = proj.apply(x, DecoderWeights.llama(l, "self_attn.v_proj.weight"));
      }
      String q4 = heads(g, q, heads, headSize); // [B,H,S,D]
      String k4 = heads(g, k, kvHeads, headSize); // [B,KV,S,D]
      String v4 = heads(g, v, kvHeads, headSize);
      if (!gpt2) {
        q4 = rope(g, q4, cos, sin, headSize);
        k4 = rope(g, k4, cos, sin, headSize);
      }
      if (withPast) {
        k4 = g.op("Concat", List.of(pastKey(l), k4), Attr.i("axis", 2));
        v4 = g.op("Concat", List.of(pastValue(l), v4), Attr.i("axis", 2));
      }
      presentKeys[l] = k4;
      presentValues[l] = v4;

      String q5 = g.op("Reshape", List.of(q4, g.longs(0, kvHeads, group, -1, headSize)));
      String kT5 = unsqueeze(g, g.op("Transpose", List.of(k4), Attr.ints("perm", 0, 1, 3, 2)), 2);
      String v5 = unsqueeze(g, v4, 2);
      String scores = g.op("Add", List.of(
          g.op("Mul", List.of(g.op("MatMul", List.of(q5, kT5)), scale)), bias));
      String probs = g.op("Softmax", List.of(scores), Attr.i("axis", -1));
      String context = g.op("MatMul", List.of(probs, v5)); // [B,KV,G,S,D]
      context = g.op("Reshape", List.of(
          g.op("Transpose", List.of(context), Attr.ints("perm", 0, 3, 1, 2, 4)),
          g.longs(0, 0, -1)));

      String attnOut;
      String mlpOut;
      if (gpt2) {
        attnOut = linear(g, proj, context, DecoderWeights.gpt2(l, "attn.c_proj.weight"),
            DecoderWeights.gpt2(l, "attn.c_proj.bias"));
        h = g.op("Add", List.of(h, attnOut));
        x = layerNorm(g, m, h, DecoderWeights.gpt2(l, "ln_2.weight"),
            DecoderWeights.gpt2(l, "ln_2.bias"));
        String fc = linear(g, proj, x, DecoderWeights.gpt2(l, "mlp.c_fc.weight"),
            DecoderWeights.gpt2(l, "mlp.c_fc.bias"));
        mlpOut = linear(g, proj, geluTanh(g, fc), DecoderWeights.gpt2(l, "mlp.c_proj.weight"),
            DecoderWeights.gpt2(l, "mlp.c_proj.bias"));
      } else {
        attnOut = proj.apply(context, DecoderWeights.llama(l, "self_attn.o_proj.weight"));
        h = g.op("Add", List.of(h, attnOut));
        x = rmsNorm(g, m, h, DecoderWeights.llama(l, "post_attention_layernorm.weight"));
        String gate = proj.apply(x, DecoderWeights.llama(l, "mlp.gate_proj.weight"));
        String up = proj.apply(x, DecoderWeights.llama(l, "mlp.up_proj.weight"));
        String silu = g.op("Mul", List.of(gate, g.op("Sigmoid", List.of(gate))));
        mlpOut = proj.apply(g.op("Mul", List.of(silu, up)),
            DecoderWeights.llama(l, "mlp.down_proj.weight"));
      }
      h = g.op("Add", List.of(h, mlpOut));
    }

    h = gpt2
        ? layerNorm(g, m, h, DecoderWeights.LN_F_WEIGHT, DecoderWeights.LN_F_BIAS)
        : rmsNorm(g, m, h, DecoderWeights.NORM);
    String logits;
    if (m.tiedEmbeddings()) {
      String table = gpt2 ? DecoderWeights.WTE : DecoderWeights.EMBED;
      String flat = g.op("Reshape", List.of(h, g.longs(-1, m.hiddenSize())));
      String product = g.op("Gemm", List.of(flat, table), Attr.i("transB", 1));
      String shape = g.op("Concat", List.of(
          g.op("Shape", List.of(INPUT_IDS)), g.longs(m.vocabSize())), Attr.i("axis", 0));
      logits = g.op("Reshape", List.of(product, shape));
    } else {
      logits = proj.apply(h, DecoderWeights.LM_HEAD);
    }
    return new Outputs(logits, presentKeys, presentValues);
  }

  private static String unsqueeze(OnnxGraph g, String x, long... axes) {
    return g.op("Unsqueeze", List.of(x, g.longs(axes)));
  }

  /** [B, S, n·D] → [B, n, S, D]. */
  private static String heads(OnnxGraph g, String x, int n, int headSize) {
    String r = g.op("Reshape", List.of(x, g.longs(0, 0, n, headSize)));
    return g.op("Transpose", List.of(r), Attr.ints("perm", 0, 2, 1, 3));
  }

  private static String linear(OnnxGraph g, Projection proj, String x, String weight,
      String bias) {
    return g.op("Add", List.of(proj.apply(x, weight), bias));
  }

  /** {@code x · W} in the model's weight format. */
  @FunctionalInterface
  private interface Projection {
    String apply(String x, String weightName);
  }

  private static String layerNorm(OnnxGraph g, SyntheticModel m, String x, String w, String b) {
    return g.op("LayerNormalization", List.of(x, w, b),
        Attr.i("axis", -1), Attr.f("epsilon", (float) m.normEpsilon()));
  }

  private static String rmsNorm(OnnxGraph g, SyntheticModel m, String x, String w) {
    String meanSquare = g.op("ReduceMean", List.of(g.op("Mul", List.of(x, x))),
        Attr.ints("axes", -1), Attr.i("keepdims", 1));
    String rms = g.op("Sqrt", List.of(
        g.op("Add", List.of(meanSquare, g.floatScalar((float) m.normEpsilon())))));
    return g.op("Mul", List.of(g.op("Div", List.of(x, rms)), w));
  }

  private static String geluTanh(OnnxGraph g, String x) {
    String cube = g.op("Mul", List.of(g.op("Mul", List.of(x, x)), x));
    String inner = g.op("Mul", List.of(
        g.op("Add", List.of(x, g.op("Mul", List.of(cube, g.floatScalar(0.044715f))))),
        g.floatScalar((float) Math.sqrt(2.0 / Math.PI))));
    String tanh = g.op("Tanh", List.of(inner));
    return g.op("Mul", List.of(
        g.op("Mul", List.of(x, g.floatScalar(0.5f))),
        g.op("Add", List.of(tanh, g.floatScalar(1f)))));
  }

  /** {@code x·cos + rotate_half(x)·sin} over the last axis; cos/sin are [B,1,S,D]. */
  private static String rope(OnnxGraph g, String x, String cos, String sin, int headSize) {
    long half = headSize / 2;
    String[] halves = g.ops("Split", 2, List.of(x, g.longs(half, half)), Attr.i("axis", -1));
    String rotated = g.op("Concat",
        List.of(g.op("Neg", List.of(halves[1])), halves[0]), Attr.i("axis", -1));
    return g.op("Add", List.of(
        g.op("Mul", List.of(x, cos)), g.op("Mul", List.of(rotated, sin))));
  }
}

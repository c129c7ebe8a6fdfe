package io.costgen.testkit;

import io.costgen.onnx.graph.TensorSpec;

import io.costgen.cost.ArchitectureFamily;
import java.util.ArrayList;
import java.util.List;

/**
 * The learned tensors of a {@link SyntheticModel}: names, shapes and initial values. The ONNX
 * graph and {@link ReferenceForward} both read weights through these names.
 *
 * <p>Names follow the Hugging Face checkpoints. Matrices are stored {@code [in, out]} so the
 * graph multiplies {@code x·W} directly: that is GPT-2's own Conv1D layout, and the transpose
 * of a Hugging Face Llama {@code nn.Linear} weight ({@code [out, in]}). Embedding tables are
 * {@code [vocab, hidden]} as in Hugging Face; a tied LM head reuses the token table.
 *
 * <p>Initial values follow GPT-2's initialisation (Radford et al. 2019, section 2.3; Hugging
 * Face {@code GPT2PreTrainedModel._init_weights}): matrices and embeddings normal with
 * {@code initStd}, residual output projections ({@code c_proj}) with
 * {@code initStd / √(2·layers)}, norm weights 1. Biases (GPT-2 linear layers and LayerNorm)
 * get small seeded values ({@code initStd / 2}) rather than zeros, so a graph that dropped a
 * bias would not match the reference.
 */
final class DecoderWeights {

  private DecoderWeights() {}

  // GPT-2 names
  static final String WTE = "transformer.wte.weight";
  static final String WPE = "transformer.wpe.weight";
  static final String LN_F_WEIGHT = "transformer.ln_f.weight";
  static final String LN_F_BIAS = "transformer.ln_f.bias";

  static String gpt2(int layer, String suffix) {
    return "transformer.h." + layer + "." + suffix;
  }

  // Llama names
  static final String EMBED = "model.embed_tokens.weight";
  static final String NORM = "model.norm.weight";
  static final String LM_HEAD = "lm_head.weight";

  static String llama(int layer, String suffix) {
    return "model.layers." + layer + "." + suffix;
  }

  /**
   * Whether {@code t} is the matrix of a linear layer (attention and MLP projections, an untied
   * LM head): the tensors a quantized {@link WeightFormat} stores quantized. Embedding and
   * position tables are not (they are gathered, and a tied head reuses the token table).
   */
  static boolean isLinearMatrix(TensorSpec t) {
    String n = t.name();
    return t.dims().length == 2 && !n.equals(WTE) && !n.equals(WPE) && !n.equals(EMBED);
  }

  /** Every parameter tensor, in a fixed order (embeddings, layers, final norm, head). */
  static List<TensorSpec> parameters(SyntheticModel m) {
    return m.family() == ArchitectureFamily.GPT2 ? gpt2Parameters(m) : llamaParameters(m);
  }

  private static List<TensorSpec> gpt2Parameters(SyntheticModel m) {
    long d = m.hiddenSize();
    long attn = (long) m.attentionHeads() * m.headSize();
    long ff = m.intermediateSize();
    TensorSpec.Values normal = new TensorSpec.Normal(m.initStd());
    TensorSpec.Values residual = new TensorSpec.Normal(m.initStd() / Math.sqrt(2.0 * m.layers()));
    TensorSpec.Values bias = new TensorSpec.Normal(m.initStd() / 2);
    TensorSpec.Values ones = new TensorSpec.Fill(1f);
    List<TensorSpec> out = new ArrayList<>();
    out.add(TensorSpec.weight(WTE, normal, m.vocabSize(), d));
    out.add(TensorSpec.weight(WPE, normal, m.contextLength(), d));
    for (int l = 0; l < m.layers(); l++) {
      out.add(TensorSpec.weight(gpt2(l, "ln_1.weight"), ones, d));
      out.add(TensorSpec.weight(gpt2(l, "ln_1.bias"), bias, d));
      out.add(TensorSpec.weight(gpt2(l, "attn.c_attn.weight"), normal, d, 3 * attn));
      out.add(TensorSpec.weight(gpt2(l, "attn.c_attn.bias"), bias, 3 * attn));
      out.add(TensorSpec.weight(gpt2(l, "attn.c_proj.weight"), residual, attn, d));
      out.add(TensorSpec.weight(gpt2(l, "attn.c_proj.bias"), bias, d));
      out.add(TensorSpec.weight(gpt2(l, "ln_2.weight"), ones, d));
      out.add(TensorSpec.weight(gpt2(l, "ln_2.bias"), bias, d));
      out.add(TensorSpec.weight(gpt2(l, "mlp.c_fc.weight"), normal, d, ff));
      out.add(TensorSpec.weight(gpt2(l, "mlp.c_fc.bias"), bias, ff));
      out.add(TensorSpec.weight(gpt2(l, "mlp.c_proj.weight"), residual, ff, d));
      out.add(TensorSpec.weight(gpt2(l, "mlp.c_proj.bias"), bias, d));
    }
    out.add(TensorSpec.weight(LN_F_WEIGHT, ones, d));
    out.add(TensorSpec.weight(LN_F_BIAS, bias, d));
    if (!m.tiedEmbeddings()) {
      out.add(TensorSpec.weight(LM_HEAD, normal, d, m.vocabSize()));
    }
    return out;
  }

  private static List<TensorSpec> llamaParameters(SyntheticModel m) {
    long d = m.hiddenSize();
    long q = (long) m.attentionHeads() * m.headSize();
    long kv = (long) m.kvHeads() * m.headSize();
    long ff = m.intermediateSize();
    TensorSpec.Values normal = new TensorSpec.Normal(m.initStd());
    TensorSpec.Values ones = new TensorSpec.Fill(1f);
    List<TensorSpec> out = new ArrayList<>();
    out.add(TensorSpec.weight(EMBED, normal, m.vocabSize(), d));
    for (int l = 0; l < m.layers(); l++) {
      out.add(TensorSpec.weight(llama(l, "input_layernorm.weight"), ones, d));
      out.add(TensorSpec.weight(llama(l, "self_attn.q_proj.weight"), normal, d, q));
      out.add(TensorSpec.weight(llama(l, "self_attn.k_proj.weight"), normal, d, kv));
      out.add(TensorSpec.weight(llama(l, "self_attn.v_proj.weight"), normal, d, kv));
      out.add(TensorSpec.weight(llama(l, "self_attn.o_proj.weight"), normal, q, d));
      out.add(TensorSpec.weight(llama(l, "post_attention_layernorm.weight"), ones, d));
      out.add(TensorSpec.weight(llama(l, "mlp.gate_proj.weight"), normal, d, ff));
      out.add(TensorSpec.weight(llama(l, "mlp.up_proj.weight"), normal, d, ff));
      out.add(TensorSpec.weight(llama(l, "mlp.down_proj.weight"), normal, ff, d));
    }
    out.add(TensorSpec.weight(NORM, ones, d));
    if (!m.tiedEmbeddings()) {
      out.add(TensorSpec.weight(LM_HEAD, normal, d, m.vocabSize()));
    }
    return out;
  }

  /**
   * RoPE inverse frequencies repeated twice, {@code [headSize]}: {@code θ^(-2i/headSize)} for
   * i in [0, headSize/2), then the same again (Hugging Face {@code LlamaRotaryEmbedding}:
   * {@code emb = cat(freqs, freqs)}). Computed in double with {@code StrictMath} (bit-reproducible), rounded once to float.
   */
  static float[] ropeInverseFrequencies(SyntheticModel m) {
    int half = m.headSize() / 2;
    float[] inv = new float[m.headSize()];
    for (int i = 0; i < half; i++) {
      float f = (float) (1.0 / StrictMath.pow(m.ropeTheta(), (2.0 * i) / m.headSize()));
      inv[i] = f;
      inv[i + half] = f;
    }
    return inv;
  }
}

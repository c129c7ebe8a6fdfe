package io.costgen.testkit;

import io.costgen.onnx.graph.SeededWeights;

import io.costgen.onnx.graph.TensorSpec;

import io.costgen.cost.ArchitectureFamily;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A plain-Java forward pass of a {@link SyntheticModel} over the same seeded weights as its
 * ONNX files, with no ONNX involved: the independent check that the graphs compute what they
 * should. Arithmetic is float weights with double accumulation; written for clarity, not
 * speed (tiny models and short sequences).
 *
 * <p>One unpadded sequence per call; attention is causal over all earlier tokens, scores
 * scaled by 1/√headSize. Positions default to {@code 0..n−1}. GPT-2 style: token + learned
 * position embedding, pre-LayerNorm blocks, fused QKV with biases, MLP with the tanh GELU
 * approximation ({@code gelu_new}), final LayerNorm. Llama style: RMSNorm, Q/K/V without
 * biases, RoPE in the Hugging Face {@code rotate_half} convention (element {@code c} of a head
 * pairs with {@code c + headSize/2}, angle {@code position · θ^(−2c/headSize)}), grouped-query
 * attention where query head {@code h} reads KV head {@code h / (heads / kvHeads)}, SwiGLU
 * MLP, final RMSNorm. Tied models multiply by the transposed token embedding.
 *
 * <p>Materialises every weight as a {@code float[]}: memory is {@code 4 · parameterCount()}
 * bytes. Immutable after creation and thread-safe.
 */
public final class ReferenceForward {

  private final SyntheticModel m;
  private final Map<String, float[]> w = new HashMap<>();
  private final float[] invFreq;

  private ReferenceForward(SyntheticModel model) {
    this.m = model;
    for (TensorSpec t : DecoderWeights.parameters(model)) {
      w.put(t.name(), SeededWeights.floats(t, model.seed()));
    }
    this.invFreq = DecoderWeights.ropeInverseFrequencies(model);
  }

  /** Generates the weights of {@code model} (takes {@code 4 · parameterCount()} bytes). */
  public static ReferenceForward of(SyntheticModel model) {
    return new ReferenceForward(Objects.requireNonNull(model, "model"));
  }

  /** The model this pass computes. */
  public SyntheticModel model() {
    return m;
  }

  /** Logits {@code [tokens][vocab]} for {@code tokenIds} at positions {@code 0..n−1}. */
  public float[][] logits(long[] tokenIds) {
    long[] positions = new long[tokenIds.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
    }
    return logits(tokenIds, positions);
  }

  /** Logits {@code [tokens][vocab]} for {@code tokenIds} at the given positions. */
  public float[][] logits(long[] tokenIds, long[] positionIds) {
    if (tokenIds.length != positionIds.length || tokenIds.length == 0) {
      throw new IllegalArgumentException("tokenIds/positionIds: lengths " + tokenIds.length
          + " and " + positionIds.length + " must be equal and >= 1");
    }
    for (long id : tokenIds) {
      if (id < 0 || id >= m.vocabSize()) {
        throw new IllegalArgumentException(
            "tokenIds: " + id + " outside [0, " + m.vocabSize() + ")");
      }
    }
    boolean gpt2 = m.family() == ArchitectureFamily.GPT2;
    int n = tokenIds.length;
    int d = m.hiddenSize();
    float[][] h = new float[n][d];
    for (int i = 0; i < n; i++) {
      float[] table = w.get(gpt2 ? DecoderWeights.WTE : DecoderWeights.EMBED);
      int tok = (int) tokenIds[i];
      for (int c = 0; c < d; c++) {
        h[i][c] = table[tok * d + c];
      }
      if (gpt2) {
        float[] wpe = w.get(DecoderWeights.WPE);
        int pos = (int) positionIds[i];
        for (int c = 0; c < d; c++) {
          h[i][c] += wpe[pos * d + c];
        }
      }
    }
    for (int l = 0; l < m.layers(); l++) {
      float[][] attn = gpt2 ? gpt2Attention(h, l) : llamaAttention(h, positionIds, l);
      add(h, attn);
      float[][] mlp = gpt2 ? gpt2Mlp(h, l) : llamaMlp(h, l);
      add(h, mlp);
    }
    float[][] x = gpt2
        ? layerNorm(h, w.get(DecoderWeights.LN_F_WEIGHT), w.get(DecoderWeights.LN_F_BIAS))
        : rmsNorm(h, w.get(DecoderWeights.NORM));
    float[][] logits = new float[n][m.vocabSize()];
    if (m.tiedEmbeddings()) {
      float[] table = w.get(gpt2 ? DecoderWeights.WTE : DecoderWeights.EMBED);
      for (int i = 0; i < n; i++) {
        for (int v = 0; v < m.vocabSize(); v++) {
          double acc = 0;
          for (int c = 0; c < d; c++) {
            acc += (double) x[i][c] * table[v * d + c];
          }
          logits[i][v] = (float) acc;
        }
      }
    } else {
      logits = matmul(x, w.get(DecoderWeights.LM_HEAD), m.vocabSize(), null);
    }
    return logits;
  }

  private float[][] gpt2Attention(float[][] h, int l) {
    float[][] x = layerNorm(h, w.get(DecoderWeights.gpt2(l, "ln_1.weight")),
        w.get(DecoderWeights.gpt2(l, "ln_1.bias")));
    int a = m.attentionHeads() * m.headSize();
    float[][] qkv = matmul(x, w.get(DecoderWeights.gpt2(l, "attn.c_attn.weight")), 3 * a,
        w.get(DecoderWeights.gpt2(l, "attn.c_attn.bias")));
    int n = h.length;
    float[][] q = new float[n][a];
    float[][] k = new float[n][a];
    float[][] v = new float[n][a];
    for (int i = 0; i < n; i++) {
      System.arraycopy(qkv[i], 0, q[i], 0, a);
      System.arraycopy(qkv[i], a, k[i], 0, a);
      System.arraycopy(qkv[i], 2 * a, v[i], 0, a);
    }
    float[][] ctx = causalAttention(q, k, v);
    return matmul(ctx, w.get(DecoderWeights.gpt2(l, "attn.c_proj.weight")), m.hiddenSize(),
        w.get(DecoderWeights.gpt2(l, "attn.c_proj.bias")));
  }

  private float[][] gpt2Mlp(float[][] h, int l) {
    float[][] x = layerNorm(h, w.get(DecoderWeights.gpt2(l, "ln_2.weight")),
        w.get(DecoderWeights.gpt2(l, "ln_2.bias")));
    float[][] fc = matmul(x, w.get(DecoderWeights.gpt2(l, "mlp.c_fc.weight")),
        m.intermediateSize(), w.get(DecoderWeights.gpt2(l, "mlp.c_fc.bias")));
    for (float[] row : fc) {
      for (int c = 0; c < row.length; c++) {
        double u = row[c];
        row[c] = (float) (0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u))));
      }
    }
    return matmul(fc, w.get(DecoderWeights.gpt2(l, "mlp.c_proj.weight")), m.hiddenSize(),
        w.get(DecoderWeights.gpt2(l, "mlp.c_proj.bias")));
  }

  private float[][] llamaAttention(float[][] h, long[] positions, int l) {
    float[][] x = rmsNorm(h, w.get(DecoderWeights.llama(l, "input_layernorm.weight")));
    int hd = m.headSize();
    float[][] q = matmul(x, w.get(DecoderWeights.llama(l, "self_attn.q_proj.weight")),
        m.attentionHeads() * hd, null);
    float[][] k = matmul(x, w.get(DecoderWeights.llama(l, "self_attn.k_proj.weight")),
        m.kvHeads() * hd, null);
    float[][] v = matmul(x, w.get(DecoderWeights.llama(l, "self_attn.v_proj.weight")),
        m.kvHeads() * hd, null);
    for (int i = 0; i < h.length; i++) {
      rotate(q[i], m.attentionHeads(), positions[i]);
      rotate(k[i], m.kvHeads(), positions[i]);
    }
    float[][] ctx = causalAttention(q, k, v);
    return matmul(ctx, w.get(DecoderWeights.llama(l, "self_attn.o_proj.weight")),
        m.hiddenSize(), null);
  }

  /** RoPE, rotate_half convention: pairs (c, c + half) of each head rotate by pos·invFreq[c]. */
  private void rotate(float[] x, int heads, long position) {
    int hd = m.headSize();
    int half = hd / 2;
    float pos = (float) position;
    for (int head = 0; head < heads; head++) {
      int base = head * hd;
      for (int c = 0; c < half; c++) {
        float angle = pos * invFreq[c];
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double x1 = x[base + c];
        double x2 = x[base + c + half];
        x[base + c] = (float) (x1 * cos - x2 * sin);
        x[base + c + half] = (float) (x2 * cos + x1 * sin);
      }
    }
  }

  private float[][] llamaMlp(float[][] h, int l) {
    float[][] x = rmsNorm(h, w.get(DecoderWeights.llama(l, "post_attention_layernorm.weight")));
    int ff = m.intermediateSize();
    float[][] gate = matmul(x, w.get(DecoderWeights.llama(l, "mlp.gate_proj.weight")), ff, null);
    float[][] up = matmul(x, w.get(DecoderWeights.llama(l, "mlp.up_proj.weight")), ff, null);
    for (int i = 0; i < gate.length; i++) {
      for (int c = 0; c < ff; c++) {
        double g = gate[i][c];
        gate[i][c] = (float) (g / (1 + Math.exp(-g)) * up[i][c]);
      }
    }
    return matmul(gate, w.get(DecoderWeights.llama(l, "mlp.down_proj.weight")),
        m.hiddenSize(), null);
  }

  /** q [n][heads·hd], k/v [n][kvHeads·hd]; query i attends keys 0..i. */
  private float[][] causalAttention(float[][] q, float[][] k, float[][] v) {
    int n = q.length;
    int hd = m.headSize();
    int group = m.attentionHeads() / m.kvHeads();
    double scale = (float) (1.0 / Math.sqrt(hd));
    float[][] out = new float[n][m.attentionHeads() * hd];
    double[] scores = new double[n];
    for (int head = 0; head < m.attentionHeads(); head++) {
      int kvHead = head / group;
      for (int i = 0; i < n; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
          double dot = 0;
          for (int c = 0; c < hd; c++) {
            dot += (double) q[i][head * hd + c] * k[j][kvHead * hd + c];
          }
          scores[j] = dot * scale;
          max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j <= i; j++) {
          scores[j] = Math.exp(scores[j] - max);
          sum += scores[j];
        }
        for (int c = 0; c < hd; c++) {
          double acc = 0;
          for (int j = 0; j <= i; j++) {
            acc += scores[j] * v[j][kvHead * hd + c];
          }
          out[i][head * hd + c] = (float) (acc / sum);
        }
      }
    }
    return out;
  }

  private float[][] layerNorm(float[][] x, float[] weight, float[] bias) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      float[] row = x[i];
      double mean = 0;
      for (float f : row) {
        mean += f;
      }
      mean /= row.length;
      double var = 0;
      for (float f : row) {
        var += (f - mean) * (f - mean);
      }
      var /= row.length;
      double inv = 1 / Math.sqrt(var + m.normEpsilon());
      out[i] = new float[row.length];
      for (int c = 0; c < row.length; c++) {
        out[i][c] = (float) ((row[c] - mean) * inv * weight[c] + bias[c]);
      }
    }
    return out;
  }

  private float[][] rmsNorm(float[][] x, float[] weight) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      float[] row = x[i];
      double ms = 0;
      for (float f : row) {
        ms += (double) f * f;
      }
      ms /= row.length;
      double inv = 1 / Math.sqrt(ms + m.normEpsilon());
      out[i] = new float[row.length];
      for (int c = 0; c < row.length; c++) {
        out[i][c] = (float) (row[c] * inv * weight[c]);
      }
    }
    return out;
  }

  /** x [n][in] · W [in][out] (+ bias [out]). */
  private static float[][] matmul(float[][] x, float[] weight, int outSize, float[] bias) {
    int in = x[0].length;
    float[][] out = new float[x.length][outSize];
    double[] acc = new double[outSize];
    for (int i = 0; i < x.length; i++) {
      java.util.Arrays.fill(acc, 0);
      for (int r = 0; r < in; r++) {
        double xr = x[i][r];
        int base = r * outSize;
        for (int o = 0; o < outSize; o++) {
          acc[o] += xr * weight[base + o];
        }
      }
      for (int o = 0; o < outSize; o++) {
        out[i][o] = (float) (bias == null ? acc[o] : acc[o] + bias[o]);
      }
    }
    return out;
  }

  private static void add(float[][] h, float[][] delta) {
    for (int i = 0; i < h.length; i++) {
      for (int c = 0; c < h[i].length; c++) {
        h[i][c] += delta[i][c];
      }
    }
  }
}

package io.costgen.cost;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The shape of a decoder-only transformer: everything the cost arithmetic needs.
 *
 * <p>Sizes are element counts (not bytes). {@code parameterCountOverride} replaces the formula
 * count when the exact number is known (e.g. counted from the weights of an ONNX file).
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()}.
 */
public record ModelShape(
    String name,
    ArchitectureFamily family,
    int layers,
    int hiddenSize,
    int attentionHeads,
    int kvHeads,
    int headSize,
    int intermediateSize,
    int vocabSize,
    int contextLength,
    boolean tiedEmbeddings,
    OptionalLong parameterCountOverride) {

  public ModelShape {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(parameterCountOverride, "parameterCountOverride");
    requirePositive("layers", layers);
    requirePositive("hiddenSize", hiddenSize);
    requirePositive("attentionHeads", attentionHeads);
    requirePositive("kvHeads", kvHeads);
    requirePositive("headSize", headSize);
    requirePositive("intermediateSize", intermediateSize);
    requirePositive("vocabSize", vocabSize);
    requirePositive("contextLength", contextLength);
    if (kvHeads > attentionHeads || attentionHeads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "kvHeads: " + kvHeads + " must divide attentionHeads (" + attentionHeads + ")");
    }
    if (parameterCountOverride.isPresent() && parameterCountOverride.getAsLong() <= 0) {
      throw new IllegalArgumentException(
          "parameterCountOverride: " + parameterCountOverride.getAsLong() + " must be > 0");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.family = family;
    b.layers = layers;
    b.hiddenSize = hiddenSize;
    b.attentionHeads = attentionHeads;
    b.kvHeads = kvHeads;
    b.headSize = headSize;
    b.intermediateSize = intermediateSize;
    b.vocabSize = vocabSize;
    b.contextLength = contextLength;
    b.tiedEmbeddings = tiedEmbeddings;
    b.parameterCountOverride = parameterCountOverride;
    return b;
  }

  /** d_attn = attentionHeads × headSize. */
  public int attentionSize() {
    return attentionHeads * headSize;
  }

  /**
   * Parameters outside the embeddings: every transformer layer (attention, MLP, norms, biases)
   * plus the final norm. Excludes token and position embeddings and an untied LM head.
   * GPT-2 family: {@code 12·d² + 13·d} per layer for standard shapes (d_attn = d, d_ff = 4d).
   * Llama family: Q/O {@code d·d_attn}, K/V {@code d·kvHeads·headSize}, SwiGLU {@code 3·d·d_ff},
   * two RMSNorm weights.
   */
  public long nonEmbeddingParameters() {
    long d = hiddenSize;
    long attn = attentionSize();
    long kv = (long) kvHeads * headSize;
    long ff = intermediateSize;
    long perLayer;
    long finalNorm;
    if (family == ArchitectureFamily.GPT2) {
      perLayer = d * (attn + 2 * kv) + (attn + 2 * kv) // QKV weight + bias
          + attn * d + d                                // output projection + bias
          + d * ff + ff + ff * d + d                    // MLP + biases
          + 4 * d;                                      // two LayerNorms (weight + bias)
      finalNorm = 2 * d;
    } else {
      perLayer = d * attn + 2 * d * kv + attn * d + 3 * d * ff + 2 * d;
      finalNorm = d;
    }
    return layers * perLayer + finalNorm;
  }

  /** Token embedding, learned positions (GPT-2 family) and an untied LM head. */
  public long embeddingParameters() {
    long e = (long) vocabSize * hiddenSize;
    if (family == ArchitectureFamily.GPT2) {
      e += (long) contextLength * hiddenSize;
    }
    if (!tiedEmbeddings) {
      e += (long) vocabSize * hiddenSize;
    }
    return e;
  }

  /** Total parameters: the override when set, else non-embedding + embedding parameters. */
  public long parameters() {
    return parameterCountOverride.orElse(nonEmbeddingParameters() + embeddingParameters());
  }

  /**
   * Kaplan et al. 2020 (arXiv:2001.08361, Table 1) forward FLOPs per token at context
   * {@code context}: {@code 2·N_nonembedding + 2·n_layer·n_ctx·d_attn}.
   */
  public double kaplanForwardFlopsPerToken(int context) {
    return 2.0 * nonEmbeddingParameters() + 2.0 * layers * (double) context * attentionSize();
  }

  /** {@link #kaplanForwardFlopsPerToken} plus the LM head (de-embedding) {@code 2·d_model·vocab}. */
  public double forwardFlopsPerToken(int context) {
    return kaplanForwardFlopsPerToken(context) + 2.0 * hiddenSize * (double) vocabSize;
  }

  /** KV-cache bytes per token: {@code 2·n_layer·kvHeads·headSize·bytes(dtype)} (K and V). */
  public double kvCacheBytesPerToken(DType dtype) {
    return 2.0 * layers * kvHeads * headSize * dtype.bytesPerElement();
  }

  /** Bytes to hold all weights ({@link #parameters()}) in {@code dtype}. */
  public double weightBytes(DType dtype) {
    return parameters() * dtype.bytesPerElement();
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + ": " + value + " must be >= 1");
    }
  }

  /** Builder for {@link ModelShape}. Unset {@code kvHeads} defaults to {@code attentionHeads},
   * unset {@code headSize} to {@code hiddenSize / attentionHeads}, unset
   * {@code intermediateSize} to {@code 4 × hiddenSize}. Not thread-safe. */
  public static final class Builder {
    private String name = "model";
    private ArchitectureFamily family = ArchitectureFamily.GPT2;
    private int layers;
    private int hiddenSize;
    private int attentionHeads;
    private int kvHeads;
    private int headSize;
    private int intermediateSize;
    private int vocabSize;
    private int contextLength;
    private boolean tiedEmbeddings = true;
    private OptionalLong parameterCountOverride = OptionalLong.empty();

    private Builder() {}

    public Builder name(String v) { this.name = v; return this; }
    public Builder family(ArchitectureFamily v) { this.family = v; return this; }
    public Builder layers(int v) { this.layers = v; return this; }
    public Builder hiddenSize(int v) { this.hiddenSize = v; return this; }
    public Builder attentionHeads(int v) { this.attentionHeads = v; return this; }
    public Builder kvHeads(int v) { this.kvHeads = v; return this; }
    public Builder headSize(int v) { this.headSize = v; return this; }
    public Builder intermediateSize(int v) { this.intermediateSize = v; return this; }
    public Builder vocabSize(int v) { this.vocabSize = v; return this; }
    public Builder contextLength(int v) { this.contextLength = v; return this; }
    public Builder tiedEmbeddings(boolean v) { this.tiedEmbeddings = v; return this; }
    /** Exact parameter count (e.g. counted from weights); overrides the formula. */
    public Builder parameterCount(long v) { this.parameterCountOverride = OptionalLong.of(v); return this; }

    public ModelShape build() {
      int kv = kvHeads == 0 ? attentionHeads : kvHeads;
      int hs = headSize == 0 && attentionHeads > 0 ? hiddenSize / attentionHeads : headSize;
      int ff = intermediateSize == 0 ? 4 * hiddenSize : intermediateSize;
      return new ModelShape(name, family, layers, hiddenSize, attentionHeads, kv, hs, ff,
          vocabSize, contextLength, tiedEmbeddings, parameterCountOverride);
    }
  }
}

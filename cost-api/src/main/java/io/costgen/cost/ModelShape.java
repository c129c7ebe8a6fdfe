package io.costgen.cost;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The shape of a decoder-only transformer: everything the cost arithmetic needs.
 *
 * <p>Sizes are element counts (not bytes). {@code parameterCountOverride} replaces the formula
 * count when the exact number is known (e.g. counted from the weights of an ONNX file);
 * {@code weightBytesOverride} likewise replaces {@code parameters × bytes(dtype)} in
 * {@link #weightBytes(DType)} with the bytes a forward pass reads as counted from the files
 * (quantized codes, scales and zero points of int4/int8 exports, mixed-precision tensors).
 *
 * <p>Arithmetic: exact parameter counts, Kaplan et al. 2020's approximation, forward FLOPs per
 * token and for a whole prefill / decode, KV-cache and weight bytes, training FLOPs. Built-in
 * shapes via {@link #preset(String)}; Hugging Face configs via
 * {@link #fromHuggingFaceConfig(java.nio.file.Path)}. Formulas and sources:
 * {@code docs/cost-model.md}.
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
    OptionalLong parameterCountOverride,
    OptionalLong weightBytesOverride) {

  public ModelShape {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(weightBytesOverride, "weightBytesOverride");
    if (weightBytesOverride.isPresent() && weightBytesOverride.getAsLong() <= 0) {
      throw new IllegalArgumentException(
          "weightBytesOverride: " + weightBytesOverride.getAsLong() + " must be > 0");
    }
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

  /** A shape without a counted weight size ({@code weightBytesOverride} empty). */
  public ModelShape(String name, ArchitectureFamily family, int layers, int hiddenSize,
      int attentionHeads, int kvHeads, int headSize, int intermediateSize, int vocabSize,
      int contextLength, boolean tiedEmbeddings, OptionalLong parameterCountOverride) {
    this(name, family, layers, hiddenSize, attentionHeads, kvHeads, headSize, intermediateSize,
        vocabSize, contextLength, tiedEmbeddings, parameterCountOverride, OptionalLong.empty());
  }

  /** A builder with the defaults described on {@link Builder}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this shape's values. */
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
    b.weightBytesOverride = weightBytesOverride;
    return b;
  }

  /** d_attn = attentionHeads × headSize, in elements. */
  public int attentionSize() {
    return attentionHeads * headSize;
  }

  /**
   * Parameters outside the embeddings, counted exactly from the shape: every transformer layer
   * (attention, MLP, norms, biases) plus the final norm. Excludes token and position embeddings
   * and an untied LM head.
   *
   * <ul>
   *   <li>GPT-2 family: Q/K/V/O weights and biases, two-matrix MLP with biases, two LayerNorms
   *       (weight + bias) per layer, i.e. {@code 12·d² + 13·d} per layer for standard shapes
   *       (d_attn = d, d_ff = 4d); final LayerNorm {@code 2·d}. Reproduces the released GPT-2
   *       checkpoints exactly (124,439,808 parameters in all for {@code gpt2}).
   *   <li>Llama family: Q/O {@code d·d_attn}, K/V {@code d·kvHeads·headSize} each, SwiGLU
   *       {@code 3·d·d_ff}, two RMSNorm weights per layer; final RMSNorm {@code d}.
   * </ul>
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

  /**
   * Kaplan et al. 2020 (arXiv:2001.08361, Eq. 2.1) approximation of the non-embedding parameter
   * count: {@code N ≈ 2·d_model·n_layer·(2·d_attn + d_ff)}, which is {@code 12·n_layer·d_model²}
   * for standard shapes (d_attn = d_ff/4 = d_model). Biases, norms and the third SwiGLU matrix
   * are not in this formula; use {@link #nonEmbeddingParameters()} for the exact count.
   * GPT-2 small: 84,934,656.
   */
  public long kaplanNonEmbeddingParameters() {
    return 2L * hiddenSize * layers * (2L * attentionSize() + intermediateSize);
  }

  /** Token embedding, learned positions (GPT-2 family) and an untied LM head, in parameters. */
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
   * Kaplan et al. 2020 (arXiv:2001.08361, Table 1) forward FLOPs for one token that attends to
   * {@code context} tokens (itself included): {@code 2·N_nonembedding + 2·n_layer·n_ctx·d_attn}.
   * N is the exact {@link #nonEmbeddingParameters()} (2 FLOPs per multiply-accumulate). The LM
   * head is not included; see {@link #forwardFlopsPerToken(long)}.
   *
   * <p>Note: Kaplan's context term counts one of the two attention matmuls (QKᵀ and AV);
   * PaLM (Chowdhery et al. 2022, App. B) and nanoGPT count both ({@code 4·n_layer·n_ctx·d_attn}
   * forward). costgen follows Kaplan as published; the term is small when
   * {@code d_model > n_ctx/12}.
   *
   * @throws IllegalArgumentException if {@code context < 0}
   */
  public double kaplanForwardFlopsPerToken(long context) {
    requireNonNegative("context", context);
    return 2.0 * nonEmbeddingParameters() + attentionFlopsPerContextToken() * context;
  }

  /**
   * Forward FLOPs for one token at context {@code context}: {@link
   * #kaplanForwardFlopsPerToken(long)} plus the LM head (de-embedding, Kaplan Table 1)
   * {@code 2·d_model·vocab}. Affine in {@code context}. kipply ("Transformer Inference
   * Arithmetic", 2022) approximates it by {@code 2·P}.
   *
   * @throws IllegalArgumentException if {@code context < 0}
   */
  public double forwardFlopsPerToken(long context) {
    return kaplanForwardFlopsPerToken(context) + lmHeadFlopsPerToken();
  }

  /** {@code 2·d_model·vocab}: FLOPs of the LM head (de-embedding) for one token. */
  public double lmHeadFlopsPerToken() {
    return 2.0 * hiddenSize * (double) vocabSize;
  }

  /** {@code 2·n_layer·d_attn}: Kaplan's attention FLOPs per token per attended token. */
  public double attentionFlopsPerContextToken() {
    return 2.0 * layers * (double) attentionSize();
  }

  /**
   * Prefill FLOPs for {@code batch} rows of {@code promptTokens} tokens each, causal: prompt
   * token {@code i} (1-based) attends to {@code i} tokens, so the sum is
   * {@code batch·(p·F(0) + 2·n_layer·d_attn·p(p+1)/2)} with {@code F} =
   * {@link #forwardFlopsPerToken(long)}. The LM head is counted for every prompt position, as
   * exported decoders compute logits for all of them.
   *
   * @throws IllegalArgumentException if {@code promptTokens < 0} or {@code batch < 1}
   */
  public double prefillFlops(long promptTokens, int batch) {
    requireNonNegative("promptTokens", promptTokens);
    requireBatch(batch);
    double p = promptTokens;
    double perRow = p * forwardFlopsPerToken(0) + attentionFlopsPerContextToken() * p * (p + 1) / 2.0;
    return batch * perRow;
  }

  /**
   * Decode FLOPs for {@code batch} rows that each generate {@code newTokens} tokens after a
   * prompt of {@code promptTokens}: one forward pass per new token, the {@code i}-th (1-based)
   * at context {@code promptTokens + i}, summed:
   * {@code batch·(n·F(0) + 2·n_layer·d_attn·(n·p + n(n+1)/2))}.
   *
   * <p>This counts one pass per generated token, the usual calculator convention
   * (cli99/llm-analysis); a decode loop that takes its first token from the prefill logits runs
   * {@code newTokens − 1} passes, so this is an upper bound by one pass.
   *
   * @throws IllegalArgumentException if a count is negative or {@code batch < 1}
   */
  public double decodeFlops(long promptTokens, long newTokens, int batch) {
    requireNonNegative("promptTokens", promptTokens);
    requireNonNegative("newTokens", newTokens);
    requireBatch(batch);
    double p = promptTokens;
    double n = newTokens;
    double perRow = n * forwardFlopsPerToken(0)
        + attentionFlopsPerContextToken() * (n * p + n * (n + 1) / 2.0);
    return batch * perRow;
  }

  /** KV-cache bytes per token: {@code 2·n_layer·kvHeads·headSize·bytes(dtype)} (K and V). */
  public double kvCacheBytesPerToken(DType dtype) {
    Objects.requireNonNull(dtype, "dtype");
    return 2.0 * layers * kvHeads * headSize * dtype.bytesPerElement();
  }

  /**
   * Bytes to hold all weights ({@link #parameters()}) in {@code dtype}: 4 (fp32), 2 (fp16/bf16),
   * 1 (int8) or 0.5 (int4) bytes per parameter; quantisation scales and zero points are not
   * counted. When the shape carries {@code weightBytesOverride} (counted from a model's files:
   * stored weights plus scales and zero points), that count is returned whatever {@code dtype}
   * is asked, since it is what a forward pass of that model reads.
   */
  public double weightBytes(DType dtype) {
    Objects.requireNonNull(dtype, "dtype");
    if (weightBytesOverride.isPresent()) {
      return weightBytesOverride.getAsLong();
    }
    return parameters() * dtype.bytesPerElement();
  }

  /**
   * Training compute {@code 6·parameters()·tokens} in FLOPs (Kaplan et al. 2020 §2.1; Brown et
   * al. 2020 Table D.1). See {@link TrainingCompute}.
   */
  public double trainingFlops(double tokens) {
    return TrainingCompute.flops(parameters(), tokens);
  }

  /**
   * A built-in shape by name (case-insensitive): {@code gpt2}, {@code gpt2-medium},
   * {@code gpt2-large}, {@code gpt2-xl}, {@code gpt3-small} … {@code gpt3-175b},
   * {@code llama-2-7b}, {@code llama-2-13b}, {@code llama-2-70b}, {@code llama-3-8b}. Sources
   * are in {@code docs/cost-model.md}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the allowed names
   */
  public static ModelShape preset(String name) {
    return ModelPresets.get(name);
  }

  /** Names accepted by {@link #preset(String)}, in catalog order. */
  public static java.util.List<String> presetNames() {
    return ModelPresets.names();
  }

  /**
   * Reads a Hugging Face {@code config.json} (or a model folder containing one) with
   * {@code model_type} {@code gpt2} (keys {@code n_layer}, {@code n_embd}, {@code n_head},
   * {@code n_positions}, {@code vocab_size}, optional {@code n_inner}) or {@code llama} /
   * {@code mistral} (keys {@code num_hidden_layers}, {@code hidden_size},
   * {@code num_attention_heads}, {@code intermediate_size}, {@code vocab_size},
   * {@code max_position_embeddings}, optional {@code num_key_value_heads}, {@code head_dim},
   * {@code tie_word_embeddings}).
   *
   * @throws IllegalArgumentException naming the file and the missing or bad field
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static ModelShape fromHuggingFaceConfig(java.nio.file.Path config) {
    return HuggingFaceConfigReader.read(config);
  }

  private static void requireNonNegative(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + ": " + value + " must be >= 0");
    }
  }

  private static void requireBatch(int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " must be >= 1");
    }
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
    private OptionalLong weightBytesOverride = OptionalLong.empty();

    private Builder() {}

    /** Display name, e.g. {@code "llama-2-7b"}. */
    public Builder name(String v) { this.name = v; return this; }
    /** Which parameter formula applies (default GPT-2). */
    public Builder family(ArchitectureFamily v) { this.family = v; return this; }
    /** Transformer layers (n_layer). */
    public Builder layers(int v) { this.layers = v; return this; }
    /** Model width d_model, elements. */
    public Builder hiddenSize(int v) { this.hiddenSize = v; return this; }
    /** Query heads. */
    public Builder attentionHeads(int v) { this.attentionHeads = v; return this; }
    /** Key/value heads (grouped-query attention); default = attention heads. */
    public Builder kvHeads(int v) { this.kvHeads = v; return this; }
    /** Elements per head; default hiddenSize / attentionHeads. */
    public Builder headSize(int v) { this.headSize = v; return this; }
    /** MLP width d_ff, elements; default 4 × hiddenSize. */
    public Builder intermediateSize(int v) { this.intermediateSize = v; return this; }
    /** Vocabulary size, tokens. */
    public Builder vocabSize(int v) { this.vocabSize = v; return this; }
    /** Longest sequence (positions), tokens. */
    public Builder contextLength(int v) { this.contextLength = v; return this; }
    /** Whether the LM head shares the token-embedding matrix (default true). */
    public Builder tiedEmbeddings(boolean v) { this.tiedEmbeddings = v; return this; }
    /** Exact parameter count (e.g. counted from weights); overrides the formula. */
    public Builder parameterCount(long v) { this.parameterCountOverride = OptionalLong.of(v); return this; }
    /**
     * Exact bytes a forward pass reads for the weights, counted from a model's files (stored
     * weight values plus quantization scales and zero points); replaces
     * {@code parameters × bytes(dtype)} in {@link ModelShape#weightBytes(DType)}.
     */
    public Builder weightBytes(long v) { this.weightBytesOverride = OptionalLong.of(v); return this; }

    /**
     * Builds the shape.
     *
     * @throws IllegalArgumentException naming the first bad field
     */
    public ModelShape build() {
      int kv = kvHeads == 0 ? attentionHeads : kvHeads;
      int hs = headSize == 0 && attentionHeads > 0 ? hiddenSize / attentionHeads : headSize;
      int ff = intermediateSize == 0 ? 4 * hiddenSize : intermediateSize;
      return new ModelShape(name, family, layers, hiddenSize, attentionHeads, kv, hs, ff,
          vocabSize, contextLength, tiedEmbeddings, parameterCountOverride, weightBytesOverride);
    }
  }
}

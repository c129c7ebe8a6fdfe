package io.costgen.testkit;

import io.costgen.cost.ArchitectureFamily;

/**
 * Builder of a {@link SyntheticModel}. Start from {@link SyntheticModels#gpt2()},
 * {@link SyntheticModels#llama()} or a preset:
 *
 * <pre>{@code
 * SyntheticModel model = SyntheticModels.gpt2()
 *     .layers(2).hidden(64).heads(4).vocab(512).context(128).seed(42).build();
 * model.writeTo(dir, Layout.WITH_PAST);
 * }</pre>
 *
 * <p>Unset derived sizes: {@code headSize} = hidden / heads (hidden must then be divisible),
 * {@code kvHeads} = heads, {@code intermediate} = 4·hidden (GPT-2 style) or
 * 8·hidden/3 rounded up to a multiple of 8 (Llama style, the SwiGLU width of Touvron et al.
 * 2023). All values are checked by {@link #build()}: {@link IllegalArgumentException} names the
 * field, the value and the allowed range; {@link IllegalStateException} for conflicting
 * settings (e.g. {@code kvHeads} ≠ {@code heads} on a GPT-2 style model). Not thread-safe.
 */
public final class DecoderModelBuilder {

  private String name;
  private ArchitectureFamily family;
  private int layers;
  private int hidden;
  private int heads;
  private int kvHeads;
  private int headSize;
  private int intermediate;
  private int vocab;
  private int context;
  private boolean tiedEmbeddings;
  private double normEpsilon;
  private double ropeTheta = 10_000.0;
  private double initStd = 0.02;
  private long seed = 42;
  private WeightFormat weightFormat = WeightFormat.FP32;

  private DecoderModelBuilder(ArchitectureFamily family) {
    this.family = family;
    this.name = family == ArchitectureFamily.GPT2 ? "synthetic-gpt2" : "synthetic-llama";
    this.layers = 2;
    this.hidden = 64;
    this.heads = 4;
    this.kvHeads = family == ArchitectureFamily.GPT2 ? 0 : 2;
    this.vocab = 512;
    this.context = 128;
    this.tiedEmbeddings = family == ArchitectureFamily.GPT2;
    this.normEpsilon = 1e-5;
  }

  /** GPT-2 style defaults: 2 layers, hidden 64, 4 heads, vocab 512, context 128, tied, seed 42. */
  static DecoderModelBuilder gpt2() {
    return new DecoderModelBuilder(ArchitectureFamily.GPT2);
  }

  /**
   * Llama style defaults: 2 layers, hidden 64, 4 heads, 2 KV heads, vocab 512, context 128,
   * untied head, RoPE θ 10000, seed 42.
   */
  static DecoderModelBuilder llama() {
    return new DecoderModelBuilder(ArchitectureFamily.LLAMA);
  }

  static DecoderModelBuilder from(SyntheticModel m) {
    DecoderModelBuilder b = new DecoderModelBuilder(m.family());
    b.name = m.name();
    b.layers = m.layers();
    b.hidden = m.hiddenSize();
    b.heads = m.attentionHeads();
    b.kvHeads = m.kvHeads();
    b.headSize = m.headSize();
    b.intermediate = m.intermediateSize();
    b.vocab = m.vocabSize();
    b.context = m.contextLength();
    b.tiedEmbeddings = m.tiedEmbeddings();
    b.normEpsilon = m.normEpsilon();
    b.ropeTheta = m.ropeTheta();
    b.initStd = m.initStd();
    b.seed = m.seed();
    b.weightFormat = m.weightFormat();
    return b;
  }

  /** A label for graph and cache folder names. */
  public DecoderModelBuilder name(String v) {
    this.name = v;
    return this;
  }

  /** Number of transformer layers (≥ 1). */
  public DecoderModelBuilder layers(int v) {
    this.layers = v;
    return this;
  }

  /** Model width d_model in elements (≥ 1). */
  public DecoderModelBuilder hidden(int v) {
    this.hidden = v;
    return this;
  }

  /** Query heads (≥ 1). */
  public DecoderModelBuilder heads(int v) {
    this.heads = v;
    return this;
  }

  /** Key/value heads for grouped-query attention (Llama style; must divide heads). */
  public DecoderModelBuilder kvHeads(int v) {
    this.kvHeads = v;
    return this;
  }

  /** Elements per head (Llama style may set it freely, must be even; 0 = hidden / heads). */
  public DecoderModelBuilder headSize(int v) {
    this.headSize = v;
    return this;
  }

  /** MLP width in elements (0 = the family default). */
  public DecoderModelBuilder intermediate(int v) {
    this.intermediate = v;
    return this;
  }

  /** Vocabulary size in tokens (≥ 257 for GPT-2 style, ≥ 258 for Llama style). */
  public DecoderModelBuilder vocab(int v) {
    this.vocab = v;
    return this;
  }

  /** Context length in tokens: the learned position table of GPT-2 style models. */
  public DecoderModelBuilder context(int v) {
    this.context = v;
    return this;
  }

  /** Whether the LM head reuses the token embedding (GPT-2 default true, Llama false). */
  public DecoderModelBuilder tiedEmbeddings(boolean v) {
    this.tiedEmbeddings = v;
    return this;
  }

  /** ε of the normalisation layers (default 1e-5). */
  public DecoderModelBuilder normEpsilon(double v) {
    this.normEpsilon = v;
    return this;
  }

  /** RoPE base θ (default 10000; Llama style only). */
  public DecoderModelBuilder ropeTheta(double v) {
    this.ropeTheta = v;
    return this;
  }

  /** Standard deviation of the random weights (default 0.02, GPT-2's initializer range). */
  public DecoderModelBuilder initStd(double v) {
    this.initStd = v;
    return this;
  }

  /** Seed of every weight (default 42). */
  public DecoderModelBuilder seed(long v) {
    this.seed = v;
    return this;
  }

  /**
   * How the linear layers' matrices are stored (default {@link WeightFormat#FP32}):
   * {@link WeightFormat#INT8} (QDQ) or {@link WeightFormat#INT4} ({@code MatMulNBits}, block 32).
   * The quantized values come from the same seeded fp32 weights, so {@code
   * llama().weightFormat(INT4)} is the int4 twin of {@code llama()}.
   */
  public DecoderModelBuilder weightFormat(WeightFormat v) {
    this.weightFormat = java.util.Objects.requireNonNull(v, "weightFormat");
    return this;
  }

  /** Resolves defaults and validates. */
  public SyntheticModel build() {
    if (heads < 1) {
      throw new IllegalArgumentException("heads: " + heads + " must be >= 1");
    }
    if (hidden < 1) {
      throw new IllegalArgumentException("hidden: " + hidden + " must be >= 1");
    }
    int hs = headSize;
    if (hs == 0 || family == ArchitectureFamily.GPT2) {
      if (hidden % heads != 0) {
        throw new IllegalArgumentException(
            "hidden: " + hidden + " must be a multiple of heads (" + heads + ")");
      }
      if (family == ArchitectureFamily.GPT2 && hs != 0 && hs != hidden / heads) {
        throw new IllegalStateException("headSize: " + hs + " must be hidden / heads ("
            + hidden / heads + ") for GPT-2 style models");
      }
      hs = hidden / heads;
    }
    int kv = kvHeads == 0 ? heads : kvHeads;
    int ff = intermediate;
    if (ff == 0) {
      ff = family == ArchitectureFamily.GPT2
          ? 4 * hidden
          : (int) ((8L * hidden / 3 + 7) / 8 * 8);
    }
    return new SyntheticModel(name, family, layers, hidden, heads, kv, hs, ff, vocab, context,
        tiedEmbeddings, normEpsilon, ropeTheta, initStd, seed, weightFormat);
  }
}

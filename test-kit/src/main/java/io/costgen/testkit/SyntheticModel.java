package io.costgen.testkit;

import io.costgen.onnx.graph.WeightStorage;

import io.costgen.onnx.graph.OnnxGraph;
import io.costgen.onnx.graph.OnnxModelFile;
import io.costgen.onnx.graph.TensorSpec;

import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.ModelShape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The specification of a decoder-only transformer with seeded random weights, and the means to
 * write it as an ONNX model folder (opset 17; fp32, or the linear layers quantized to int8 QDQ or
 * int4 {@code MatMulNBits}, see {@link WeightFormat}).
 *
 * <p>Create one with {@link SyntheticModels#gpt2()}, {@link SyntheticModels#llama()} or a
 * preset; the record itself holds no weights, only what determines them, so it is cheap to
 * create and compare. The same spec and seed always produce byte-identical files.
 *
 * <p>Sizes are element counts: {@code hiddenSize} (d_model), {@code headSize} (per head),
 * {@code intermediateSize} (MLP width), {@code vocabSize} (tokens), {@code contextLength}
 * (positions the GPT-2 position table covers; RoPE models accept any position). Special
 * tokens sit at the top of the vocabulary (see {@link #bosTokenId()}).
 *
 * <p>Immutable and thread-safe; {@link #writeTo} may run concurrently for different folders.
 *
 * @param name a label used in the graph name and cache folder
 * @param family GPT-2 style (LayerNorm, GELU, learned positions, biases) or Llama style
 *     (RMSNorm, SwiGLU, RoPE, grouped-query attention, no biases)
 * @param normEpsilon ε of LayerNorm / RMSNorm
 * @param ropeTheta RoPE base θ (Llama style only)
 * @param initStd standard deviation of the random weights (GPT-2 uses 0.02)
 * @param seed seed of every weight value
 * @param weightFormat how the linear layers' matrices are stored ({@link WeightFormat#FP32}
 *     unless set with {@link DecoderModelBuilder#weightFormat})
 */
public record SyntheticModel(
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
    double normEpsilon,
    double ropeTheta,
    double initStd,
    long seed,
    WeightFormat weightFormat) {

  /**
   * Identifies the generator; part of the cache key and written into the files, so a change
   * to graphs or weights that alters the bytes must bump it.
   */
  public static final String GENERATOR_VERSION = io.costgen.onnx.graph.OnnxModelFile.PRODUCER_VERSION;

  /** {@link WeightStorage#AUTO} uses external data above this many weight bytes (100 MiB). */
  public static final long EXTERNAL_DATA_THRESHOLD_BYTES = 100L << 20;

  /** Validates every field; see {@link DecoderModelBuilder} for the allowed ranges. */
  public SyntheticModel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(weightFormat, "weightFormat");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank");
    }
    positive("layers", layers);
    positive("hiddenSize", hiddenSize);
    positive("attentionHeads", attentionHeads);
    positive("kvHeads", kvHeads);
    positive("headSize", headSize);
    positive("intermediateSize", intermediateSize);
    positive("contextLength", contextLength);
    int minVocab = 256 + specialTokenCount(family);
    if (vocabSize < minVocab) {
      throw new IllegalArgumentException("vocabSize: " + vocabSize + " must be >= " + minVocab
          + " (256 byte tokens + special tokens of the byte-level tokenizer)");
    }
    if (attentionHeads % kvHeads != 0) {
      throw new IllegalArgumentException("kvHeads: " + kvHeads
          + " must divide attentionHeads (" + attentionHeads + ")");
    }
    if (family == ArchitectureFamily.GPT2) {
      if (kvHeads != attentionHeads) {
        throw new IllegalStateException("kvHeads: " + kvHeads + " must equal attentionHeads ("
            + attentionHeads + ") for GPT-2 style models (no grouped-query attention)");
      }
    } else if (headSize % 2 != 0) {
      throw new IllegalArgumentException(
          "headSize: " + headSize + " must be even for rotary embeddings");
    }
    if (!(normEpsilon > 0 && normEpsilon < 1)) {
      throw new IllegalArgumentException("normEpsilon: " + normEpsilon + " must be in (0, 1)");
    }
    if (!(ropeTheta > 1 && Double.isFinite(ropeTheta))) {
      throw new IllegalArgumentException("ropeTheta: " + ropeTheta + " must be finite and > 1");
    }
    if (!(initStd > 0 && initStd <= 10)) {
      throw new IllegalArgumentException("initStd: " + initStd + " must be in (0, 10]");
    }
    // Rough upper bound (doubles cannot overflow) so that exact long counts never overflow.
    double d = hiddenSize;
    double bound = layers * (4.0 * d * attentionHeads * headSize + 3.0 * d * intermediateSize
        + 8 * d) + 2.0 * vocabSize * d + (double) contextLength * d;
    if (bound > 1e15) {
      throw new IllegalArgumentException(
          "layers/hiddenSize/intermediateSize/vocabSize: about " + bound
              + " parameters, more than the supported 1e15");
    }
  }

  private static void positive(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + ": " + value + " must be >= 1");
    }
  }

  private static int specialTokenCount(ArchitectureFamily family) {
    return family == ArchitectureFamily.GPT2 ? 1 : 2;
  }

  /** A builder holding this spec, to derive a variant ({@code model.toBuilder().seed(7).build()}). */
  public DecoderModelBuilder toBuilder() {
    return DecoderModelBuilder.from(this);
  }

  /**
   * Exact number of learned parameters (elements of every weight tensor; for a quantized
   * {@link #weightFormat()}, the elements of the dequantized matrices), counted from the
   * tensor list without generating data. Counts embeddings, position table (GPT-2), every
   * projection, bias and norm weight, and an untied LM head; a tied head counts once. Does
   * not count graph constants (shape vectors, scalars, the RoPE inverse-frequency vector).
   * GPT-2 small ({@link SyntheticModels#gpt2Small()}): 124,439,808, the released checkpoint.
   */
  public long parameterCount() {
    long n = 0;
    for (TensorSpec t : DecoderWeights.parameters(this)) {
      n += t.elementCount();
    }
    return n;
  }

  /**
   * Approximate bytes of one written model file with its data:
   * {@link #weightDataBytes()} + {@link #quantizationOverheadBytes()}; graph, constants and
   * alignment padding add a few KB (external data: up to 4 KiB per tensor of padding). The
   * JSON files add the tokenizer (~1 MB for a 50k vocab).
   */
  public long estimatedBytes() {
    return weightDataBytes() + quantizationOverheadBytes();
  }

  /**
   * Exact bytes of the stored weight values, in bytes: 4 per fp32 parameter; for the quantized
   * matrices of {@link WeightFormat#INT8} 1 byte per parameter, of {@link WeightFormat#INT4}
   * the packed codes ({@code N · ceil(K/32) · 16} bytes per {@code [K, N]} matrix: half a byte
   * per parameter when K is a multiple of 32). Scales and zero points are not included (see
   * {@link #quantizationOverheadBytes()}).
   */
  public long weightDataBytes() {
    long bytes = 0;
    for (TensorSpec t : DecoderWeights.parameters(this)) {
      long[] d = t.dims();
      if (weightFormat != WeightFormat.FP32 && DecoderWeights.isLinearMatrix(t)) {
        bytes += weightFormat == WeightFormat.INT8 ? t.elementCount()
            : QuantizedWeights.int4DataBytes(d[0], d[1]);
      } else {
        bytes += t.byteCount();
      }
    }
    return bytes;
  }

  /**
   * Exact bytes of quantization scales and zero points, in bytes (0 for {@link WeightFormat#FP32}):
   * {@link WeightFormat#INT8} 5 bytes per output column (fp32 scale, int8 zero point),
   * {@link WeightFormat#INT4} 4 bytes (fp32 scale) per block of 32 rows per output column.
   */
  public long quantizationOverheadBytes() {
    long bytes = 0;
    if (weightFormat == WeightFormat.FP32) {
      return 0;
    }
    for (TensorSpec t : DecoderWeights.parameters(this)) {
      long[] d = t.dims();
      if (DecoderWeights.isLinearMatrix(t)) {
        bytes += weightFormat == WeightFormat.INT8 ? QuantizedWeights.int8OverheadBytes(d[1])
            : QuantizedWeights.int4ScaleBytes(d[0], d[1]);
      }
    }
    return bytes;
  }

  /** The cost-model shape of this model, with the exact {@link #parameterCount()}. */
  public ModelShape shape() {
    return ModelShape.builder()
        .name(name)
        .family(family)
        .layers(layers)
        .hiddenSize(hiddenSize)
        .attentionHeads(attentionHeads)
        .kvHeads(kvHeads)
        .headSize(headSize)
        .intermediateSize(intermediateSize)
        .vocabSize(vocabSize)
        .contextLength(contextLength)
        .tiedEmbeddings(tiedEmbeddings)
        .parameterCount(parameterCount())
        .build();
  }

  /** Beginning-of-sequence token id: vocab−1 (GPT-2 style, same as eos) or vocab−2 (Llama style). */
  public long bosTokenId() {
    return family == ArchitectureFamily.GPT2 ? vocabSize - 1 : vocabSize - 2;
  }

  /** End-of-sequence token id: vocab−1. */
  public long eosTokenId() {
    return vocabSize - 1;
  }

  /**
   * Writes {@code layout} into {@code dir} (created if missing) with {@link WeightStorage#AUTO}.
   *
   * @see #writeTo(Path, Layout, WeightStorage)
   */
  public Path writeTo(Path dir, Layout layout) throws IOException {
    return writeTo(dir, layout, WeightStorage.AUTO);
  }

  /**
   * Writes the ONNX file of {@code layout} ({@link Layout#fileName()}, plus
   * {@code <file>.data} with external weights) and the Hugging Face JSON files
   * ({@code config.json}, {@code generation_config.json}, {@code tokenizer.json},
   * {@code tokenizer_config.json}, {@code special_tokens_map.json}) into {@code dir}, replacing
   * files of the same names. Weights are generated while they are written (memory stays at a
   * few MB whatever the model size). Call again with another layout to add it to the folder.
   * Not atomic: use {@link SyntheticModels#cached} for a crash-safe, reusable copy.
   *
   * @return the model file
   */
  public Path writeTo(Path dir, Layout layout, WeightStorage storage) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(storage, "storage");
    Files.createDirectories(dir);
    boolean external = usesExternalData(storage);
    if (!external && estimatedBytes() > (1L << 31) - (16L << 20)) {
      throw new IllegalStateException("storage: INLINE cannot hold " + estimatedBytes()
          + " bytes of weights (protobuf files are limited to 2 GiB); use EXTERNAL or AUTO");
    }
    Path file = dir.resolve(layout.fileName());
    OnnxGraph graph = DecoderGraph.build(this, layout);
    OnnxModelFile.write(file, graph, seed, external, "Synthetic " + family + " decoder with"
        + " seeded random weights (seed " + seed + "), not a trained model. " + this);
    HuggingFaceFiles.writeAll(this, dir);
    return file;
  }

  /** Whether {@code storage} puts this model's weights in an external data file. */
  boolean usesExternalData(WeightStorage storage) {
    return switch (storage) {
      case AUTO -> estimatedBytes() > EXTERNAL_DATA_THRESHOLD_BYTES;
      case INLINE -> false;
      case EXTERNAL -> true;
    };
  }

  /**
   * A stable key for this spec written in {@code layout}: the first 16 hex digits of the
   * SHA-256 of every field, the layout and {@link #GENERATOR_VERSION} (the weight format only
   * when quantized, so fp32 keys are those of earlier versions).
   */
  public String cacheKey(Layout layout) {
    String canonical = String.join("|", GENERATOR_VERSION, layout.name(), name,
        family.name(), Integer.toString(layers), Integer.toString(hiddenSize),
        Integer.toString(attentionHeads), Integer.toString(kvHeads), Integer.toString(headSize),
        Integer.toString(intermediateSize), Integer.toString(vocabSize),
        Integer.toString(contextLength), Boolean.toString(tiedEmbeddings),
        Double.toString(normEpsilon), Double.toString(ropeTheta), Double.toString(initStd),
        Long.toString(seed))
        + (weightFormat == WeightFormat.FP32 ? "" : "|" + weightFormat.name());
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required on every Java platform", e);
    }
  }

  /** {@code family-name-layout-key}, a folder name for {@link SyntheticModels#cached}. */
  String cacheFolderName(Layout layout) {
    String safe = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    String format = weightFormat == WeightFormat.FP32 ? ""
        : "-" + weightFormat.name().toLowerCase(Locale.ROOT);
    return safe + format + "-" + layout.name().toLowerCase(Locale.ROOT) + "-" + cacheKey(layout);
  }
}

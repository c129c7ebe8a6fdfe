package io.costgen.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import io.costgen.core.ModelInfo;
import io.costgen.core.ModelLoadException;
import io.costgen.core.SpecialTokens;
import io.costgen.core.WeightFootprint;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.DType;
import io.costgen.cost.ModelShape;
import io.costgen.onnx.OnnxModelLayout;
import io.costgen.onnx.OnnxModelLayout.KvCacheFormat;
import io.costgen.onnx.internal.OnnxProtoScanner.ElementType;
import io.costgen.onnx.internal.OnnxProtoScanner.Initializer;
import io.costgen.onnx.internal.OnnxProtoScanner.InitializerSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Builds the {@link ModelInfo} of a loaded model from its folder's JSON files, the discovered
 * layout and the initializer summary. Each field takes the first source that has it:
 *
 * <ul>
 *   <li>layers: {@code config.json} {@code num_hidden_layers|n_layer}, genai
 *       {@code num_hidden_layers}, the number of cache layers;
 *   <li>hidden size: {@code hidden_size|n_embd}, genai {@code hidden_size}, the other dimension of
 *       the {@code [vocab, d]} embedding initializer;
 *   <li>attention heads: {@code num_attention_heads|n_head}, genai, {@code hidden / headSize};
 *   <li>kv heads and head size: the cache layout (graph shapes, then configs);
 *   <li>intermediate size: {@code intermediate_size|n_inner} (else 4 × hidden);
 *   <li>vocabulary: the logits width of the graph;
 *   <li>context length: the builder override, {@code max_position_embeddings|n_positions|n_ctx},
 *       genai {@code context_length};
 *   <li>family: {@code model_type} (GPT-2-like types → GPT2, others → LLAMA), else the genai
 *       {@code type}, else GPT2 for a stacked cache and LLAMA otherwise;
 *   <li>tied embeddings: {@code tie_word_embeddings}, else true when only one
 *       {@code [vocab, d]}/{@code [d, vocab]} matrix is stored.
 * </ul>
 *
 * <p>Parameter count: the elements of every weight-like initializer (see
 * {@link OnnxProtoScanner}); a quantized tensor counts its dequantized elements and its scales
 * and zero points are overhead, not parameters ({@link QuantizedWeightCounter}); less graph
 * constants ({@link #isConstantNotParameter}:
 * onnxruntime-genai's rotary tables {@code cos_cache}/{@code sin_cache}, rotary
 * {@code inv_freq} buffers, single-element tensors), and less a transposed copy of the embedding stored as the LM head when
 * {@code config.json} says {@code tie_word_embeddings: true} (exporters store tied heads twice).
 * The same rules give the {@link WeightFootprint} (stored weight bytes, overhead bytes apart);
 * the shape's weight bytes are its total when that differs from {@code parameters × bytes} of
 * the weight type holding the most parameters (that type is {@code weightDtype}).
 *
 * <p>Special tokens: {@code genai_config.json} first, then {@code generation_config.json}, then
 * {@code config.json}, per field. Generation defaults: {@code generation_config.json} as is
 * (JSON nulls dropped), plus the genai {@code search} keys it does not set.
 */
public final class ModelInfoFactory {

  private static final Set<String> GPT2_TYPES = Set.of("gpt2", "gpt_neo", "gptj", "gpt_neox",
      "gpt_bigcode", "opt", "bloom", "codegen", "falcon", "phi", "mpt");

  private ModelInfoFactory() {}

  /**
   * Float initializers that are graph constants, not learned weights: onnxruntime-genai's rotary
   * tables ({@code cos_cache}, {@code sin_cache}), Hugging Face's rotary buffer
   * ({@code *inv_freq}), and single-element tensors (epsilons, attention scales, GELU
   * coefficients, mask fill values: no transformer weight is a single number).
   */
  static boolean isConstantNotParameter(Initializer w) {
    String name = w.name();
    return name.equals("cos_cache") || name.equals("sin_cache") || name.endsWith("inv_freq")
        || w.elements() <= 1;
  }

  /** Builds the model info. */
  public static ModelInfo create(ModelFolder folder, OnnxModelLayout layout,
      InitializerSummary weights, OptionalInt contextOverride, String device) {
    return create(folder, layout, weights, contextOverride, device, true);
  }

  /** Builds the model info; {@code genaiSearch} false leaves out the genai_config.json search keys. */
  public static ModelInfo create(ModelFolder folder, OnnxModelLayout layout,
      InitializerSummary weights, OptionalInt contextOverride, String device, boolean genaiSearch) {
    Map<String, Object> cfg = folder.config();
    Map<String, Object> gModel = folder.genaiModel();
    Map<String, Object> gDec = folder.genaiDecoder();
    String what = folder.modelFile().toString();
    int vocab = layout.vocabSize();

    int layers = orElse(LayoutDiscovery.firstOf(
        Json.integer(cfg, "num_hidden_layers", "n_layer", "num_layers"),
        Json.integer(gDec, "num_hidden_layers"),
        layout.layers() > 0 ? OptionalInt.of(layout.layers()) : OptionalInt.empty()),
        what, "the number of layers (num_hidden_layers in config.json)");

    QuantizedWeightCounter.Roles roles = QuantizedWeightCounter.roles(weights);
    List<Initializer> embeddings = weights.weights().stream()
        .filter(w -> !roles.isOverhead(w))
        .filter(w -> w.dims().length == 2 && (w.dims()[0] == vocab || w.dims()[1] == vocab))
        .toList();
    OptionalInt hiddenFromWeights = OptionalInt.empty();
    for (Initializer w : embeddings) {
      if (roles.isQuantized(w)) {
        continue; // packed codes: the stored width is not the hidden size
      }
      long other = w.dims()[0] == vocab ? w.dims()[1] : w.dims()[0];
      if (other > 0 && other != vocab) {
        hiddenFromWeights = OptionalInt.of(Math.toIntExact(other));
        break;
      }
    }
    int hidden = orElse(LayoutDiscovery.firstOf(
        Json.integer(cfg, "hidden_size", "n_embd", "d_model"),
        Json.integer(gDec, "hidden_size"), hiddenFromWeights),
        what, "the hidden size (hidden_size in config.json)");

    int headSize = layout.headSize() > 0 ? layout.headSize()
        : LayoutDiscovery.firstOf(Json.integer(cfg, "head_dim"), Json.integer(gDec, "head_size"))
            .orElse(0);
    OptionalInt heads = LayoutDiscovery.firstOf(
        Json.integer(cfg, "num_attention_heads", "n_head"),
        Json.integer(gDec, "num_attention_heads"));
    int attentionHeads;
    if (heads.isPresent()) {
      attentionHeads = heads.getAsInt();
    } else if (headSize > 0 && hidden % headSize == 0) {
      attentionHeads = hidden / headSize;
    } else {
      attentionHeads = orElse(OptionalInt.empty(), what,
          "the number of attention heads (num_attention_heads in config.json)");
    }
    int kvHeads = layout.kvHeads() > 0 ? layout.kvHeads()
        : LayoutDiscovery.firstOf(Json.integer(cfg, "num_key_value_heads"),
            Json.integer(gDec, "num_key_value_heads")).orElse(attentionHeads);
    if (headSize == 0) {
      headSize = hidden / attentionHeads;
    }
    int intermediate = Json.integer(cfg, "intermediate_size", "n_inner", "ffn_dim").orElse(0);
    int context = orElse(LayoutDiscovery.firstOf(contextOverride,
        Json.integer(cfg, "max_position_embeddings", "n_positions", "n_ctx", "seq_length"),
        Json.integer(gModel, "context_length")),
        what, "the context length (max_position_embeddings in config.json, context_length in"
            + " genai_config.json, or OnnxBackend.builder().contextLength(n))");

    boolean tiedConfig = Json.bool(cfg, "tie_word_embeddings").orElse(false);
    boolean tied = Json.bool(cfg, "tie_word_embeddings").orElse(embeddings.size() <= 1);

    WeightCount count = countWeights(weights, roles, embeddings, tiedConfig);
    WeightFootprint footprint = count.footprint();
    long params = footprint.parameters();
    DType weightDtype = count.dtype();

    ModelShape.Builder shape = ModelShape.builder()
        .name(folder.dir().getFileName() == null ? "model" : folder.dir().getFileName().toString())
        .family(family(cfg, gModel, layout))
        .layers(layers)
        .hiddenSize(hidden)
        .attentionHeads(attentionHeads)
        .kvHeads(kvHeads)
        .headSize(headSize)
        .intermediateSize(intermediate)
        .vocabSize(vocab)
        .contextLength(context)
        .tiedEmbeddings(tied);
    if (params > 0) {
      shape.parameterCount(params);
      // The roofline charges what a pass reads: stored values plus scales and zero points.
      if (footprint.totalBytes() != (long) Math.ceil(params * weightDtype.bytesPerElement())) {
        shape.weightBytes(footprint.totalBytes());
      }
    }
    ModelShape built;
    try {
      built = shape.build();
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(what + ": inconsistent model shape: " + e.getMessage(), e);
    }
    DType kvDtype = layout.kvCacheFormat() == KvCacheFormat.NONE
        ? (weightDtype == DType.FP16 || weightDtype == DType.BF16 ? weightDtype : DType.FP32)
        : dtype(layout.kvCacheType());
    return new ModelInfo(built, weightDtype, kvDtype, specialTokens(folder),
        generationDefaults(folder, genaiSearch), device, 1, footprint);
  }

  /** The counted weights of a model and the type holding most of its parameters. */
  record WeightCount(WeightFootprint footprint, DType dtype) {}

  /**
   * Counts parameters, stored bytes and quantization overhead of {@code weights}; a transposed
   * copy of the embedding ({@code embeddings}: the 2-D {@code [vocab, d]}/{@code [d, vocab]}
   * weights) is dropped when {@code tiedConfig}.
   */
  static WeightCount countWeights(InitializerSummary weights, QuantizedWeightCounter.Roles roles,
      List<Initializer> embeddings, boolean tiedConfig) {
    long params = 0;
    long dataBytes = 0;
    long overheadBytes = 0;
    long quantized = 0;
    Map<DType, Long> byType = new java.util.EnumMap<>(DType.class);
    for (Initializer w : weights.weights()) {
      if (roles.isOverhead(w)) {
        overheadBytes += w.bytes();
      } else if (!isConstantNotParameter(w)) {
        long p = roles.parameters(w);
        params += p;
        dataBytes += w.bytes();
        quantized += roles.isQuantized(w) ? p : 0;
        byType.merge(roles.dtype(w), p, Long::sum);
      }
    }
    if (tiedConfig && embeddings.size() == 2
        && embeddings.get(0).dims()[0] == embeddings.get(1).dims()[1]
        && embeddings.get(0).dims()[1] == embeddings.get(1).dims()[0]) {
      Initializer copy = embeddings.get(1);
      long p = roles.parameters(copy);
      params -= p;
      dataBytes -= copy.bytes();
      quantized -= roles.isQuantized(copy) ? p : 0;
      byType.merge(roles.dtype(copy), -p, Long::sum);
    }
    DType weightDtype = DType.FP32;
    long most = 0;
    for (Map.Entry<DType, Long> e : byType.entrySet()) {
      if (e.getValue() > most) {
        weightDtype = e.getKey();
        most = e.getValue();
      }
    }
    return new WeightCount(new WeightFootprint(Math.max(params, 0), Math.max(dataBytes, 0),
        overheadBytes, Math.max(Math.min(quantized, params), 0)), weightDtype);

  }

  /** The counted weights of {@code weights} for a model of {@code vocab} tokens, untied. */
  static WeightCount countWeights(InitializerSummary weights, int vocab) {
    QuantizedWeightCounter.Roles roles = QuantizedWeightCounter.roles(weights);
    List<Initializer> embeddings = weights.weights().stream()
        .filter(w -> !roles.isOverhead(w))
        .filter(w -> w.dims().length == 2 && (w.dims()[0] == vocab || w.dims()[1] == vocab))
        .toList();
    return countWeights(weights, roles, embeddings, false);
  }

  private static ArchitectureFamily family(Map<String, Object> cfg, Map<String, Object> gModel,
      OnnxModelLayout layout) {
    String type = Json.string(cfg, "model_type").or(() -> Json.string(gModel, "type"))
        .orElse(null);
    if (type != null) {
      return GPT2_TYPES.contains(type.toLowerCase(Locale.ROOT)) ? ArchitectureFamily.GPT2
          : ArchitectureFamily.LLAMA;
    }
    return layout.kvCacheFormat() == KvCacheFormat.STACKED ? ArchitectureFamily.GPT2
        : ArchitectureFamily.LLAMA;
  }

  static DType dtype(ElementType t) {
    switch (t) {
      case FLOAT16: return DType.FP16;
      case BFLOAT16: return DType.BF16;
      case INT8: case FLOAT8: return DType.INT8;
      case INT4: return DType.INT4;
      default: return DType.FP32;
    }
  }

  static DType dtype(OnnxJavaType t) {
    switch (t) {
      case FLOAT16: return DType.FP16;
      case BFLOAT16: return DType.BF16;
      default: return DType.FP32;
    }
  }

  /** bos/eos/pad: genai_config.json, then generation_config.json, then config.json. */
  static SpecialTokens specialTokens(ModelFolder folder) {
    List<Map<String, Object>> sources =
        List.of(folder.genaiModel(), folder.generationConfig(), folder.config());
    OptionalLong bos = OptionalLong.empty();
    OptionalLong pad = OptionalLong.empty();
    List<Long> eos = List.of();
    for (Map<String, Object> src : sources) {
      if (bos.isEmpty()) {
        List<Long> v = Json.ids(src, "bos_token_id");
        bos = v.isEmpty() ? bos : OptionalLong.of(v.get(0));
      }
      if (pad.isEmpty()) {
        List<Long> v = Json.ids(src, "pad_token_id");
        pad = v.isEmpty() ? pad : OptionalLong.of(v.get(0));
      }
      if (eos.isEmpty()) {
        eos = Json.ids(src, "eos_token_id");
      }
    }
    return new SpecialTokens(bos, eos, pad);
  }

  /**
   * generation_config.json (nulls dropped, except {@code "top_k": null}, which transformers reads
   * as "no top-k filter" and is kept as {@code 0}) plus, when {@code genaiSearch}, the genai
   * {@code search} keys it lacks.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> generationDefaults(ModelFolder folder, boolean genaiSearch) {
    Map<String, Object> out = new LinkedHashMap<>(
        (Map<String, Object>) Json.immutableCopy(folder.generationConfig()));
    Map<String, Object> raw = folder.generationConfig();
    if (raw != null && raw.containsKey("top_k") && raw.get("top_k") == null) {
      out.put("top_k", 0);
    }
    if (!genaiSearch) {
      return out;
    }
    Map<String, Object> search =
        (Map<String, Object>) Json.immutableCopy(Json.path(folder.genaiConfig(), "search"));
    for (Map.Entry<String, Object> e : search.entrySet()) {
      if (!e.getKey().equals("past_present_share_buffer")) {
        out.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static int orElse(OptionalInt v, String what, String field) {
    if (v.isPresent() && v.getAsInt() > 0) {
      return v.getAsInt();
    }
    throw new ModelLoadException(what + ": cannot determine " + field);
  }
}

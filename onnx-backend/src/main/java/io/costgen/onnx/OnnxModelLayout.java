package io.costgen.onnx;

import ai.onnxruntime.OnnxJavaType;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The input/output contract of a decoder graph, discovered from the names, element types and
 * shapes the ONNX Runtime session reports (and {@code genai_config.json} name patterns when
 * present). Immutable.
 *
 * @param modelFile the {@code .onnx} file loaded
 * @param kvCacheFormat how the graph carries its key/value cache
 * @param inputIds token ids {@code [batch, sequence]} (int64 or int32)
 * @param attentionMask {@code [batch, past + sequence]}, 1 on attended positions, 0 on padding
 * @param positionIds {@code [batch, sequence]}, absent when the graph derives positions itself
 * @param useCacheBranch the boolean {@code [1]} input of an Optimum merged decoder
 *     ({@code decoder_model_merged.onnx}): false on the first run, true once a cache exists
 * @param logits output {@code [batch, sequence, vocab]} (or {@code [batch, vocab]})
 * @param pastNames cache inputs in feed order: {@code key0, value0, key1, value1, …} for
 *     {@link KvCacheFormat#SEPARATE}, {@code past_0, past_1, …} for {@link KvCacheFormat#STACKED};
 *     empty for {@link KvCacheFormat#NONE}
 * @param presentNames the matching cache outputs, same order as {@code pastNames}
 * @param kvCacheType element type of the cache tensors ({@code FLOAT}, {@code FLOAT16} or
 *     {@code BFLOAT16}; {@code UNKNOWN} for {@link KvCacheFormat#NONE})
 * @param layers transformer layers with a cache (0 for {@link KvCacheFormat#NONE})
 * @param kvHeads key/value heads per layer (0 for {@link KvCacheFormat#NONE})
 * @param headSize elements per head (0 for {@link KvCacheFormat#NONE})
 * @param vocabSize width of a logits row
 */
public record OnnxModelLayout(
    Path modelFile,
    KvCacheFormat kvCacheFormat,
    Port inputIds,
    Optional<Port> attentionMask,
    Optional<Port> positionIds,
    Optional<Port> useCacheBranch,
    Port logits,
    List<String> pastNames,
    List<String> presentNames,
    OnnxJavaType kvCacheType,
    int layers,
    int kvHeads,
    int headSize,
    int vocabSize) {

  /** How a decoder graph carries its key/value cache. */
  public enum KvCacheFormat {
    /** No cache inputs: every run recomputes the whole sequence (e.g. {@code decoder_model.onnx}). */
    NONE,
    /**
     * One key and one value tensor per layer, {@code [batch, kvHeads, past, headSize]}
     * (Optimum {@code past_key_values.%d.key|value} → {@code present.%d.key|value}, and the
     * onnxruntime-genai model builder).
     */
    SEPARATE,
    /**
     * Key and value stacked on axis 0, {@code [2, batch, heads, past, headSize]} per layer
     * (ONNX Runtime's legacy GPT-2 export: {@code past_%d} → {@code present_%d}).
     */
    STACKED
  }

  /** A named graph input or output and its element type. */
  public record Port(String name, OnnxJavaType type) {
    public Port {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  public OnnxModelLayout {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(kvCacheFormat, "kvCacheFormat");
    Objects.requireNonNull(inputIds, "inputIds");
    Objects.requireNonNull(attentionMask, "attentionMask");
    Objects.requireNonNull(positionIds, "positionIds");
    Objects.requireNonNull(useCacheBranch, "useCacheBranch");
    Objects.requireNonNull(logits, "logits");
    Objects.requireNonNull(kvCacheType, "kvCacheType");
    pastNames = List.copyOf(pastNames);
    presentNames = List.copyOf(presentNames);
    if (pastNames.size() != presentNames.size()) {
      throw new IllegalArgumentException("pastNames (" + pastNames.size()
          + ") and presentNames (" + presentNames.size() + ") must pair up");
    }
    if (vocabSize < 1) {
      throw new IllegalArgumentException("vocabSize: " + vocabSize + " must be >= 1");
    }
  }

  /** Whether this is an Optimum merged decoder (it has a {@code use_cache_branch} input). */
  public boolean mergedDecoder() {
    return useCacheBranch.isPresent();
  }
}

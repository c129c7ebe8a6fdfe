package io.costgen.core;

import io.costgen.cost.DType;
import io.costgen.cost.ModelShape;
import java.util.Map;
import java.util.Objects;

/**
 * Describes a loaded model: its {@link ModelShape} (layers, heads, sizes, vocabulary, context
 * length, parameter count), KV-cache element type, special tokens, and the generation defaults
 * found beside it ({@code generation_config.json} keys with Hugging Face names, e.g.
 * {@code "eos_token_id"}, {@code "max_length"}, {@code "do_sample"}; empty when none).
 *
 * <p>{@code device} names where it runs, e.g. {@code "cpu"} or {@code "cuda:0"}; {@code devices}
 * is how many accelerators one forward pass occupies. {@code weights} says what the weights hold
 * and occupy as counted from the files: logical parameters, stored weight bytes and, apart,
 * quantization scale/zero-point bytes ({@link WeightFootprint}); {@code weightDtype} is the type
 * holding most of the parameters. Immutable and thread-safe.
 */
public record ModelInfo(
    ModelShape shape,
    DType weightDtype,
    DType kvCacheDtype,
    SpecialTokens specialTokens,
    Map<String, Object> generationDefaults,
    String device,
    int devices,
    WeightFootprint weights) {

  public ModelInfo {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(weightDtype, "weightDtype");
    Objects.requireNonNull(kvCacheDtype, "kvCacheDtype");
    Objects.requireNonNull(specialTokens, "specialTokens");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(weights, "weights");
    generationDefaults = Map.copyOf(generationDefaults);
    if (devices < 1) {
      throw new IllegalArgumentException("devices: " + devices + " must be >= 1");
    }
  }

  /**
   * A model info whose {@code weights} follow from the shape stored uniformly in
   * {@code weightDtype} ({@link WeightFootprint#of}).
   */
  public ModelInfo(ModelShape shape, DType weightDtype, DType kvCacheDtype,
      SpecialTokens specialTokens, Map<String, Object> generationDefaults, String device,
      int devices) {
    this(shape, weightDtype, kvCacheDtype, specialTokens, generationDefaults, device, devices,
        WeightFootprint.of(Objects.requireNonNull(shape, "shape"),
            Objects.requireNonNull(weightDtype, "weightDtype")));
  }

  /** Model name (from the shape). */
  public String name() {
    return shape.name();
  }

  /** Vocabulary size: the width of a logits row. */
  public int vocabSize() {
    return shape.vocabSize();
  }

  /** Longest sequence (prompt + generated) the model accepts, in tokens. */
  public int contextLength() {
    return shape.contextLength();
  }
}

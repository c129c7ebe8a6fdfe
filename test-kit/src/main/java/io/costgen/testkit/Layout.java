package io.costgen.testkit;

/**
 * Which ONNX decoder file {@link SyntheticModel#writeTo} writes. Inputs and outputs follow the
 * Hugging Face Optimum export conventions; {@code batch}, {@code sequence},
 * {@code past_sequence} and {@code total_sequence} are symbolic dims.
 *
 * <ul>
 *   <li>{@code input_ids} int64 {@code [batch, sequence]}
 *   <li>{@code attention_mask} int64 {@code [batch, total_sequence]} (1 = attend, 0 = padding;
 *       {@code total_sequence = past_sequence + sequence})
 *   <li>{@code position_ids} int64 {@code [batch, sequence]}
 *   <li>{@code past_key_values.%d.key|value} float32 {@code [batch, kvHeads, past_sequence, headSize]}
 *   <li>{@code logits} float32 {@code [batch, sequence, vocab]}
 *   <li>{@code present.%d.key|value} float32 {@code [batch, kvHeads, total_sequence, headSize]}:
 *       the past with this call's keys/values appended on axis 2 (keys after RoPE for Llama)
 * </ul>
 */
public enum Layout {
  /**
   * {@code model.onnx}: KV-cache decoder. Prefill with empty pasts ({@code past_sequence} 0),
   * then feed every {@code present.*} back as the matching {@code past_key_values.*}.
   */
  WITH_PAST("model.onnx"),
  /**
   * {@code model_no_past.onnx}: the same decoder without a cache (recomputes the whole
   * sequence each call); inputs {@code input_ids}, {@code attention_mask} {@code [batch,
   * sequence]}, {@code position_ids}; output {@code logits} only.
   */
  NO_PAST("model_no_past.onnx"),
  /**
   * {@code decoder_model_merged.onnx}: Optimum's merged decoder. Inputs as {@link #WITH_PAST}
   * plus {@code use_cache_branch} bool {@code [1]}; an {@code If} node runs the with-past
   * branch when it is true, else the no-past branch, which ignores the past inputs (pass
   * dummy pasts, e.g. of length 1, and an {@code attention_mask} of {@code sequence} columns).
   * Both branches output logits and presents.
   */
  MERGED("decoder_model_merged.onnx");

  private final String fileName;

  Layout(String fileName) {
    this.fileName = fileName;
  }

  /** The model file name inside the model directory. */
  public String fileName() {
    return fileName;
  }
}

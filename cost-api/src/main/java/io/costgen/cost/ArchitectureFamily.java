package io.costgen.cost;

/**
 * Transformer decoder family; decides which parameter-count formula applies.
 *
 * <ul>
 *   <li>{@link #GPT2}: LayerNorm (with bias), GELU MLP of two matrices with biases, learned
 *       absolute positions, biases on Q/K/V/O.
 *   <li>{@link #LLAMA}: RMSNorm (weight only), SwiGLU MLP of three matrices, rotary positions,
 *       grouped-query attention, no biases.
 * </ul>
 */
public enum ArchitectureFamily {
  /** GPT-2 / GPT-3 layout: LayerNorm, biases, learned positions. */
  GPT2,
  /** Llama layout (also Mistral): RMSNorm, SwiGLU, rotary, GQA, no biases. */
  LLAMA
}

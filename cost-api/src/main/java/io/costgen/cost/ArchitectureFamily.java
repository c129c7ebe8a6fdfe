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
  GPT2,
  LLAMA
}

package io.costgen.testkit;

/**
 * How a {@link SyntheticModel} stores the matrices of its linear layers (attention and MLP
 * projections of every layer, and an untied LM head). Embedding tables, the GPT-2 position
 * table, norm weights and biases stay fp32 in every format, as in the int4/int8 exports of
 * onnxruntime-genai and Optimum; so does a tied LM head (it is the embedding table).
 *
 * <p>Quantization is round-to-nearest from the seeded fp32 weights (the same values the
 * {@link #FP32} model holds), so a quantized model approximates its fp32 twin; the agreement
 * measured by the test-kit tests is stated in {@code docs/cost-model.md} ("Quantized models").
 */
public enum WeightFormat {
  /** Plain fp32 {@code MatMul} weights (4 bytes per parameter). */
  FP32,
  /**
   * QDQ int8, weight only: each matrix {@code W[K, N]} is an int8 initializer feeding a standard
   * {@code DequantizeLinear} (opset 17) with per-axis scales ({@code axis = 1}: one fp32 scale
   * per output column, {@code absmax / 127}) and an explicit int8 zero point of 0 per column,
   * whose output feeds the {@code MatMul}. Stored: 1 byte per parameter plus 5 bytes per output
   * column (scale and zero point).
   */
  INT8,
  /**
   * ONNX Runtime's {@code com.microsoft.MatMulNBits}, 4 bits, {@code block_size} 32, symmetric,
   * <em>without</em> zero points (so the runtime uses its default zero point 8): per output
   * column {@code n} and block of 32 rows of {@code K}, {@code scale = absmax / 7}, code
   * {@code clamp(round(w / scale), −8, 7) + 8}, two codes per byte, low nibble first, packed
   * {@code B[N, ceil(K/32), 16]}; fp32 {@code scales[N · ceil(K/32)]}. A last partial block is
   * padded with code 8 (value 0). Stored: half a byte per parameter (plus padding) and 4 bytes
   * of scale per 32 parameters.
   */
  INT4;

  /** MatMulNBits block size of {@link #INT4}, in elements of {@code K}. */
  public static final int INT4_BLOCK_SIZE = 32;
}

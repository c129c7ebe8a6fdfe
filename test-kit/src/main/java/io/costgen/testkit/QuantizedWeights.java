package io.costgen.testkit;

import io.costgen.onnx.graph.OnnxGraph;
import io.costgen.onnx.graph.OnnxGraph.Attr;
import io.costgen.onnx.graph.SeededWeights;
import io.costgen.onnx.graph.TensorSpec;
import io.costgen.onnx.graph.TensorSpec.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Quantizes the seeded fp32 matrices of a {@link SyntheticModel} into the {@link WeightFormat}s
 * and emits the nodes that use them. A matrix {@code W[K, N]} (stored {@code [in, out]}) becomes:
 *
 * <ul>
 *   <li>{@link WeightFormat#INT8}: {@code <W>_quantized} int8 {@code [K, N]}, {@code <W>_scale}
 *       fp32 {@code [N]}, {@code <W>_zero_point} int8 {@code [N]} (zeros) feeding
 *       {@code DequantizeLinear(axis = 1)} and a {@code MatMul};
 *   <li>{@link WeightFormat#INT4}: {@code <W>_Q4} uint8 {@code [N, ceil(K/32), 16]} and
 *       {@code <W>_scales} fp32 {@code [N · ceil(K/32)]} feeding {@code com.microsoft.MatMulNBits}
 *       (attributes K, N, bits 4, block_size 32; no zero points, so the default 8 applies).
 * </ul>
 *
 * <p>The packing follows ONNX Runtime's contrib operator documentation for MatMulNBits: B has
 * shape {@code [N, n_blocks, blob_size]} with {@code blob_size = block_size · bits / 8}, codes
 * along K, the first of each pair in the low nibble; dequantized {@code (code − zero_point) ·
 * scale}. Weights are materialised one matrix at a time, when the graph is built.
 */
final class QuantizedWeights {

  private QuantizedWeights() {}

  static final int BLOCK = WeightFormat.INT4_BLOCK_SIZE;

  /** Blocks per column of a {@code K}-row matrix. */
  static long int4Blocks(long k) {
    return (k + BLOCK - 1) / BLOCK;
  }

  /** Bytes of packed int4 codes of a {@code [K, N]} matrix (padding of a partial last block included). */
  static long int4DataBytes(long k, long n) {
    return n * int4Blocks(k) * (BLOCK / 2);
  }

  /** Bytes of the fp32 scales of an int4 {@code [K, N]} matrix. */
  static long int4ScaleBytes(long k, long n) {
    return n * int4Blocks(k) * Float.BYTES;
  }

  /** Bytes of scale and zero point of an int8 {@code [K, N]} matrix (per column: fp32 + int8). */
  static long int8OverheadBytes(long n) {
    return n * (Float.BYTES + 1);
  }

  /**
   * Registers the quantized tensors of the float matrix {@code w} (a {@code [K, N]} parameter)
   * in {@code g}.
   */
  static void register(OnnxGraph g, TensorSpec w, WeightFormat format, long seed) {
    long[] dims = w.dims();
    int k = Math.toIntExact(dims[0]);
    int n = Math.toIntExact(dims[1]);
    float[] values = SeededWeights.floats(w, seed); // row-major [K, N]
    switch (format) {
      case INT8 -> {
        byte[] q = new byte[k * n];
        ByteBuffer scales = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int col = 0; col < n; col++) {
          float absmax = 0;
          for (int row = 0; row < k; row++) {
            absmax = Math.max(absmax, Math.abs(values[row * n + col]));
          }
          float scale = absmax / 127f;
          scales.putFloat(scale);
          for (int row = 0; row < k; row++) {
            q[row * n + col] = (byte) code(values[row * n + col], scale, -127, 127);
          }
        }
        g.initializer(TensorSpec.raw(w.name() + "_quantized", ElementType.INT8, true, q, k, n));
        g.initializer(TensorSpec.raw(w.name() + "_scale", ElementType.FLOAT, true,
            scales.array(), n));
        g.initializer(TensorSpec.raw(w.name() + "_zero_point", ElementType.INT8, true,
            new byte[n], n));
      }
      case INT4 -> {
        int blocks = Math.toIntExact(int4Blocks(k));
        int blob = BLOCK / 2;
        byte[] packed = new byte[n * blocks * blob];
        ByteBuffer scales = ByteBuffer.allocate(n * blocks * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        for (int col = 0; col < n; col++) {
          for (int b = 0; b < blocks; b++) {
            int start = b * BLOCK;
            int end = Math.min(k, start + BLOCK);
            float absmax = 0;
            for (int row = start; row < end; row++) {
              absmax = Math.max(absmax, Math.abs(values[row * n + col]));
            }
            float scale = absmax / 7f;
            scales.putFloat(scale);
            int base = (col * blocks + b) * blob;
            for (int i = 0; i < BLOCK; i++) {
              int row = start + i;
              int c = row < end ? code(values[row * n + col], scale, -8, 7) + 8 : 8;
              packed[base + i / 2] |= (byte) ((i % 2 == 0) ? c : c << 4);
            }
          }
        }
        g.initializer(TensorSpec.raw(w.name() + "_Q4", ElementType.UINT8, true, packed,
            n, blocks, blob));
        g.initializer(TensorSpec.raw(w.name() + "_scales", ElementType.FLOAT, true,
            scales.array(), (long) n * blocks));
      }
      default -> throw new IllegalArgumentException("format: " + format + " is not quantized");
    }
  }

  /** {@code x · W} for the matrix {@code w} ({@code [K, N]}) registered by {@link #register}. */
  static String matmul(OnnxGraph g, String x, TensorSpec w, WeightFormat format) {
    long[] dims = w.dims();
    return switch (format) {
      case FP32 -> g.op("MatMul", List.of(x, w.name()));
      case INT8 -> g.op("MatMul", List.of(x, g.op("DequantizeLinear", List.of(
          w.name() + "_quantized", w.name() + "_scale", w.name() + "_zero_point"),
          Attr.i("axis", 1))));
      case INT4 -> g.opIn("com.microsoft", "MatMulNBits",
          List.of(x, w.name() + "_Q4", w.name() + "_scales"),
          Attr.i("K", dims[0]), Attr.i("N", dims[1]), Attr.i("bits", 4),
          Attr.i("block_size", BLOCK));
    };
  }

  /** {@code clamp(round(v / scale), lo, hi)}; 0 when the scale is 0 (an all-zero block). */
  private static int code(float v, float scale, int lo, int hi) {
    if (scale == 0f) {
      return 0;
    }
    return Math.max(lo, Math.min(hi, Math.round(v / scale)));
  }
}

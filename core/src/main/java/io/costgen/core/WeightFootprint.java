package io.costgen.core;

import io.costgen.cost.DType;
import io.costgen.cost.ModelShape;

/**
 * What a model's weights hold and occupy, as counted from its files: the logical parameter
 * count, the bytes of the stored weight values, and, kept apart, the bytes of quantization
 * scales and zero points.
 *
 * <p>For a quantized tensor (int4 {@code MatMulNBits}, QDQ int8/int4 {@code DequantizeLinear},
 * {@code GatherBlockQuantized}) the parameters are the elements of the <em>dequantized</em> tensor
 * and the weight bytes are its packed codes as stored (e.g. half a byte per int4 parameter plus
 * the padding of a partial last block); its scales and zero points are
 * {@link #quantizationOverheadBytes()}, not parameters. How each format is counted:
 * {@code docs/cost-model.md}, "Quantized models".
 *
 * <p>Immutable and thread-safe.
 *
 * @param parameters logical parameters (elements of every weight tensor, dequantized), ≥ 0
 * @param weightBytes bytes of the stored weight values, without scales and zero points, ≥ 0
 * @param quantizationOverheadBytes bytes of quantization scales and zero points, ≥ 0
 * @param quantizedParameters how many of {@code parameters} are stored quantized, ≤ parameters
 */
public record WeightFootprint(
    long parameters, long weightBytes, long quantizationOverheadBytes, long quantizedParameters) {

  public WeightFootprint {
    nonNegative("parameters", parameters);
    nonNegative("weightBytes", weightBytes);
    nonNegative("quantizationOverheadBytes", quantizationOverheadBytes);
    nonNegative("quantizedParameters", quantizedParameters);
    if (quantizedParameters > parameters) {
      throw new IllegalArgumentException("quantizedParameters: " + quantizedParameters
          + " must be <= parameters (" + parameters + ")");
    }
  }

  /**
   * The footprint implied by a shape stored uniformly in {@code dtype}: {@code shape.parameters()}
   * parameters at {@link DType#bytesPerElement()} bytes each (rounded up), no overhead;
   * quantized when {@code dtype} is INT8 or INT4.
   */
  public static WeightFootprint of(ModelShape shape, DType dtype) {
    long params = shape.parameters();
    long bytes = (long) Math.ceil(params * dtype.bytesPerElement());
    boolean quantized = dtype == DType.INT8 || dtype == DType.INT4;
    return new WeightFootprint(params, bytes, 0, quantized ? params : 0);
  }

  /**
   * Bytes one forward pass reads for the weights: {@link #weightBytes()} +
   * {@link #quantizationOverheadBytes()} (what the roofline and the usage counters charge).
   */
  public long totalBytes() {
    return weightBytes + quantizationOverheadBytes;
  }

  /** Stored bytes per logical parameter, scales and zero points included (0 when none). */
  public double bytesPerParameter() {
    return parameters == 0 ? 0 : (double) totalBytes() / parameters;
  }

  private static void nonNegative(String field, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(field + ": " + v + " must be >= 0");
    }
  }
}

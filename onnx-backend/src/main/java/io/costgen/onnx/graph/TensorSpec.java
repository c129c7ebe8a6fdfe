package io.costgen.onnx.graph;


import java.util.Arrays;
import java.util.Objects;

/**
 * One initializer of a generated graph: its name, element type, shape and how its values are
 * made. {@code parameter} marks learned weights (counted by the model's parameter count);
 * everything else (shape vectors, scalars, RoPE inverse frequencies) is a graph constant.
 * Immutable.
 */
public record TensorSpec(String name, ElementType type, long[] dims, Values values, boolean parameter) {

  /** ONNX {@code TensorProto.DataType} codes used here (onnx.proto). */
  public enum ElementType {
    FLOAT(1, Float.BYTES),
    UINT8(2, 1),
    INT8(3, 1),
    INT32(6, Integer.BYTES),
    INT64(7, Long.BYTES),
    BOOL(9, 1),
    FLOAT16(10, 2);

    final int onnxCode;
    final int bytes;

    ElementType(int onnxCode, int bytes) {
      this.onnxCode = onnxCode;
      this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
      return bytes;
    }
  }

  /** How the values of a tensor are produced. */
  public sealed interface Values permits Normal, Fill, Floats, Longs, Bytes {}

  /** Seeded normal-ish values, mean 0, standard deviation {@code std} (see {@link SeededWeights}). */
  public record Normal(double std) implements Values {}

  /** Every element equals {@code value}. */
  public record Fill(float value) implements Values {}

  /** Explicit float values. */
  public record Floats(float[] data) implements Values {}

  /**
   * Explicit raw little-endian bytes (packed quantized weights, fp16 values); their length must
   * equal the tensor's {@link #byteCount()}.
   */
  public record Bytes(byte[] data) implements Values {}

  /** Explicit int64 values. */
  public record Longs(long[] data) implements Values {}

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    dims = dims.clone();
    Objects.requireNonNull(values, "values");
    if (values instanceof Bytes b) {
      long expected = 1;
      for (long d : dims) {
        expected *= d;
      }
      expected *= type.bytes;
      if (b.data().length != expected) {
        throw new IllegalArgumentException("tensor " + name + ": " + b.data().length
            + " raw bytes for " + expected + " bytes of " + Arrays.toString(dims) + " " + type);
      }
    }
  }

  /** A tensor of explicit raw bytes (see {@link Bytes}); {@code parameter} marks learned weights. */
  public static TensorSpec raw(String name, ElementType type, boolean parameter, byte[] data,
      long... dims) {
    return new TensorSpec(name, type, dims, new Bytes(data.clone()), parameter);
  }

  public static TensorSpec weight(String name, Values values, long... dims) {
    return new TensorSpec(name, ElementType.FLOAT, dims, values, true);
  }

  public static TensorSpec floatConstant(String name, long[] dims, float... data) {
    return new TensorSpec(name, ElementType.FLOAT, dims, new Floats(data.clone()), false);
  }

  public static TensorSpec longConstant(String name, long[] dims, long... data) {
    return new TensorSpec(name, ElementType.INT64, dims, new Longs(data.clone()), false);
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  /** Number of elements (1 for a scalar). */
  public long elementCount() {
    long n = 1;
    for (long d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Size of the raw data in bytes. */
  public long byteCount() {
    return Math.multiplyExact(elementCount(), type.bytes);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(dims) + " " + type;
  }
}

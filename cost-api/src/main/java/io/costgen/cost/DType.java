package io.costgen.cost;

/** Numeric storage type of weights or KV cache, with its size in bytes per element. */
public enum DType {
  /** IEEE float32, 4 bytes. */
  FP32(4.0),
  /** IEEE float16, 2 bytes. */
  FP16(2.0),
  /** bfloat16, 2 bytes. */
  BF16(2.0),
  /** 8-bit integer (quantised), 1 byte. */
  INT8(1.0),
  /** 4-bit integer (quantised), half a byte. */
  INT4(0.5);

  private final double bytesPerElement;

  DType(double bytesPerElement) {
    this.bytesPerElement = bytesPerElement;
  }

  /** Bytes per element (0.5 for int4). */
  public double bytesPerElement() {
    return bytesPerElement;
  }

  /** Parses {@code fp32|fp16|bf16|int8|int4} (case-insensitive; also {@code float32}, {@code float16}). */
  public static DType parse(String name) {
    switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "fp32": case "float32": case "float": return FP32;
      case "fp16": case "float16": case "half": return FP16;
      case "bf16": case "bfloat16": return BF16;
      case "int8": return INT8;
      case "int4": return INT4;
      default:
        throw new IllegalArgumentException(
            "dtype: unknown value '" + name + "'; allowed: fp32, fp16, bf16, int8, int4");
    }
  }
}

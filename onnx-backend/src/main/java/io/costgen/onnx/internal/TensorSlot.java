package io.costgen.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable direct, native-order buffer and the ONNX tensor viewing it (zero-copy: ONNX
 * Runtime reads and writes the buffer in place). The buffer grows geometrically; the tensor is
 * re-created only when its shape (or the buffer) changes, so a run with the same shape as the
 * previous one creates nothing. Owns the tensor; the buffer is freed by the garbage collector.
 * Not thread-safe.
 */
final class TensorSlot implements AutoCloseable {

  private final OnnxJavaType type;
  private final int elementBytes;
  private ByteBuffer bytes;
  private OnnxTensor tensor;
  private int rank = -1;
  private long d0;
  private long d1;
  private long d2;

  TensorSlot(OnnxJavaType type, int initialElements) {
    this.type = type;
    this.elementBytes = elementBytes(type);
    this.bytes = allocate(Math.max(1, initialElements) * (long) elementBytes);
  }

  static int elementBytes(OnnxJavaType type) {
    switch (type) {
      case INT64: case DOUBLE: return 8;
      case INT32: case FLOAT: return 4;
      case FLOAT16: case BFLOAT16: case INT16: return 2;
      case INT8: case UINT8: case BOOL: return 1;
      default: throw new IllegalArgumentException("type: unsupported tensor element type " + type);
    }
  }

  static ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + bytes + " bytes exceeds 2 GiB");
    }
    return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
  }

  OnnxJavaType type() {
    return type;
  }

  /** The backing buffer (absolute indexing in bytes; contents survive until it grows). */
  ByteBuffer bytes() {
    return bytes;
  }

  /** Capacity in elements. */
  long capacity() {
    return bytes.capacity() / elementBytes;
  }

  /**
   * Makes room for {@code elements}; growing (at least doubling) drops the current contents and
   * tensor.
   */
  void ensureCapacity(long elements) {
    if (elements > capacity()) {
      long grown = Math.max(elements, Math.min(2 * capacity(), Integer.MAX_VALUE / elementBytes));
      closeTensor();
      bytes = allocate(grown * elementBytes);
    }
  }

  /** Replaces the buffer by a smaller one of {@code elements} (to release a large prefill). */
  void shrinkTo(long elements) {
    closeTensor();
    bytes = allocate(Math.max(1, elements) * elementBytes);
  }

  /** Writes an integer element (INT64, INT32 or BOOL slots). */
  void putIndex(int i, long v) {
    switch (type) {
      case INT64:
        bytes.putLong(i << 3, v);
        break;
      case INT32:
        bytes.putInt(i << 2, (int) v);
        break;
      case BOOL:
        bytes.put(i, (byte) (v != 0 ? 1 : 0));
        break;
      default:
        throw new IllegalStateException("not an index slot: " + type);
    }
  }

  OnnxTensor tensor(OrtEnvironment env, long a) throws OrtException {
    if (tensor != null && rank == 1 && d0 == a) {
      return tensor;
    }
    return create(env, new long[] {a}, a);
  }

  OnnxTensor tensor(OrtEnvironment env, long a, long b) throws OrtException {
    if (tensor != null && rank == 2 && d0 == a && d1 == b) {
      return tensor;
    }
    return create(env, new long[] {a, b}, a * b);
  }

  OnnxTensor tensor(OrtEnvironment env, long a, long b, long c) throws OrtException {
    if (tensor != null && rank == 3 && d0 == a && d1 == b && d2 == c) {
      return tensor;
    }
    return create(env, new long[] {a, b, c}, a * b * c);
  }

  private OnnxTensor create(OrtEnvironment env, long[] shape, long elements) throws OrtException {
    closeTensor();
    ensureCapacity(elements);
    bytes.clear();
    bytes.limit((int) (elements * elementBytes));
    tensor = OnnxTensor.createTensor(env, bytes, shape, type);
    bytes.clear();
    rank = shape.length;
    d0 = shape[0];
    d1 = shape.length > 1 ? shape[1] : 0;
    d2 = shape.length > 2 ? shape[2] : 0;
    return tensor;
  }

  private void closeTensor() {
    if (tensor != null) {
      tensor.close();
      tensor = null;
      rank = -1;
    }
  }

  @Override
  public void close() {
    closeTensor();
  }
}

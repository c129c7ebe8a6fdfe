package io.costgen.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The key/value cache of a session: one tensor per cache input of the graph, in feed order.
 * Normally the {@code present*} outputs of the previous run, owned by that run's
 * {@link OrtSession.Result} and fed straight back (never copied into Java); after
 * {@link #select} or {@link #concat}, tensors this cache allocated and owns.
 *
 * <p>Every tensor has the shape {@code [outer…, batch, inner…, length, tail…]} where
 * {@code batchAxis} and {@code seqAxis} locate batch and sequence ({@code [B, H, T, D]}: 0 and 2;
 * stacked {@code [2, B, H, T, D]}: 1 and 3). Closing releases whatever it owns exactly once.
 * Not thread-safe.
 */
final class KvCache implements AutoCloseable {

  private final OnnxTensor[] tensors;
  /** The direct buffers behind {@code tensors} when this cache allocated them, else null. */
  private final ByteBuffer[] buffers;
  private final AutoCloseable owner;
  private final boolean ownsTensors;
  private final int rows;
  private final int length;
  private boolean closed;

  private KvCache(OnnxTensor[] tensors, ByteBuffer[] buffers, AutoCloseable owner,
      boolean ownsTensors, int rows, int length) {
    this.tensors = tensors;
    this.buffers = buffers;
    this.owner = owner;
    this.ownsTensors = ownsTensors;
    this.rows = rows;
    this.length = length;
  }

  /** A zero-length cache that borrows {@code empty} for every input (not closed by this). */
  static KvCache borrowedEmpty(OnnxTensor empty, int count, int rows) {
    OnnxTensor[] t = new OnnxTensor[count];
    java.util.Arrays.fill(t, empty);
    return new KvCache(t, null, null, false, rows, 0);
  }

  /** The presents of {@code result}; takes ownership of the result. */
  static KvCache fromResult(OrtSession.Result result, List<String> presentNames, int rows,
      int length) {
    OnnxTensor[] t = new OnnxTensor[presentNames.size()];
    try {
      for (int i = 0; i < t.length; i++) {
        Optional<OnnxValue> v = result.get(presentNames.get(i));
        if (v.isEmpty() || !(v.get() instanceof OnnxTensor)) {
          throw new IllegalStateException("run returned no tensor " + presentNames.get(i));
        }
        t[i] = (OnnxTensor) v.get();
      }
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
    return new KvCache(t, null, result, false, rows, length);
  }

  OnnxTensor tensor(int i) {
    return tensors[i];
  }

  int count() {
    return tensors.length;
  }

  int rows() {
    return rows;
  }

  /** Cached positions per row (padding included). */
  int length() {
    return length;
  }

  /**
   * Bytes of tensor {@code i}, native order: the direct buffer this cache allocated, or else a
   * copy of ONNX Runtime's output (its native memory is not reachable from Java without one).
   */
  private ByteBuffer bytesOf(int i) {
    if (buffers != null) {
      return buffers[i];
    }
    return tensors[i].getByteBuffer();
  }

  /**
   * A new cache holding rows {@code sel} (in that order, repeats allowed) of this one without
   * its first {@code drop} positions (padding all kept rows share), copied in bulk per block
   * (element bytes copied raw, so float16 stays float16).
   */
  KvCache select(OrtEnvironment env, int[] sel, int batchAxis, int seqAxis, int drop)
      throws OrtException {
    if (drop == 0) {
      return select(env, sel, batchAxis);
    }
    int newLength = length - drop;
    OnnxTensor[] out = new OnnxTensor[tensors.length];
    ByteBuffer[] outBuffers = new ByteBuffer[tensors.length];
    try {
      for (int i = 0; i < tensors.length; i++) {
        OnnxTensor src = tensors[i];
        long[] shape = src.getInfo().getShape();
        OnnxJavaType type = src.getInfo().type;
        int elem = TensorSlot.elementBytes(type);
        long outer = product(shape, 0, batchAxis);
        long inner = product(shape, batchAxis + 1, seqAxis);
        long tailBytes = product(shape, seqAxis + 1, shape.length) * elem;
        int b = (int) shape[batchAxis];
        ByteBuffer from = bytesOf(i);
        long[] newShape = shape.clone();
        newShape[batchAxis] = sel.length;
        newShape[seqAxis] = newLength;
        long block = newLength * tailBytes;
        ByteBuffer to = TensorSlot.allocate(outer * sel.length * inner * block);
        for (long o = 0; o < outer; o++) {
          for (int r = 0; r < sel.length; r++) {
            for (long h = 0; h < inner; h++) {
              long srcAt = ((o * b + sel[r]) * inner + h) * length * tailBytes + drop * tailBytes;
              long dstAt = ((o * sel.length + r) * inner + h) * block;
              to.put(Math.toIntExact(dstAt), from, Math.toIntExact(srcAt), (int) block);
            }
          }
        }
        out[i] = OnnxTensor.createTensor(env, to, newShape, type);
        outBuffers[i] = to;
      }
    } catch (OrtException | RuntimeException e) {
      closeAll(out);
      throw e;
    }
    return new KvCache(out, outBuffers, null, true, sel.length, newLength);
  }

  /**
   * A new cache holding rows {@code sel} (in that order, repeats allowed) of this one, copied in
   * bulk per row block (element bytes copied raw, so float16 stays float16).
   */
  KvCache select(OrtEnvironment env, int[] sel, int batchAxis) throws OrtException {
    OnnxTensor[] out = new OnnxTensor[tensors.length];
    ByteBuffer[] outBuffers = new ByteBuffer[tensors.length];
    try {
      for (int i = 0; i < tensors.length; i++) {
        OnnxTensor src = tensors[i];
        long[] shape = src.getInfo().getShape();
        OnnxJavaType type = src.getInfo().type;
        int elem = TensorSlot.elementBytes(type);
        long outer = product(shape, 0, batchAxis);
        long rowBytes = product(shape, batchAxis + 1, shape.length) * elem;
        int b = (int) shape[batchAxis];
        ByteBuffer from = bytesOf(i);
        long[] newShape = shape.clone();
        newShape[batchAxis] = sel.length;
        ByteBuffer to = TensorSlot.allocate(outer * sel.length * rowBytes);
        for (long o = 0; o < outer; o++) {
          for (int r = 0; r < sel.length; r++) {
            int fromIndex = Math.toIntExact((o * b + sel[r]) * rowBytes);
            int toIndex = Math.toIntExact((o * sel.length + r) * rowBytes);
            to.put(toIndex, from, fromIndex, (int) rowBytes);
          }
        }
        out[i] = OnnxTensor.createTensor(env, to, newShape, type);
        outBuffers[i] = to;
      }
    } catch (OrtException | RuntimeException e) {
      closeAll(out);
      throw e;
    }
    return new KvCache(out, outBuffers, null, true, sel.length, length);
  }

  /**
   * A new cache with the rows of {@code first} then {@code second}, both right-aligned to the
   * longer length: the shorter one's rows get zero columns on the left (the caller masks them).
   */
  static KvCache concat(OrtEnvironment env, KvCache first, KvCache second, int batchAxis,
      int seqAxis) throws OrtException {
    int newLength = Math.max(first.length, second.length);
    int newRows = first.rows + second.rows;
    OnnxTensor[] out = new OnnxTensor[first.tensors.length];
    ByteBuffer[] outBuffers = new ByteBuffer[out.length];
    try {
      for (int i = 0; i < out.length; i++) {
        OnnxTensor a = first.tensors[i];
        long[] shape = a.getInfo().getShape();
        OnnxJavaType type = a.getInfo().type;
        int elem = TensorSlot.elementBytes(type);
        long outer = product(shape, 0, batchAxis);
        long inner = product(shape, batchAxis + 1, seqAxis);
        long tailBytes = product(shape, seqAxis + 1, shape.length) * elem;
        long[] newShape = shape.clone();
        newShape[batchAxis] = newRows;
        newShape[seqAxis] = newLength;
        long newRowBytes = inner * newLength * tailBytes;
        ByteBuffer to = TensorSlot.allocate(outer * newRows * newRowBytes); // zero-filled
        int rowBase = 0;
        for (KvCache part : new KvCache[] {first, second}) {
          ByteBuffer from = part.bytesOf(i);
          long shift = newLength - part.length;
          long srcBlock = part.length * tailBytes;
          for (long o = 0; o < outer; o++) {
            for (int r = 0; r < part.rows; r++) {
              for (long h = 0; h < inner; h++) {
                long src = ((o * part.rows + r) * inner + h) * srcBlock;
                long dst = ((o * newRows + rowBase + r) * inner + h) * newLength * tailBytes
                    + shift * tailBytes;
                to.put(Math.toIntExact(dst), from, Math.toIntExact(src), (int) srcBlock);
              }
            }
          }
          rowBase += part.rows;
        }
        out[i] = OnnxTensor.createTensor(env, to, newShape, type);
        outBuffers[i] = to;
      }
    } catch (OrtException | RuntimeException e) {
      closeAll(out);
      throw e;
    }
    return new KvCache(out, outBuffers, null, true, newRows, newLength);
  }

  private static long product(long[] shape, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= shape[i];
    }
    return p;
  }

  private static void closeAll(OnnxTensor[] tensors) {
    for (OnnxTensor t : tensors) {
      if (t != null) {
        t.close();
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsTensors) {
      closeAll(tensors);
    }
    if (owner != null) {
      try {
        owner.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing KV cache owner failed", e);
      }
    }
  }
}

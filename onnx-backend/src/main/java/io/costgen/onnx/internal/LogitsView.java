package io.costgen.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.platform.Fp16Conversions;
import io.costgen.core.spi.Logits;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The last-position logits of each row, read in place from the pinned output buffer ONNX
 * Runtime wrote into. Float16 and bfloat16 scores are converted in {@link #copyRow} (float16
 * through a 64 Ki-entry table built with ONNX Runtime's {@code Fp16Conversions}). A view: valid
 * until the owning session's next call. Not thread-safe.
 */
final class LogitsView implements Logits {

  private final OnnxJavaType type;
  private final int vocab;
  private ByteBuffer bytes;
  private FloatBuffer floats;
  private int rows;
  private long rowStride;
  private long firstOffset;

  LogitsView(OnnxJavaType type, int vocab) {
    this.type = type;
    this.vocab = vocab;
  }

  /**
   * Points the view at {@code bytes} holding {@code [rows, positions, vocab]} elements; row
   * {@code r}'s scores are those of its last position.
   */
  void set(ByteBuffer bytes, int rows, int positions) {
    if (this.bytes != bytes) {
      this.bytes = bytes;
      this.floats = type == OnnxJavaType.FLOAT ? bytes.duplicate().order(bytes.order())
          .asFloatBuffer() : null;
    }
    this.rows = rows;
    this.rowStride = (long) positions * vocab;
    this.firstOffset = (long) (positions - 1) * vocab;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public void copyRow(int row, float[] dest) {
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row: " + row + " not in [0, " + rows + ")");
    }
    if (dest.length < vocab) {
      throw new IllegalArgumentException(
          "dest: length " + dest.length + " is shorter than the vocabulary (" + vocab + ")");
    }
    long start = row * rowStride + firstOffset;
    switch (type) {
      case FLOAT: {
        floats.get(Math.toIntExact(start), dest, 0, vocab);
        break;
      }
      case FLOAT16: {
        float[] table = Fp16Table.TABLE;
        int byteIndex = Math.toIntExact(start * 2);
        for (int i = 0; i < vocab; i++) {
          dest[i] = table[bytes.getShort(byteIndex + (i << 1)) & 0xFFFF];
        }
        break;
      }
      case BFLOAT16: {
        int byteIndex = Math.toIntExact(start * 2);
        for (int i = 0; i < vocab; i++) {
          dest[i] = Float.intBitsToFloat((bytes.getShort(byteIndex + (i << 1)) & 0xFFFF) << 16);
        }
        break;
      }
      default:
        throw new IllegalStateException("unsupported logits type " + type);
    }
  }

  /** float16 bit pattern → float, all 65 536 values. */
  private static final class Fp16Table {
    static final float[] TABLE = new float[1 << 16];

    static {
      for (int i = 0; i < TABLE.length; i++) {
        TABLE[i] = Fp16Conversions.fp16ToFloat((short) i);
      }
    }
  }
}

package io.costgen.onnx.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Protobuf wire-format pieces for editing a serialized message without a schema: a field
 * reader over a buffer slice ({@link Field}s keep their byte ranges, so unchanged fields are
 * copied as they are) and an output made of parts ({@link Parts}: slices of the original
 * buffer and small new byte arrays), so a message holding hundreds of megabytes of weights is
 * rewritten without copying it into the heap. Not thread-safe.
 */
final class ProtoSplice {

  static final int WIRE_VARINT = 0;
  static final int WIRE_FIXED64 = 1;
  static final int WIRE_LEN = 2;
  static final int WIRE_FIXED32 = 5;

  private ProtoSplice() {}

  /** Thrown when the bytes are not well-formed protobuf. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  /**
   * One field: its number and wire type, the byte range of the whole field (tag included) and,
   * for length-delimited fields, of its payload; for varints the value.
   */
  record Field(int number, int wire, int start, int end, int valueStart, long varint) {

    boolean isLen() {
      return wire == WIRE_LEN;
    }

    boolean is(int n, int w) {
      return number == n && wire == w;
    }
  }

  /** The fields of the message held in {@code buf[start, end)}, in order. */
  static List<Field> fields(ByteBuffer buf, int start, int end) throws Malformed {
    List<Field> out = new ArrayList<>();
    int[] pos = {start};
    while (pos[0] < end) {
      int fieldStart = pos[0];
      long tag = varint(buf, pos, end);
      int number = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (number == 0) {
        throw new Malformed("field number 0 at byte " + fieldStart);
      }
      long value = 0;
      int valueStart = pos[0];
      switch (wire) {
        case WIRE_VARINT:
          value = varint(buf, pos, end);
          break;
        case WIRE_FIXED64:
          advance(pos, 8, end);
          break;
        case WIRE_FIXED32:
          advance(pos, 4, end);
          break;
        case WIRE_LEN: {
          long len = varint(buf, pos, end);
          valueStart = pos[0];
          if (len < 0 || len > end - pos[0]) {
            throw new Malformed("length " + len + " at byte " + valueStart
                + " runs past the end of its message");
          }
          pos[0] += (int) len;
          break;
        }
        default:
          throw new Malformed("unsupported wire type " + wire + " at byte " + fieldStart);
      }
      out.add(new Field(number, wire, fieldStart, pos[0], valueStart, value));
    }
    return out;
  }

  /** The fields inside a length-delimited field. */
  static List<Field> fields(ByteBuffer buf, Field f) throws Malformed {
    return fields(buf, f.valueStart(), f.end());
  }

  static String string(ByteBuffer buf, Field f) {
    byte[] b = new byte[f.end() - f.valueStart()];
    buf.get(f.valueStart(), b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static long varint(ByteBuffer buf, int[] pos, int end) throws Malformed {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= end) {
        throw new Malformed("truncated varint at byte " + pos[0]);
      }
      byte b = buf.get(pos[0]++);
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new Malformed("varint longer than 10 bytes at byte " + pos[0]);
  }

  private static void advance(int[] pos, int n, int end) throws Malformed {
    if (n > end - pos[0]) {
      throw new Malformed("truncated field at byte " + pos[0]);
    }
    pos[0] += n;
  }

  /**
   * A message body being assembled from slices of the original buffer and new encoded bytes.
   */
  static final class Parts {
    private final List<Object> parts = new ArrayList<>();
    private long size;

    long size() {
      return size;
    }

    /** Copies the original bytes {@code [start, end)} of {@code buf} (a field, unchanged). */
    Parts copy(ByteBuffer buf, int start, int end) {
      if (end > start) {
        parts.add(buf.slice(start, end - start));
        size += end - start;
      }
      return this;
    }

    Parts copy(ByteBuffer buf, Field f) {
      return copy(buf, f.start(), f.end());
    }

    Parts bytes(byte[] b) {
      parts.add(b);
      size += b.length;
      return this;
    }

    /** Appends field {@code number} as a length-delimited field holding {@code nested}. */
    Parts message(int number, Parts nested) {
      Encoder e = new Encoder();
      e.tag(number, WIRE_LEN);
      e.raw(nested.size);
      bytes(e.toBytes());
      parts.add(nested);
      size += nested.size;
      return this;
    }

    void writeTo(WritableByteChannel ch) throws IOException {
      for (Object p : parts) {
        if (p instanceof Parts nested) {
          nested.writeTo(ch);
        } else {
          ByteBuffer b = p instanceof byte[] arr ? ByteBuffer.wrap(arr)
              : ((ByteBuffer) p).duplicate();
          while (b.hasRemaining()) {
            ch.write(b);
          }
        }
      }
    }
  }

  /** Encodes small new messages (nodes, small tensors). */
  static final class Encoder {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    Encoder varint(int field, long value) {
      tag(field, WIRE_VARINT);
      raw(value);
      return this;
    }

    Encoder string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Encoder bytes(int field, byte[] value) {
      tag(field, WIRE_LEN);
      raw(value.length);
      out.write(value, 0, value.length);
      return this;
    }

    Encoder message(int field, Encoder nested) {
      return bytes(field, nested.toBytes());
    }

    void tag(int field, int wire) {
      raw(((long) field << 3) | wire);
    }

    void raw(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }

    byte[] toBytes() {
      return out.toByteArray();
    }
  }
}

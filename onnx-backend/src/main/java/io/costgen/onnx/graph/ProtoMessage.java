package io.costgen.onnx.graph;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only protocol-buffers message writer (wire format only, no schema, no reflection).
 *
 * <p>Fields are encoded as they are added. Nested messages and large byte payloads
 * ({@link BlobWriter}s, e.g. tensor data) are kept as parts and streamed by {@link #writeTo},
 * so a message whose payload is hundreds of megabytes is never held in one array. A nested
 * message must be complete before it is attached: its size is taken at that moment.
 *
 * <p>Encoding rules (protobuf "Encoding" guide): tag = {@code field << 3 | wireType}; wire
 * type 0 = varint (int32/int64/enum/bool; negative values take ten bytes, two's complement),
 * 2 = length-delimited (string, bytes, message, packed), 5 = 32-bit little-endian (float).
 *
 * <p>Not thread-safe.
 */
public final class ProtoMessage {

  /** Streams a payload of a length known in advance. */
  public interface BlobWriter {
    void write(ProtoOutput out) throws IOException;
  }

  private static final int WIRE_VARINT = 0;
  private static final int WIRE_LENGTH_DELIMITED = 2;
  private static final int WIRE_FIXED32 = 5;

  private final List<Object> parts = new ArrayList<>();
  private ByteArrayOutputStream current = new ByteArrayOutputStream();
  private long size;

  /** Serialized size in bytes. */
  public long size() {
    return size;
  }

  public ProtoMessage varint(int field, long value) {
    tag(field, WIRE_VARINT);
    rawVarint(value);
    return this;
  }

  public ProtoMessage float32(int field, float value) {
    tag(field, WIRE_FIXED32);
    int bits = Float.floatToRawIntBits(value);
    for (int i = 0; i < 4; i++) {
      put(bits >>> (8 * i));
    }
    return this;
  }

  public ProtoMessage string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  public ProtoMessage bytes(int field, byte[] value) {
    tag(field, WIRE_LENGTH_DELIMITED);
    rawVarint(value.length);
    current.write(value, 0, value.length);
    size += value.length;
    return this;
  }

  public ProtoMessage message(int field, ProtoMessage nested) {
    tag(field, WIRE_LENGTH_DELIMITED);
    rawVarint(nested.size);
    flush();
    parts.add(nested);
    size += nested.size;
    return this;
  }

  /** A length-delimited field whose {@code length} bytes {@code writer} streams later. */
  public ProtoMessage blob(int field, long length, BlobWriter writer) {
    tag(field, WIRE_LENGTH_DELIMITED);
    rawVarint(length);
    flush();
    parts.add(new Blob(length, writer));
    size += length;
    return this;
  }

  /** Writes the message body (no enclosing tag or length). */
  public void writeTo(ProtoOutput out) throws IOException {
    flush();
    for (Object part : parts) {
      if (part instanceof byte[] b) {
        out.write(b, 0, b.length);
      } else if (part instanceof ProtoMessage m) {
        m.writeTo(out);
      } else {
        Blob blob = (Blob) part;
        long before = out.position();
        blob.writer.write(out);
        long written = out.position() - before;
        if (written != blob.length) {
          throw new IllegalStateException(
              "blob writer wrote " + written + " bytes, declared " + blob.length);
        }
      }
    }
  }

  /** Encodes a message holding only in-memory fields into one array (tests, small messages). */
  public byte[] toByteArray() throws IOException {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("message of " + size + " bytes does not fit in an array");
    }
    ProtoOutput.ByteArraySink sink = new ProtoOutput.ByteArraySink();
    try (ProtoOutput out = new ProtoOutput(sink)) {
      writeTo(out);
    }
    return sink.toByteArray();
  }

  /** Number of bytes {@code value} takes as a varint (1 to 10). */
  public static int varintSize(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  private void rawVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      put((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    put((int) value);
  }

  private void put(int b) {
    current.write(b & 0xFF);
    size++;
  }

  private void flush() {
    if (current.size() > 0) {
      parts.add(current.toByteArray());
      current = new ByteArrayOutputStream();
    }
  }

  private record Blob(long length, BlobWriter writer) {}
}

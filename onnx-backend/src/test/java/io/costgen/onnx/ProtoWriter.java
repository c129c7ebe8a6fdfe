package io.costgen.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A tiny protobuf wire-format writer for hand-made ONNX test graphs. Not thread-safe. */
public final class ProtoWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public ProtoWriter varint(int field, long value) {
    tag(field, 0);
    rawVarint(value);
    return this;
  }

  public ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  public ProtoWriter message(int field, ProtoWriter nested) {
    return bytes(field, nested.toByteArray());
  }

  public ProtoWriter bytes(int field, byte[] value) {
    tag(field, 2);
    rawVarint(value.length);
    out.write(value, 0, value.length);
    return this;
  }


  /** A packed repeated varint field. */
  public ProtoWriter packed(int field, long... values) {
    ProtoWriter p = new ProtoWriter();
    for (long v : values) {
      p.rawVarint(v);
    }
    return bytes(field, p.toByteArray());
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wire) {
    rawVarint(((long) field << 3) | wire);
  }

  private void rawVarint(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}

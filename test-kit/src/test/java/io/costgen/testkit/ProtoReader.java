package io.costgen.testkit;

import io.costgen.onnx.graph.ProtoMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: a schema-less protobuf decoder, written separately from {@link ProtoMessage} so
 * the writer is checked against an independent reading of the wire format. Fields map to
 * lists of {@code Long} (varint), {@code Integer} (fixed32) or {@code byte[]} (length-delimited).
 */
final class ProtoReader {

  private final byte[] buf;
  private int pos;

  private ProtoReader(byte[] buf) {
    this.buf = buf;
  }

  static Map<Integer, List<Object>> parse(byte[] bytes) {
    ProtoReader r = new ProtoReader(bytes);
    Map<Integer, List<Object>> fields = new LinkedHashMap<>();
    while (r.pos < bytes.length) {
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      Object value;
      switch (wire) {
        case 0 -> value = r.varint();
        case 2 -> {
          int len = (int) r.varint();
          byte[] b = new byte[len];
          System.arraycopy(bytes, r.pos, b, 0, len);
          r.pos += len;
          value = b;
        }
        case 5 -> {
          int v = 0;
          for (int i = 0; i < 4; i++) {
            v |= (bytes[r.pos++] & 0xFF) << (8 * i);
          }
          value = v;
        }
        default -> throw new IllegalStateException("wire type " + wire + " at " + r.pos);
      }
      fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
    }
    return fields;
  }

  private long varint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalStateException("varint too long");
  }

  static List<Map<Integer, List<Object>>> messages(Map<Integer, List<Object>> m, int field) {
    List<Map<Integer, List<Object>>> out = new ArrayList<>();
    for (Object o : m.getOrDefault(field, List.of())) {
      out.add(parse((byte[]) o));
    }
    return out;
  }

  static String string(Map<Integer, List<Object>> m, int field) {
    List<Object> v = m.get(field);
    return v == null ? null : new String((byte[]) v.get(0), StandardCharsets.UTF_8);
  }

  static long varint(Map<Integer, List<Object>> m, int field) {
    return (Long) m.get(field).get(0);
  }
}

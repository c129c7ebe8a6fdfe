package io.costgen.core.chat.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON for chat templates: parsing into plain Java values (insertion-ordered maps) and writing
 * exactly as Python's {@code json.dumps(x, ensure_ascii=False, indent=…, separators=…,
 * sort_keys=…)} does, which is what transformers' {@code tojson} filter calls.
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private Json() {}

  /** Whether {@code text} is one JSON object. */
  public static boolean isObject(String text) {
    try {
      JsonNode n = MAPPER.readTree(text);
      return n != null && n.isObject();
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  /**
   * Parses JSON into Map (insertion order), List, String, Long/BigInteger, Double, Boolean or null.
   *
   * @throws IllegalArgumentException when {@code text} is not JSON
   */
  public static Object parse(String text) {
    try {
      JsonNode n = MAPPER.readTree(text);
      if (n == null || n.isMissingNode()) {
        throw new IllegalArgumentException("not JSON: empty text");
      }
      return toJava(n);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Plain Java value of a Jackson node (see {@link #parse}). */
  public static Object toJava(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isObject()) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        m.put(e.getKey(), toJava(e.getValue()));
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>(n.size());
      for (JsonNode c : n) {
        l.add(toJava(c));
      }
      return l;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      BigInteger b = n.bigIntegerValue();
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    return n.doubleValue();
  }

  /** Compact JSON ({@code separators=(",", ":")}), for tool-call arguments. */
  public static String compact(Object value) {
    return dumps(value, null, ",", ":", false);
  }

  /**
   * Python {@code json.dumps(value, ensure_ascii=False, indent=indent, separators=(itemSep,
   * keySep), sort_keys=sortKeys)}.
   *
   * @param indent null (one line), a number of spaces (Integer) or an indent string
   * @param itemSep null for Python's default ({@code ", "}, or {@code ","} with an indent)
   * @param keySep null for Python's default ({@code ": "})
   */
  public static String dumps(Object value, Object indent, String itemSep, String keySep, boolean sortKeys) {
    String ind = null;
    if (indent instanceof Number n) {
      ind = " ".repeat(Math.max(0, n.intValue()));
    } else if (indent != null) {
      ind = indent.toString();
    }
    String is = itemSep != null ? itemSep : (ind != null ? "," : ", ");
    String ks = keySep != null ? keySep : ": ";
    StringBuilder sb = new StringBuilder();
    write(sb, value, ind, is, ks, sortKeys, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, String ind, String is, String ks, boolean sort, int level) {
    v = PyValues.unwrap(v);
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof CharSequence s) {
      quote(sb, s.toString());
    } else if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      sb.append(PyValues.floatRepr(((Number) v).doubleValue(), true));
    } else if (v instanceof Number n) {
      sb.append(n.toString());
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      Iterable<? extends Map.Entry<?, ?>> entries = m.entrySet();
      if (sort) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          sorted.put(keyString(e.getKey()), e.getValue());
        }
        entries = sorted.entrySet();
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : entries) {
        if (!first) {
          sb.append(is);
        }
        first = false;
        newline(sb, ind, level + 1);
        quote(sb, keyString(e.getKey()));
        sb.append(ks);
        write(sb, e.getValue(), ind, is, ks, sort, level + 1);
      }
      newline(sb, ind, level);
      sb.append('}');
    } else if (v instanceof Collection<?> || v instanceof Iterable<?> || v.getClass().isArray()) {
      Iterator<?> it = PyValues.iterate(v).iterator();
      if (!it.hasNext()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      boolean first = true;
      while (it.hasNext()) {
        if (!first) {
          sb.append(is);
        }
        first = false;
        newline(sb, ind, level + 1);
        write(sb, it.next(), ind, is, ks, sort, level + 1);
      }
      newline(sb, ind, level);
      sb.append(']');
    } else {
      throw new IllegalArgumentException("Object of type " + PyValues.typeName(v) + " is not JSON serializable");
    }
  }

  private static String keyString(Object k) {
    k = PyValues.unwrap(k);
    if (k == null) {
      return "null";
    }
    if (k instanceof Boolean b) {
      return b ? "true" : "false";
    }
    if (k instanceof Double || k instanceof Float) {
      return PyValues.floatRepr(((Number) k).doubleValue(), true);
    }
    return k.toString();
  }

  private static void newline(StringBuilder sb, String ind, int level) {
    if (ind != null) {
      sb.append('\n');
      for (int i = 0; i < level; i++) {
        sb.append(ind);
      }
    }
  }

  /** Writes {@code s} as a JSON string, escaping as Python's {@code json} with ensure_ascii=False. */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        case '\n': sb.append("\\n"); break;
        case '\r': sb.append("\\r"); break;
        case '\t': sb.append("\\t"); break;
        case '\b': sb.append("\\b"); break;
        case '\f': sb.append("\\f"); break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}

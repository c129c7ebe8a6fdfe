package io.costgen.onnx.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Typed reads from JSON trees parsed into maps and lists. Stateless. */
final class Json {
  private Json() {}

  /** The nested object at {@code keys}, or an empty map when any level is missing. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> path(Map<String, Object> root, String... keys) {
    Map<String, Object> cur = root;
    for (String k : keys) {
      Object v = cur.get(k);
      if (!(v instanceof Map)) {
        return Map.of();
      }
      cur = (Map<String, Object>) v;
    }
    return cur;
  }

  /** The first of {@code keys} holding an integral number. */
  static OptionalInt integer(Map<String, Object> map, String... keys) {
    for (String k : keys) {
      Object v = map.get(k);
      if (v instanceof Number && isIntegral((Number) v)) {
        long l = ((Number) v).longValue();
        if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
          return OptionalInt.of((int) l);
        }
      }
    }
    return OptionalInt.empty();
  }

  /** The first of {@code keys} holding a string. */
  static Optional<String> string(Map<String, Object> map, String... keys) {
    for (String k : keys) {
      Object v = map.get(k);
      if (v instanceof String) {
        return Optional.of((String) v);
      }
    }
    return Optional.empty();
  }

  /** The first of {@code keys} holding a boolean. */
  static Optional<Boolean> bool(Map<String, Object> map, String... keys) {
    for (String k : keys) {
      Object v = map.get(k);
      if (v instanceof Boolean) {
        return Optional.of((Boolean) v);
      }
    }
    return Optional.empty();
  }

  /**
   * Token ids at {@code key}: a number, or a list of numbers (e.g. {@code eos_token_id}); empty
   * when absent or null.
   */
  static List<Long> ids(Map<String, Object> map, String key) {
    Object v = map.get(key);
    if (v instanceof Number && isIntegral((Number) v)) {
      return List.of(((Number) v).longValue());
    }
    if (v instanceof List) {
      List<Long> out = new ArrayList<>();
      for (Object o : (List<?>) v) {
        if (o instanceof Number && isIntegral((Number) o)) {
          out.add(((Number) o).longValue());
        }
      }
      return List.copyOf(out);
    }
    return List.of();
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
        || n instanceof java.math.BigInteger;
  }

  /**
   * A read-only deep copy without JSON nulls (dropped from objects; kept out of
   * {@code Map.copyOf}, which rejects them).
   */
  @SuppressWarnings("unchecked")
  static Object immutableCopy(Object v) {
    if (v instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
        if (e.getValue() != null) {
          out.put(e.getKey(), immutableCopy(e.getValue()));
        }
      }
      return Collections.unmodifiableMap(out);
    }
    if (v instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object o : (List<?>) v) {
        out.add(o == null ? null : immutableCopy(o));
      }
      return Collections.unmodifiableList(out);
    }
    return v;
  }
}

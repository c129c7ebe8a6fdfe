package io.costgen.core.chat.internal;

import com.hubspot.jinjava.objects.PyWrapper;
import com.hubspot.jinjava.objects.SafeString;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Python views of template values: type names, {@code str()}, {@code repr()}, float repr, iteration. */
public final class PyValues {
  private PyValues() {}

  /** The plain value behind Jinjava wrappers ({@code SafeString}, {@code PyList}, {@code PyMap}). */
  public static Object unwrap(Object v) {
    if (v instanceof SafeString s) {
      return s.getValue();
    }
    if (v instanceof com.hubspot.jinjava.objects.collections.PyList l) {
      return l.toList();
    }
    if (v instanceof com.hubspot.jinjava.objects.collections.PyMap m) {
      return m.toMap();
    }
    return v;
  }

  /** Python's type name of {@code v} ({@code str}, {@code int}, {@code NoneType}, …). */
  public static String typeName(Object v) {
    v = unwrap(v);
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof CharSequence) {
      return "str";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      return "float";
    }
    if (v instanceof Number) {
      return "int";
    }
    if (v instanceof Map<?, ?>) {
      return "dict";
    }
    if (v instanceof Collection<?> || v.getClass().isArray()) {
      return "list";
    }
    return v.getClass().getSimpleName();
  }

  /** The elements of a list-like value. */
  public static Iterable<?> iterate(Object v) {
    v = unwrap(v);
    if (v instanceof Iterable<?> it) {
      return it;
    }
    if (v != null && v.getClass().isArray()) {
      int n = Array.getLength(v);
      List<Object> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(Array.get(v, i));
      }
      return l;
    }
    throw new IllegalArgumentException("'" + typeName(v) + "' object is not iterable");
  }

  /** Python {@code repr(float)}; JSON spellings of non-finite values when {@code json}. */
  public static String floatRepr(double d, boolean json) {
    if (Double.isNaN(d)) {
      return json ? "NaN" : "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? (json ? "Infinity" : "inf") : (json ? "-Infinity" : "-inf");
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    double abs = Math.abs(d);
    if (abs >= 1e16 || abs < 1e-4) {
      String digits = bd.unscaledValue().abs().toString();
      int exp = digits.length() - 1 - bd.scale();
      StringBuilder sb = new StringBuilder();
      if (d < 0) {
        sb.append('-');
      }
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exp < 0 ? '-' : '+');
      int e = Math.abs(exp);
      if (e < 10) {
        sb.append('0');
      }
      sb.append(e);
      return sb.toString();
    }
    String plain = bd.toPlainString();
    return plain.contains(".") ? plain : plain + ".0";
  }

  /** Python {@code str(v)} (as Jinja's {@code ~} and {@code string} filter write it). */
  public static String str(Object v) {
    v = unwrap(v);
    if (v instanceof CharSequence s) {
      return s.toString();
    }
    return repr(v);
  }

  /** Python {@code repr(v)} for JSON-like values. */
  public static String repr(Object v) {
    v = unwrap(v);
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof CharSequence s) {
      return reprString(s.toString());
    }
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      return floatRepr(((Number) v).doubleValue(), false);
    }
    if (v instanceof Number n) {
      return n.toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
      }
      return sb.append('}').toString();
    }
    if (v instanceof Collection<?> || v.getClass().isArray()) {
      StringBuilder sb = new StringBuilder("[");
      boolean first = true;
      for (Object o : iterate(v)) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        sb.append(repr(o));
      }
      return sb.append(']').toString();
    }
    if (v instanceof PyWrapper) {
      return v.toString();
    }
    return v.toString();
  }

  private static String reprString(String s) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder().append(q);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == q || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append(q).toString();
  }
}

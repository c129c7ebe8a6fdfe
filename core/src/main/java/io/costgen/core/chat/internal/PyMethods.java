package io.costgen.core.chat.internal;

import com.hubspot.jinjava.objects.SafeString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} and {@code dict} methods that chat templates call ({@code .strip()},
 * {@code .split()}, {@code .startswith()}, {@code .endswith()}, {@code .upper()},
 * {@code .replace()}, {@code .get(key, default)}, …), as an EL resolver placed before Jinjava's
 * own (which would look for Java methods of the same name).
 */
final class PyMethods extends ELResolver {

  @Override
  public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (method == null) {
      return null;
    }
    Object b = base instanceof SafeString s ? s.getValue() : base;
    Object[] args = params == null ? new Object[0] : params;
    Object result;
    if (b instanceof String s) {
      result = stringMethod(s, method.toString(), args);
    } else if (b instanceof Map<?, ?> m) {
      result = mapMethod(m, method.toString(), args);
    } else {
      return null;
    }
    if (result == NOT_HANDLED) {
      return null;
    }
    context.setPropertyResolved(true);
    return result;
  }

  private static final Object NOT_HANDLED = new Object();

  private static Object mapMethod(Map<?, ?> m, String name, Object[] a) {
    if (name.equals("get") && (a.length == 1 || a.length == 2)) {
      Object v = m.get(PyValues.unwrap(a[0]));
      return v != null || m.containsKey(PyValues.unwrap(a[0])) ? v : (a.length == 2 ? a[1] : null);
    }
    return NOT_HANDLED;
  }

  private static Object stringMethod(String s, String name, Object[] a) {
    switch (name) {
      case "strip": return strip(s, arg(a, 0), true, true);
      case "lstrip": return strip(s, arg(a, 0), true, false);
      case "rstrip": return strip(s, arg(a, 0), false, true);
      case "upper": return s.toUpperCase(Locale.ROOT);
      case "lower": return s.toLowerCase(Locale.ROOT);
      case "title": return title(s);
      case "capitalize":
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
      case "startswith": return affix(s, a, true);
      case "endswith": return affix(s, a, false);
      case "split": return split(s, arg(a, 0), a.length > 1 ? ((Number) a[1]).intValue() : -1);
      case "splitlines": return List.of(s.split("\r\n|\r|\n", -1)).subList(0, lines(s));
      case "replace": {
        String old = str(a[0]);
        String neu = str(a[1]);
        int count = a.length > 2 ? ((Number) a[2]).intValue() : -1;
        return replace(s, old, neu, count);
      }
      case "find": return s.indexOf(str(a[0]));
      case "count": return countOf(s, str(a[0]));
      case "join": {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : PyValues.iterate(a[0])) {
          if (!first) {
            sb.append(s);
          }
          first = false;
          sb.append(str(o));
        }
        return sb.toString();
      }
      case "isdigit": return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      case "isalpha": return !s.isEmpty() && s.chars().allMatch(Character::isLetter);
      case "isspace": return !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
      case "islower": return s.chars().anyMatch(Character::isLetter) && s.equals(s.toLowerCase(Locale.ROOT));
      case "isupper": return s.chars().anyMatch(Character::isLetter) && s.equals(s.toUpperCase(Locale.ROOT));
      default: return NOT_HANDLED;
    }
  }

  private static String arg(Object[] a, int i) {
    return a.length > i && a[i] != null ? str(a[i]) : null;
  }

  private static String str(Object o) {
    return PyValues.str(o);
  }

  private static int lines(String s) {
    String[] parts = s.split("\r\n|\r|\n", -1);
    return parts.length > 0 && parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
  }

  /** Python's str.strip: whitespace, or any of {@code chars}. */
  static String strip(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end && stripped(s.charAt(start), chars)) {
      start++;
    }
    while (right && end > start && stripped(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean stripped(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0
        || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
  }

  private static boolean affix(String s, Object[] a, boolean start) {
    Object p = PyValues.unwrap(a[0]);
    if (p instanceof CharSequence) {
      return start ? s.startsWith(p.toString()) : s.endsWith(p.toString());
    }
    for (Object o : PyValues.iterate(p)) {
      if (start ? s.startsWith(str(o)) : s.endsWith(str(o))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> split(String s, String sep, int max) {
    List<String> out = new ArrayList<>();
    if (sep == null) {
      int i = 0;
      int n = s.length();
      while (true) {
        while (i < n && stripped(s.charAt(i), null)) {
          i++;
        }
        if (i >= n) {
          break;
        }
        if (max >= 0 && out.size() == max) {
          out.add(strip(s.substring(i), null, false, true));
          break;
        }
        int j = i;
        while (j < n && !stripped(s.charAt(j), null)) {
          j++;
        }
        out.add(s.substring(i, j));
        i = j;
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    int from = 0;
    while (max < 0 || out.size() < max) {
      int k = s.indexOf(sep, from);
      if (k < 0) {
        break;
      }
      out.add(s.substring(from, k));
      from = k + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  private static String replace(String s, String old, String neu, int count) {
    if (count < 0) {
      return s.replace(old, neu);
    }
    StringBuilder sb = new StringBuilder();
    int from = 0;
    for (int n = 0; n < count; n++) {
      int k = s.indexOf(old, from);
      if (k < 0) {
        break;
      }
      sb.append(s, from, k).append(neu);
      from = k + old.length();
      if (old.isEmpty()) {
        if (from < s.length()) {
          sb.append(s.charAt(from));
        }
        from++;
      }
    }
    if (from <= s.length()) {
      sb.append(s.substring(Math.min(from, s.length())));
    }
    return sb.toString();
  }

  private static int countOf(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1;
    }
    int n = 0;
    for (int k = s.indexOf(sub); k >= 0; k = s.indexOf(sub, k + sub.length())) {
      n++;
    }
    return n;
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean prevCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      prevCased = Character.isLetter(c);
    }
    return sb.toString();
  }

  // ---- not a property resolver ----

  /** Whether the last property read gave a key that is present with a null value (Python None). */
  private static final ThreadLocal<boolean[]> DEFINED_NULL = ThreadLocal.withInitial(() -> new boolean[1]);

  static void resetDefinedNull() {
    DEFINED_NULL.get()[0] = false;
  }

  static boolean lastWasDefinedNull() {
    return DEFINED_NULL.get()[0];
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    if (base instanceof com.hubspot.jinjava.util.ForLoop loop && property != null) {
      String p = property.toString();
      if (p.equals("previtem") || p.equals("nextitem")) {
        context.setPropertyResolved(true);
        return PyExtensions.loopNeighbour(loop, p.equals("previtem"));
      }
    }
    if (base instanceof Map<?, ?> m && !(base instanceof com.hubspot.jinjava.interpret.Context) && property != null) {
      DEFINED_NULL.get()[0] = m.containsKey(property) && m.get(property) == null;
    } else if (base instanceof Collection<?> || base instanceof CharSequence || base instanceof Number
        || base instanceof Boolean || base instanceof SafeString) {
      DEFINED_NULL.get()[0] = false; // reading an attribute of plain data that has none: Undefined
    }
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<java.beans.FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}

package io.costgen.core.chat.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.ForLoop;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The jinja2 filters, tests and loop features that Jinjava lacks or spells differently, added
 * through its extension points (registered by {@link JinjaEngine}).
 */
final class PyExtensions {
  /** Context key holding the list a {@code for} loop iterates (for {@code loop.previtem}/{@code nextitem}). */
  static final String LOOP_ITEMS = "__costgen_loop_items__";

  private PyExtensions() {}

  /** {@code trim(chars=None)}: Python's {@code str.strip} (U+00A0 and the other Unicode spaces too). */
  static final class Trim implements Filter {
    @Override
    public String getName() {
      return "trim";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      String chars = args.length > 0 ? args[0] : null;
      String text = var == null ? (PyMethods.lastWasDefinedNull() ? "None" : "") : PyValues.str(var);
      return PyMethods.strip(text, chars, true, true);
    }
  }

  /** {@code items}: a mapping's (key, value) pairs, in order (jinja2 3.1). */
  static final class Items implements Filter {
    @Override
    public String getName() {
      return "items";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      Object v = PyValues.unwrap(var);
      List<Map.Entry<Object, Object>> out = new ArrayList<>();
      if (v instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
      } else if (v != null) {
        throw new PyParser.TypeError("can only get item pairs from a mapping.");
      }
      return out;
    }
  }

  /** {@code is iterable}: lists, mappings, strings (as in Python). */
  static final class Iterable implements ExpTest {
    @Override
    public String getName() {
      return "iterable";
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
      Object v = PyValues.unwrap(var);
      if (v == null) {
        return !PyMethods.lastWasDefinedNull(); // jinja2's Undefined iterates (as empty); None does not
      }
      return v instanceof java.lang.Iterable<?> || v instanceof Map<?, ?> || v instanceof CharSequence
          || (v != null && v.getClass().isArray());
    }
  }

  /**
   * {@code for} as jinja2 runs it: {@code loop.previtem} and {@code loop.nextitem}, and variables
   * set in the loop body do not carry over to the next iteration.
   */
  static final class For extends ForTag {
    private static final long serialVersionUID = 1L;

    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars,
        Object collection) {
      Object c = PyValues.unwrap(collection);
      if (!(c instanceof Collection<?> col) || c instanceof Map<?, ?>) {
        return super.renderForCollection(tagNode, interpreter, loopVars, collection);
      }
      List<Object> items = new ArrayList<>(col);
      try (JinjavaInterpreter.InterpreterScopeClosable scope = interpreter.enterScope()) {
        interpreter.getContext().put(LOOP_ITEMS, items);
        return super.renderForCollection(tagNode, interpreter, loopVars, new IterationScopedList(items));
      }
    }
  }

  /** A list whose iterator clears the loop body's own variables before each item (jinja2 scoping). */
  private static final class IterationScopedList extends java.util.AbstractList<Object> {
    private final List<Object> items;

    IterationScopedList(List<Object> items) {
      this.items = items;
    }

    @Override
    public Object get(int index) {
      return items.get(index);
    }

    @Override
    public int size() {
      return items.size();
    }

    @Override
    public java.util.Iterator<Object> iterator() {
      java.util.Iterator<Object> it = items.iterator();
      return new java.util.Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Object next() {
          JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
          if (interpreter != null) {
            Map<String, Object> local = interpreter.getContext().getScope();
            local.keySet().removeIf(k -> !k.equals("loop") && !k.equals(LOOP_ITEMS));
          }
          return it.next();
        }
      };
    }
  }

  /** {@code loop.previtem} / {@code loop.nextitem} of the innermost loop, or null. */
  static Object loopNeighbour(ForLoop loop, boolean previous) {
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    if (interpreter == null || !(interpreter.getContext().get(LOOP_ITEMS) instanceof List<?> items)) {
      return null;
    }
    int i = loop.getIndex0() + (previous ? -1 : 1);
    return i >= 0 && i < items.size() ? items.get(i) : null;
  }
}

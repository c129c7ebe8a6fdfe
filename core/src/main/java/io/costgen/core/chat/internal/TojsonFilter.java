package io.costgen.core.chat.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;

/**
 * {@code tojson} as transformers defines it: {@code json.dumps(x, ensure_ascii=False,
 * indent=indent, separators=separators, sort_keys=sort_keys)} — no HTML escaping, keys in their
 * given order.
 */
final class TojsonFilter implements Filter {

  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
    return filter(var, interpreter, args, Map.of());
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : (args.length > 0 ? args[0] : null);
    Object separators = kwargs.get("separators");
    Object sortKeys = kwargs.get("sort_keys");
    String itemSep = null;
    String keySep = null;
    if (separators != null) {
      java.util.Iterator<?> it = PyValues.iterate(separators).iterator();
      itemSep = PyValues.str(it.next());
      keySep = PyValues.str(it.next());
    }
    return Json.dumps(var, indent, itemSep, keySep, Boolean.TRUE.equals(sortKeys));
  }
}

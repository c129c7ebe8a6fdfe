package io.costgen.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a Hugging Face {@code generation_config.json} (as parsed JSON: Jackson's
 * Integer/Long/Double/Boolean/String/List/Map) into a {@link GenerationConfig}: each key is
 * looked up in {@link GenerationConfig.Field}, its value read with the row's JSON reader and set
 * through the builder (so the builder's range checks and messages apply). Stateless.
 */
final class HuggingFaceGenerationConfig {
  private HuggingFaceGenerationConfig() {}

  /** Reads a JSON value for one key; throws {@link IllegalArgumentException} naming the key. */
  @FunctionalInterface
  interface Reader {
    Object read(String key, Object value);
  }

  /** See {@link GenerationConfig#fromHuggingFace(Map)} for the rules. */
  static GenerationConfig read(Map<String, ?> json) {
    Objects.requireNonNull(json, "json");
    GenerationConfig.Builder b = GenerationConfig.builder();
    for (Map.Entry<String, ?> e : json.entrySet()) {
      Object v = e.getValue();
      String key = e.getKey();
      GenerationConfig.Field f = GenerationConfig.Field.byHuggingFaceName(key);
      if (v == null) {
        if (f == GenerationConfig.Field.TOP_K) {
          b.topK(0); // transformers: top_k=None disables the top-k warper
        }
        continue;
      }
      if (f == null) {
        UnsupportedKeys.check(key, v);
        continue;
      }
      Object value = f.json.read(key, v);
      if (f == GenerationConfig.Field.MAX_LENGTH && (Integer) value == GenerationConfig.DEFAULT_MAX_LENGTH) {
        continue; // Hugging Face treats the global default as unset (_prepare_generated_length)
      }
      b.set(f, value);
    }
    return b.build();
  }

  // ---- JSON value coercion ----

  static Object intValue(String key, Object v) {
    long l = (Long) longValue(key, v);
    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + ": " + v + " does not fit in an int");
    }
    return (int) l;
  }

  static Object longValue(String key, Object v) {
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (n instanceof Double || n instanceof Float) {
        if (d != Math.rint(d) || Double.isInfinite(d)) {
          throw new IllegalArgumentException(key + ": " + v + " is not an integer");
        }
        return (long) d;
      }
      return n.longValue();
    }
    throw new IllegalArgumentException(key + ": " + v + " is not an integer");
  }

  static Object doubleValue(String key, Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a number");
  }

  static Object boolValue(String key, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a boolean");
  }

  static Object earlyStopping(String key, Object v) {
    return EarlyStopping.fromHuggingFace(v);
  }

  /** Seconds, finite and > 0. */
  static Object seconds(String key, Object v) {
    double seconds = (Double) doubleValue(key, v);
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("maxTime (" + key + "): " + seconds + " seconds must be finite and > 0");
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  /** A {@code [start_index, decay_factor]} pair. */
  static Object decayPair(String key, Object v) {
    if (!(v instanceof List<?> pair) || pair.size() != 2) {
      throw new IllegalArgumentException(key + ": " + v + " is not a [start_index, decay_factor] pair");
    }
    return new ExponentialDecayLengthPenalty((Integer) intValue(key, pair.get(0)),
        (Double) doubleValue(key, pair.get(1)));
  }

  static Object longList(String key, Object v) {
    return longs(key, v);
  }

  private static List<Long> longs(String key, Object v) {
    if (v instanceof Number) {
      return List.of((Long) longValue(key, v));
    }
    if (v instanceof List<?> list) {
      List<Long> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add((Long) longValue(key, o));
      }
      return out;
    }
    throw new IllegalArgumentException(key + ": " + v + " is neither an integer nor a list of integers");
  }

  /** {@code [[ids], bias]} pairs (transformers' serialized form) or {@code {"[1, 2]": bias}} / {@code {"(1, 2)": bias}}. */
  static Object sequenceBias(String key, Object v) {
    Map<List<Long>, Double> out = new LinkedHashMap<>();
    if (v instanceof List<?> list) {
      for (Object o : list) {
        if (!(o instanceof List<?> pair) || pair.size() != 2) {
          throw new IllegalArgumentException(key + ": " + v + " is not a list of [[token ids], bias] pairs");
        }
        out.put(longs(key, pair.get(0)), (Double) doubleValue(key, pair.get(1)));
      }
      return out;
    }
    if (v instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = String.valueOf(e.getKey()).trim().replaceAll("^[\\[(]|[\\])]$", "");
        List<Long> ids = new ArrayList<>();
        for (String part : k.split(",")) {
          if (!part.isBlank()) {
            try {
              ids.add(Long.parseLong(part.trim()));
            } catch (NumberFormatException ex) {
              throw new IllegalArgumentException(key + ": key " + e.getKey() + " is not a list of token ids");
            }
          }
        }
        out.put(ids, (Double) doubleValue(key, e.getValue()));
      }
      return out;
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a list of [[token ids], bias] pairs");
  }

  static Object nestedLongLists(String key, Object v) {
    if (!(v instanceof List<?> list)) {
      throw new IllegalArgumentException(key + ": " + v + " is not a list of lists of integers");
    }
    List<List<Long>> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof List<?>)) {
        throw new IllegalArgumentException(key + ": " + v + " is not a list of lists of integers");
      }
      out.add(longs(key, o));
    }
    return out;
  }

  static Object stringList(String key, Object v) {
    if (v instanceof String s) {
      return List.of(s);
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>(list.size());
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new IllegalArgumentException(key + ": " + v + " is not a string or a list of strings");
        }
        out.add(s);
      }
      return out;
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a string or a list of strings");
  }
}

package io.costgen.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoublePredicate;

/**
 * The range checks of {@link GenerationConfig.Field}s: each returns the value to store
 * (immutable copies of lists and maps) or throws {@link IllegalArgumentException} naming the field
 * as {@code javaName (hf_name)}, the value and the allowed range. Stateless.
 */
final class GenerationConfigChecks {
  private GenerationConfigChecks() {}

  /** Checks and normalizes one field's value. */
  @FunctionalInterface
  interface Check {
    Object apply(GenerationConfig.Field field, Object value);
  }

  /** Any value of the field's type. */
  static Check any() {
    return (f, v) -> Objects.requireNonNull(v, f.javaName);
  }

  /** An integer >= {@code min}. */
  static Check atLeast(long min) {
    return (f, v) -> {
      long value = ((Number) v).longValue();
      if (value < min) {
        throw new IllegalArgumentException(f.label() + ": " + value + " is outside the allowed range [" + min
            + ", " + Integer.MAX_VALUE + "]");
      }
      return v;
    };
  }

  /** A double for which {@code ok} holds; {@code range} describes it in the error. */
  static Check range(DoublePredicate ok, String range) {
    return (f, v) -> {
      double d = (Double) v;
      if (!ok.test(d)) {
        throw new IllegalArgumentException(f.label() + ": " + d + " is outside the allowed range " + range);
      }
      return v;
    };
  }

  static Check finite() {
    return (f, v) -> {
      double d = (Double) v;
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException(f.label() + ": " + d + " must be finite");
      }
      return v;
    };
  }

  /** A token id >= 0. */
  static Check tokenId() {
    return (f, v) -> {
      long id = (Long) v;
      if (id < 0) {
        throw new IllegalArgumentException(f.label() + ": " + id + " must be >= 0");
      }
      return v;
    };
  }

  /** Token ids, each >= 0 ({@code "token id N must be >= 0"}). */
  static Check tokenIds() {
    return (f, v) -> nonNegativeIds(f.label(), ids(f, v));
  }

  /** End-of-sequence ids, each >= 0 ({@code "N must be >= 0"}). */
  static Check eosIds() {
    return (f, v) -> {
      List<Long> copy = ids(f, v);
      for (Long id : copy) {
        if (id < 0) {
          throw new IllegalArgumentException(f.label() + ": " + id + " must be >= 0");
        }
      }
      return copy;
    };
  }

  /** Banned token sequences, each non-empty with ids >= 0. */
  static Check tokenSequences() {
    return (f, v) -> {
      List<?> sequences = (List<?>) Objects.requireNonNull(v, f.javaName);
      List<List<Long>> copy = new ArrayList<>(sequences.size());
      for (int i = 0; i < sequences.size(); i++) {
        List<Long> seq = ids(f, sequences.get(i));
        if (seq.isEmpty()) {
          throw new IllegalArgumentException(f.label() + "[" + i + "]: must not be empty");
        }
        for (Long id : seq) {
          if (id < 0) {
            throw new IllegalArgumentException(f.label() + "[" + i + "]: token id " + id + " must be >= 0");
          }
        }
        copy.add(seq);
      }
      return List.copyOf(copy);
    };
  }

  /** Non-empty texts. */
  static Check nonEmptyTexts() {
    return (f, v) -> {
      List<String> copy = List.copyOf(texts(f, v));
      for (int i = 0; i < copy.size(); i++) {
        if (copy.get(i).isEmpty()) {
          throw new IllegalArgumentException(f.label() + "[" + i + "]: must not be empty");
        }
      }
      return copy;
    };
  }

  /** A duration > 0. */
  static Check positiveDuration() {
    return (f, v) -> {
      Duration d = (Duration) Objects.requireNonNull(v, f.javaName);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(f.label() + ": " + d + " must be > 0");
      }
      return d;
    };
  }

  /** Score biases per token sequence (each non-empty, ids >= 0; biases finite). */
  static Check biases() {
    return (f, v) -> {
      Map<?, ?> biases = (Map<?, ?>) Objects.requireNonNull(v, f.javaName);
      Map<List<Long>, Double> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : biases.entrySet()) {
        List<Long> seq = nonNegativeIds(f.label() + " key", ids(f, e.getKey()));
        if (seq.isEmpty()) {
          throw new IllegalArgumentException(f.label() + ": a token sequence must not be empty");
        }
        Double bias = (Double) e.getValue();
        if (bias == null || bias.isNaN() || bias.isInfinite()) {
          throw new IllegalArgumentException(f.label() + " " + seq + ": bias " + bias + " must be finite");
        }
        copy.put(seq, bias);
      }
      return Collections.unmodifiableMap(copy);
    };
  }

  private static List<Long> nonNegativeIds(String label, List<Long> ids) {
    for (Long id : ids) {
      if (id < 0) {
        throw new IllegalArgumentException(label + ": token id " + id + " must be >= 0");
      }
    }
    return ids;
  }

  @SuppressWarnings("unchecked")
  private static List<Long> ids(GenerationConfig.Field f, Object v) {
    return List.copyOf((List<Long>) Objects.requireNonNull(v, f.javaName));
  }

  @SuppressWarnings("unchecked")
  private static List<String> texts(GenerationConfig.Field f, Object v) {
    return (List<String>) Objects.requireNonNull(v, f.javaName);
  }
}

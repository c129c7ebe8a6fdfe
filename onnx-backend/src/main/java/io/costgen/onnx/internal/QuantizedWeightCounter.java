package io.costgen.onnx.internal;

import io.costgen.cost.DType;
import io.costgen.onnx.internal.OnnxProtoScanner.ElementType;
import io.costgen.onnx.internal.OnnxProtoScanner.Initializer;
import io.costgen.onnx.internal.OnnxProtoScanner.InitializerSummary;
import io.costgen.onnx.internal.OnnxProtoScanner.QuantizationNode;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Tells the initializers of a model apart by the role the quantization nodes give them, so that
 * quantized formats are counted exactly:
 *
 * <ul>
 *   <li>{@code com.microsoft.MatMulNBits} (attributes {@code K}, {@code N}, {@code bits},
 *       {@code block_size}): input 1 is the packed weight {@code uint8 [N, ceil(K/block_size),
 *       block_size·bits/8]}, {@code K·N} logical parameters of {@code bits} bits; input 2 the
 *       scales and input 3 the optional zero points (packed {@code uint8} or the scales' type)
 *       are overhead; input 5 (bias) is an ordinary parameter.
 *   <li>{@code DequantizeLinear} whose input 0 is an int8/uint8/int4/uint4 initializer: that
 *       tensor's elements are logical parameters of 8 or 4 bits; inputs 1 (scale) and 2 (zero
 *       point), per tensor or per axis, are overhead.
 *   <li>{@code com.microsoft.GatherBlockQuantized} (attribute {@code bits}, default 4): input 0 is
 *       the data, {@code 8/bits} logical elements per stored {@code uint8} (int4/uint4 tensors
 *       hold one element each); inputs 2 (scales) and 3 (zero points) are overhead.
 * </ul>
 *
 * <p>Every other weight-like initializer counts its own elements and stored bytes. Stored bytes
 * are the initializers' dimensions × element size, so padding of a partial last block counts.
 * Names are matched across sub-graphs (both branches of a merged decoder use the same weights);
 * each initializer is counted once. Stateless and thread-safe.
 */
public final class QuantizedWeightCounter {

  private QuantizedWeightCounter() {}

  /** The roles found for the initializers of {@code summary}. */
  public static Roles roles(InitializerSummary summary) {
    Map<String, Initializer> byName = new HashMap<>();
    for (Initializer w : summary.weights()) {
      if (!w.name().isEmpty()) {
        byName.putIfAbsent(w.name(), w);
      }
    }
    Map<String, Long> logical = new HashMap<>();
    Map<String, DType> quantizedType = new HashMap<>();
    Set<String> overhead = new HashSet<>();
    for (QuantizationNode n : summary.quantizationNodes()) {
      switch (n.opType()) {
        case "MatMulNBits" -> {
          Initializer b = byName.get(n.input(1));
          if (b != null && n.intAttributes().containsKey("K") && n.intAttributes().containsKey("N")) {
            long bits = n.attribute("bits", 4);
            logical.put(b.name(), Math.multiplyExact(n.attribute("K", 0), n.attribute("N", 0)));
            quantizedType.put(b.name(), bits <= 4 ? DType.INT4 : DType.INT8);
          }
          markOverhead(byName, overhead, n.input(2), n.input(3));
        }
        case "DequantizeLinear" -> {
          Initializer x = byName.get(n.input(0));
          if (x != null && (x.type() == ElementType.INT8 || x.type() == ElementType.INT4)) {
            logical.put(x.name(), x.elements());
            quantizedType.put(x.name(), x.type() == ElementType.INT4 ? DType.INT4 : DType.INT8);
            markOverhead(byName, overhead, n.input(1), n.input(2));
          }
        }
        case "GatherBlockQuantized" -> {
          Initializer data = byName.get(n.input(0));
          if (data != null) {
            long bits = n.attribute("bits", 4);
            long perStored = data.type() == ElementType.INT8 && bits == 4 ? 2 : 1;
            logical.put(data.name(), Math.multiplyExact(data.elements(), perStored));
            quantizedType.put(data.name(), bits <= 4 ? DType.INT4 : DType.INT8);
          }
          markOverhead(byName, overhead, n.input(2), n.input(3));
        }
        default -> { }
      }
    }
    overhead.removeAll(logical.keySet());
    return new Roles(logical, quantizedType, overhead);
  }

  private static void markOverhead(Map<String, Initializer> byName, Set<String> overhead,
      String... names) {
    for (String name : names) {
      if (!name.isEmpty() && byName.containsKey(name)) {
        overhead.add(name);
      }
    }
  }

  /**
   * The roles of named initializers: quantized weights (with their logical element count and
   * storage class) and quantization overhead (scales, zero points).
   */
  public record Roles(Map<String, Long> logicalElements, Map<String, DType> quantizedTypes,
      Set<String> overhead) {

    public Roles {
      logicalElements = Map.copyOf(logicalElements);
      quantizedTypes = Map.copyOf(quantizedTypes);
      overhead = Set.copyOf(overhead);
    }

    /** Whether {@code w} is a quantization scale or zero point. */
    public boolean isOverhead(Initializer w) {
      return overhead.contains(w.name());
    }

    /** Whether {@code w} holds quantized weights. */
    public boolean isQuantized(Initializer w) {
      return logicalElements.containsKey(w.name());
    }

    /** Logical parameters of {@code w}: its dequantized elements when quantized, else its elements. */
    public long parameters(Initializer w) {
      return logicalElements.getOrDefault(w.name(), w.elements());
    }

    /** The storage class of {@code w}'s parameters. */
    public DType dtype(Initializer w) {
      DType q = quantizedTypes.get(w.name());
      return q != null ? q : ModelInfoFactory.dtype(w.type());
    }

    /** Parameters per storage class over {@code weights} that count as parameters. */
    public Map<DType, Long> parametersByType(Iterable<Initializer> weights) {
      Map<DType, Long> out = new EnumMap<>(DType.class);
      for (Initializer w : weights) {
        out.merge(dtype(w), parameters(w), Long::sum);
      }
      return out;
    }
  }
}

package io.costgen.onnx.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small builder of ONNX {@code GraphProto}s: nodes in topological order (the order they are
 * added), graph inputs and outputs, and initializers described by {@link TensorSpec} (their
 * bytes are produced only when the model is written).
 *
 * <p>Field numbers follow onnx.proto (ONNX IR version 8): GraphProto node=1, name=2,
 * initializer=5, input=11, output=12; NodeProto input=1, output=2, name=3, op_type=4,
 * attribute=5; AttributeProto name=1, f=2, i=3, g=6, floats=7, ints=8, type=20;
 * ValueInfoProto name=1, type=2; TypeProto tensor_type=1; TypeProto.Tensor elem_type=1,
 * shape=2; TensorShapeProto dim=1; Dimension dim_value=1, dim_param=2.
 *
 * <p>A subgraph (the branch of an {@code If}) shares its root's initializers and constant pool:
 * they live in the root graph and are visible to the branch as outer-scope values, so
 * weights are stored once. Value names get the graph's prefix so they stay unique across
 * the whole model (ONNX requires SSA names across nested graphs). Not thread-safe.
 */
public final class OnnxGraph {

  /** An ONNX node attribute. {@code AttributeType}: FLOAT=1, INT=2, GRAPH=5, FLOATS=6, INTS=7. */
  public record Attr(String name, int type, Object value) {
    public static Attr i(String name, long value) {
      return new Attr(name, 2, value);
    }

    public static Attr f(String name, float value) {
      return new Attr(name, 1, value);
    }

    public static Attr ints(String name, long... values) {
      return new Attr(name, 7, values.clone());
    }

    public static Attr graph(String name, ProtoMessage graph) {
      return new Attr(name, 5, graph);
    }

    public ProtoMessage encode() {
      ProtoMessage m = new ProtoMessage().string(1, name).varint(20, type);
      switch (type) {
        case 1 -> m.float32(2, (Float) value);
        case 2 -> m.varint(3, (Long) value);
        case 5 -> m.message(6, (ProtoMessage) value);
        case 7 -> {
          for (long v : (long[]) value) {
            m.varint(8, v); // proto2 "repeated int64 ints = 8" is not packed
          }
        }
        default -> throw new IllegalStateException("attribute type " + type);
      }
      return m;
    }
  }

  private final String name;
  private final String prefix;
  private final OnnxGraph root;
  private final List<ProtoMessage> nodes = new ArrayList<>();
  private final List<ProtoMessage> inputs = new ArrayList<>();
  private final List<ProtoMessage> outputs = new ArrayList<>();
  private final Map<String, TensorSpec> initializers; // shared with subgraphs
  private final Map<String, String> constantsByContent; // shared with subgraphs
  private int counter;
  private final java.util.Set<String> domains = new java.util.LinkedHashSet<>();

  /** A root graph. */
  public OnnxGraph(String name) {
    this.name = name;
    this.prefix = "";
    this.root = this;
    this.initializers = new LinkedHashMap<>();
    this.constantsByContent = new LinkedHashMap<>();
  }

  private OnnxGraph(String name, String prefix, OnnxGraph root) {
    this.name = name;
    this.prefix = prefix;
    this.root = root;
    this.initializers = root.initializers;
    this.constantsByContent = root.constantsByContent;
  }

  /** A subgraph whose value names start with {@code prefix}; initializers go to the root. */
  public OnnxGraph subgraph(String subgraphName, String valuePrefix) {
    return new OnnxGraph(subgraphName, valuePrefix, root);
  }

  /** Registers an initializer; returns its name. */
  public String initializer(TensorSpec tensor) {
    TensorSpec previous = initializers.putIfAbsent(tensor.name(), tensor);
    if (previous != null && previous != tensor) {
      throw new IllegalStateException("duplicate initializer " + tensor.name());
    }
    return tensor.name();
  }

  /** A 1-D int64 constant (deduplicated by content); returns its name. */
  public String longs(long... values) {
    return constant("i64" + Arrays.toString(values), () -> TensorSpec.longConstant(
        "const.i64." + constantsByContent.size(), new long[] {values.length}, values));
  }

  /** A scalar int64 constant. */
  public String longScalar(long value) {
    return constant("i64 " + value, () -> TensorSpec.longConstant(
        "const.i64s." + constantsByContent.size(), new long[0], value));
  }

  /** A scalar float constant. */
  public String floatScalar(float value) {
    return constant("f32 " + Float.floatToRawIntBits(value), () -> TensorSpec.floatConstant(
        "const.f32s." + constantsByContent.size(), new long[0], value));
  }

  /** A 1-D float constant that is not a parameter (e.g. RoPE inverse frequencies). */
  public String floats(String tensorName, float... values) {
    if (initializers.containsKey(tensorName)) {
      return tensorName;
    }
    return initializer(
        TensorSpec.floatConstant(tensorName, new long[] {values.length}, values));
  }

  private String constant(String key, java.util.function.Supplier<TensorSpec> make) {
    String existing = constantsByContent.get(key);
    if (existing != null) {
      return existing;
    }
    TensorSpec spec = make.get();
    constantsByContent.put(key, spec.name());
    return initializer(spec);
  }

  /** Adds a node with one output; returns the output's name. */
  public String op(String opType, List<String> in, Attr... attrs) {
    return ops(opType, 1, in, attrs)[0];
  }

  /** Adds a node with {@code outputCount} outputs; returns their names. */
  public String[] ops(String opType, int outputCount, List<String> in, Attr... attrs) {
    String nodeName = prefix + opType + "_" + counter++;
    String[] out = new String[outputCount];
    for (int i = 0; i < outputCount; i++) {
      out[i] = nodeName + (outputCount == 1 ? "" : ":" + i);
    }
    node(opType, nodeName, in, List.of(out), attrs);
    return out;
  }

  /**
   * Adds a node of operator {@code opType} from operator set {@code domain} (e.g.
   * {@code "com.microsoft"} for ONNX Runtime's contrib ops such as {@code MatMulNBits}) with one
   * output; the model imports that domain at version 1. Returns the output's name.
   */
  public String opIn(String domain, String opType, List<String> in, Attr... attrs) {
    String nodeName = prefix + opType + "_" + counter++;
    node(domain, opType, nodeName, in, List.of(nodeName), attrs);
    root.domains.add(domain);
    return nodeName;
  }

  /** Non-default operator-set domains the graph's nodes use (imported at version 1). */
  public java.util.Set<String> domains() {
    return java.util.Collections.unmodifiableSet(root.domains);
  }

  /** Adds a node with explicitly named outputs (used for graph outputs). */
  public void node(String opType, String nodeName, List<String> in, List<String> out, Attr... attrs) {
    node("", opType, nodeName, in, out, attrs);
  }

  private void node(String domain, String opType, String nodeName, List<String> in,
      List<String> out, Attr... attrs) {
    ProtoMessage n = new ProtoMessage();
    for (String i : in) {
      n.string(1, i);
    }
    for (String o : out) {
      n.string(2, o);
    }
    n.string(3, nodeName).string(4, opType);
    for (Attr a : attrs) {
      n.message(5, a.encode());
    }
    if (!domain.isEmpty()) {
      n.string(7, domain); // NodeProto.domain
    }
    nodes.add(n);
  }

  /** Declares a graph input. Each dim is a {@link Long} (fixed) or a {@link String} (symbolic). */
  public void input(String valueName, TensorSpec.ElementType type, Object... dims) {
    inputs.add(valueInfo(valueName, type, dims));
  }

  /** Declares a graph output named {@code outputName}, fed from {@code value} by an Identity. */
  public void output(String outputName, String value, TensorSpec.ElementType type, Object... dims) {
    node("Identity", prefix + "output_" + counter++, List.of(value), List.of(outputName));
    outputs.add(valueInfo(outputName, type, dims));
  }

  /** Initializers registered so far (root and every subgraph), in registration order. */
  public List<TensorSpec> initializers() {
    return List.copyOf(initializers.values());
  }

  /**
   * Encodes the graph. {@code initializerEncoder} turns each initializer into its
   * {@code TensorProto}; pass {@code null} for a subgraph (its initializers live in the root).
   */
  public ProtoMessage encode(java.util.function.Function<TensorSpec, ProtoMessage> initializerEncoder) {
    ProtoMessage g = new ProtoMessage();
    for (ProtoMessage n : nodes) {
      g.message(1, n);
    }
    g.string(2, name);
    if (initializerEncoder != null) {
      for (TensorSpec t : initializers.values()) {
        g.message(5, initializerEncoder.apply(t));
      }
    }
    for (ProtoMessage i : inputs) {
      g.message(11, i);
    }
    for (ProtoMessage o : outputs) {
      g.message(12, o);
    }
    return g;
  }

  private static ProtoMessage valueInfo(String name, TensorSpec.ElementType type, Object... dims) {
    ProtoMessage shape = new ProtoMessage();
    for (Object d : dims) {
      ProtoMessage dim = new ProtoMessage();
      if (d instanceof String param) {
        dim.string(2, param);
      } else {
        dim.varint(1, ((Number) d).longValue());
      }
      shape.message(1, dim);
    }
    ProtoMessage tensorType = new ProtoMessage().varint(1, type.onnxCode).message(2, shape);
    ProtoMessage typeProto = new ProtoMessage().message(1, tensorType);
    return new ProtoMessage().string(1, name).message(2, typeProto);
  }
}

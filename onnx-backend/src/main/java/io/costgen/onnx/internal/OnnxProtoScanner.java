package io.costgen.onnx.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal, read-only walker of the protobuf wire format of an ONNX {@code ModelProto}: it
 * visits {@code ModelProto.graph (7) → GraphProto.initializer (5) → TensorProto.dims (1),
 * data_type (2)}, recursing into sub-graphs of node attributes (the branches of an {@code If}
 * node in merged decoders), and sums the element counts of weight-like initializers. It also
 * records the nodes that consume quantized weights ({@link #QUANTIZATION_OPS}: their operator,
 * domain, input names and integer attributes), so that packed codes, scales and zero points can
 * be told apart (see {@link QuantizedWeightCounter}).
 *
 * <p>Field numbers come from {@code onnx/onnx.proto3} (ONNX IR version 3 and later). Tensor
 * payloads ({@code raw_data}, typed data fields) are skipped by length, never copied, and
 * external-data files are not opened: the dimensions are in the model file itself.
 *
 * <p>Stateless and thread-safe.
 */
public final class OnnxProtoScanner {

  // ModelProto
  private static final int MODEL_GRAPH = 7;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_SPARSE_INITIALIZER = 15;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int NODE_DOMAIN = 7;
  // AttributeProto
  private static final int ATTRIBUTE_NAME = 1;
  private static final int ATTRIBUTE_I = 3;
  private static final int ATTRIBUTE_G = 6;
  private static final int ATTRIBUTE_GRAPHS = 11;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  // SparseTensorProto
  private static final int SPARSE_DIMS = 3;
  private static final int SPARSE_VALUES = 1;

  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LEN = 2;
  private static final int WIRE_FIXED32 = 5;

  private static final int MAX_DEPTH = 64;

  /**
   * Operators whose weight inputs are quantized: {@code DequantizeLinear} (QDQ, default domain),
   * {@code com.microsoft.MatMulNBits} and {@code com.microsoft.GatherBlockQuantized}.
   */
  public static final java.util.Set<String> QUANTIZATION_OPS =
      java.util.Set.of("DequantizeLinear", "MatMulNBits", "GatherBlockQuantized");

  private OnnxProtoScanner() {}

  /**
   * Element type of an ONNX tensor ({@code TensorProto.DataType}), grouped the way a parameter
   * count needs them.
   */
  public enum ElementType {
    FLOAT32, FLOAT16, BFLOAT16, FLOAT64, FLOAT8, INT8, INT4, INTEGER, OTHER;

    /** Whether tensors of this type hold weights (as opposed to shapes, indices, flags). */
    public boolean isWeight() {
      return this != INTEGER && this != OTHER;
    }

    /** Bits per stored element of a weight type (0 for {@link #INTEGER} and {@link #OTHER}). */
    public int bits() {
      switch (this) {
        case FLOAT32: return 32;
        case FLOAT16: case BFLOAT16: return 16;
        case FLOAT64: return 64;
        case FLOAT8: case INT8: return 8;
        case INT4: return 4;
        default: return 0;
      }
    }

    static ElementType of(int onnxDataType) {
      switch (onnxDataType) {
        case 1: return FLOAT32;
        case 10: return FLOAT16;
        case 16: return BFLOAT16;
        case 11: return FLOAT64;
        case 17: case 18: case 19: case 20: return FLOAT8;
        case 2: case 3: return INT8;   // UINT8, INT8 (quantized weights and zero points)
        case 21: case 22: return INT4; // UINT4, INT4
        case 4: case 5: case 6: case 7: case 12: case 13: return INTEGER;
        default: return OTHER;         // STRING, BOOL, COMPLEX, FLOAT4, undefined
      }
    }
  }

  /**
   * What the initializers of a model hold.
   *
   * @param parameterCount elements of weight-like initializers (float, float16, bfloat16,
   *     float8, int8/uint8, int4/uint4; integer shape constants, booleans and strings excluded)
   * @param elementsByType elements per {@link ElementType}, all initializers
   * @param weights every weight-like initializer, in file order
   * @param quantizationNodes the nodes of {@link #QUANTIZATION_OPS} (all sub-graphs), in file order
   */
  public record InitializerSummary(
      long parameterCount, Map<ElementType, Long> elementsByType, List<Initializer> weights,
      List<QuantizationNode> quantizationNodes) {

    public InitializerSummary {
      elementsByType = Collections.unmodifiableMap(new EnumMap<>(elementsByType));
      weights = List.copyOf(weights);
      quantizationNodes = List.copyOf(quantizationNodes);
    }

    /** A summary without quantization nodes. */
    public InitializerSummary(
        long parameterCount, Map<ElementType, Long> elementsByType, List<Initializer> weights) {
      this(parameterCount, elementsByType, weights, List.of());
    }

    /** The weight type holding the most elements, or {@link ElementType#FLOAT32} when none. */
    public ElementType dominantWeightType() {
      ElementType best = ElementType.FLOAT32;
      long bestCount = -1;
      for (Map.Entry<ElementType, Long> e : elementsByType.entrySet()) {
        if (e.getKey().isWeight() && e.getValue() > bestCount) {
          best = e.getKey();
          bestCount = e.getValue();
        }
      }
      return best;
    }
  }

  /**
   * One weight-like initializer: its name ({@code TensorProto.name}, field 8; may be empty),
   * element type and dimensions.
   */
  public record Initializer(String name, ElementType type, long[] dims) {

    /** Number of elements (the product of the dimensions; 1 for a scalar). */
    public long elements() {
      long n = 1;
      for (long d : dims) {
        n *= d;
      }
      return n;
    }

    /**
     * Stored bytes of the values: elements × {@link ElementType#bits()} / 8, rounded up (ONNX
     * packs int4/uint4 two to a byte).
     */
    public long bytes() {
      return (elements() * type.bits() + 7) / 8;
    }
  }

  /**
   * A node that consumes quantized weights.
   *
   * @param opType {@code NodeProto.op_type}
   * @param domain {@code NodeProto.domain} ("" for the default ONNX domain)
   * @param inputs input value names in order ("" for an omitted optional input)
   * @param intAttributes the node's integer attributes by name (e.g. K, N, bits, block_size)
   */
  public record QuantizationNode(String opType, String domain, List<String> inputs,
      Map<String, Long> intAttributes) {

    public QuantizationNode {
      inputs = List.copyOf(inputs);
      intAttributes = Map.copyOf(intAttributes);
    }

    /** Input {@code i}, or "" when the node has fewer inputs. */
    public String input(int i) {
      return i < inputs.size() ? inputs.get(i) : "";
    }

    /** Integer attribute {@code name}, or {@code fallback} when absent. */
    public long attribute(String name, long fallback) {
      return intAttributes.getOrDefault(name, fallback);
    }
  }

  /** Thrown when the bytes are not a well-formed ONNX {@code ModelProto}. */
  public static final class InvalidModelException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidModelException(String message) {
      super(message);
    }
  }

  /**
   * Scans the model file at {@code file}.
   *
   * @throws InvalidModelException if it is not a well-formed ONNX model (bad wire format, or
   *     no graph)
   * @throws IOException if it cannot be read
   */
  public static InitializerSummary scan(Path file) throws IOException, InvalidModelException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new InvalidModelException(
            "file is " + size + " bytes; a protobuf message is at most 2 GiB (large weights go"
                + " in external data files)");
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      return scan(map);
    }
  }

  /** Scans a serialized {@code ModelProto} held in {@code model} (from position to limit). */
  public static InitializerSummary scan(ByteBuffer model) throws InvalidModelException {
    Summer summer = new Summer();
    Reader r = new Reader(model.duplicate());
    boolean sawGraph = false;
    if (!r.hasMore()) {
      throw new InvalidModelException("file is empty");
    }
    while (r.hasMore()) {
      long tag = r.tag();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == MODEL_GRAPH && wire == WIRE_LEN) {
        walkGraph(r.message(), summer, 0);
        sawGraph = true;
      } else {
        r.skip(wire);
      }
    }
    if (!sawGraph) {
      throw new InvalidModelException("it has no graph (ModelProto field 7)");
    }
    return summer.summary();
  }

  private static void walkGraph(Reader g, Summer summer, int depth) throws InvalidModelException {
    if (depth > MAX_DEPTH) {
      throw new InvalidModelException("sub-graphs nested deeper than " + MAX_DEPTH);
    }
    while (g.hasMore()) {
      long tag = g.tag();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == GRAPH_INITIALIZER && wire == WIRE_LEN) {
        readTensor(g.message(), summer);
      } else if (field == GRAPH_SPARSE_INITIALIZER && wire == WIRE_LEN) {
        readSparseTensor(g.message(), summer);
      } else if (field == GRAPH_NODE && wire == WIRE_LEN) {
        walkNode(g.message(), summer, depth);
      } else {
        g.skip(wire);
      }
    }
  }

  private static void walkNode(Reader n, Summer summer, int depth) throws InvalidModelException {
    List<String> inputs = new ArrayList<>();
    Map<String, Long> ints = new java.util.HashMap<>();
    String opType = "";
    String domain = "";
    while (n.hasMore()) {
      long tag = n.tag();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == NODE_ATTRIBUTE && wire == WIRE_LEN) {
        Reader a = n.message();
        String attrName = null;
        Long attrInt = null;
        while (a.hasMore()) {
          long atag = a.tag();
          int afield = (int) (atag >>> 3);
          int awire = (int) (atag & 7);
          if ((afield == ATTRIBUTE_G || afield == ATTRIBUTE_GRAPHS) && awire == WIRE_LEN) {
            walkGraph(a.message(), summer, depth + 1);
          } else if (afield == ATTRIBUTE_NAME && awire == WIRE_LEN) {
            attrName = a.string();
          } else if (afield == ATTRIBUTE_I && awire == WIRE_VARINT) {
            attrInt = a.varint();
          } else {
            a.skip(awire);
          }
        }
        if (attrName != null && attrInt != null) {
          ints.put(attrName, attrInt);
        }
      } else if (field == NODE_INPUT && wire == WIRE_LEN) {
        inputs.add(n.string());
      } else if (field == NODE_OP_TYPE && wire == WIRE_LEN) {
        opType = n.string();
      } else if (field == NODE_DOMAIN && wire == WIRE_LEN) {
        domain = n.string();
      } else {
        n.skip(wire);
      }
    }
    if (QUANTIZATION_OPS.contains(opType)) {
      summer.nodes.add(new QuantizationNode(opType, domain, inputs, ints));
    }
  }

  private static void readTensor(Reader t, Summer summer) throws InvalidModelException {
    LongList dims = new LongList();
    int dataType = 0;
    String name = "";
    while (t.hasMore()) {
      long tag = t.tag();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == TENSOR_DIMS && wire == WIRE_VARINT) {
        dims.add(t.varint());
      } else if (field == TENSOR_DIMS && wire == WIRE_LEN) {
        Reader packed = t.message();
        while (packed.hasMore()) {
          dims.add(packed.varint());
        }
      } else if (field == TENSOR_DATA_TYPE && wire == WIRE_VARINT) {
        dataType = (int) t.varint();
      } else if (field == TENSOR_NAME && wire == WIRE_LEN) {
        name = t.string();
      } else {
        t.skip(wire);
      }
    }
    summer.add(name, ElementType.of(dataType), dims);
  }

  private static void readSparseTensor(Reader s, Summer summer) throws InvalidModelException {
    LongList dims = new LongList();
    int dataType = 0;
    String name = "";
    while (s.hasMore()) {
      long tag = s.tag();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == SPARSE_DIMS && wire == WIRE_VARINT) {
        dims.add(s.varint());
      } else if (field == SPARSE_DIMS && wire == WIRE_LEN) {
        Reader packed = s.message();
        while (packed.hasMore()) {
          dims.add(packed.varint());
        }
      } else if (field == SPARSE_VALUES && wire == WIRE_LEN) {
        Reader v = s.message();
        while (v.hasMore()) {
          long vtag = v.tag();
          if ((vtag >>> 3) == TENSOR_DATA_TYPE && (vtag & 7) == WIRE_VARINT) {
            dataType = (int) v.varint();
          } else if ((vtag >>> 3) == TENSOR_NAME && (vtag & 7) == WIRE_LEN) {
            name = v.string();
          } else {
            v.skip((int) (vtag & 7));
          }
        }
      } else {
        s.skip(wire);
      }
    }
    // A sparse initializer stands for a dense tensor of its dims: count the dense elements.
    summer.add(name, ElementType.of(dataType), dims);
  }

  private static final class Summer {
    private final EnumMap<ElementType, Long> byType = new EnumMap<>(ElementType.class);
    private final List<Initializer> weights = new ArrayList<>();
    private final List<QuantizationNode> nodes = new ArrayList<>();
    private long parameters;

    void add(String name, ElementType type, LongList dims) throws InvalidModelException {
      long n = 1;
      for (int i = 0; i < dims.size; i++) {
        long d = dims.values[i];
        if (d < 0) {
          throw new InvalidModelException("an initializer has a negative dimension " + d);
        }
        n = Math.multiplyExact(n, d);
      }
      byType.merge(type, n, Long::sum);
      if (type.isWeight()) {
        parameters += n;
        weights.add(new Initializer(name, type, java.util.Arrays.copyOf(dims.values, dims.size)));
      }
    }

    InitializerSummary summary() {
      return new InitializerSummary(parameters, byType, weights, nodes);
    }
  }

  private static final class LongList {
    long[] values = new long[4];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }
  }

  /** Reads one protobuf message from a buffer slice [pos, limit). */
  private static final class Reader {
    private final ByteBuffer buf;
    private int pos;
    private final int limit;

    Reader(ByteBuffer buf) {
      this(buf, buf.position(), buf.limit());
    }

    private Reader(ByteBuffer buf, int pos, int limit) {
      this.buf = buf;
      this.pos = pos;
      this.limit = limit;
    }

    boolean hasMore() {
      return pos < limit;
    }

    long tag() throws InvalidModelException {
      long tag = varint();
      if ((tag >>> 3) == 0) {
        throw new InvalidModelException("field number 0 at byte " + (pos - 1));
      }
      return tag;
    }

    long varint() throws InvalidModelException {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= limit) {
          throw new InvalidModelException("truncated varint at byte " + pos);
        }
        byte b = buf.get(pos++);
        result |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw new InvalidModelException("varint longer than 10 bytes at byte " + pos);
    }

    /** The length-delimited field starting here, as a nested reader; advances past it. */
    Reader message() throws InvalidModelException {
      long len = varint();
      if (len < 0 || len > limit - pos) {
        throw new InvalidModelException(
            "length " + len + " at byte " + pos + " runs past the end of its message");
      }
      Reader nested = new Reader(buf, pos, pos + (int) len);
      pos += (int) len;
      return nested;
    }

    String string() throws InvalidModelException {
      Reader m = message();
      byte[] bytes = new byte[m.limit - m.pos];
      buf.get(m.pos, bytes);
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    void skip(int wire) throws InvalidModelException {
      switch (wire) {
        case WIRE_VARINT:
          varint();
          break;
        case WIRE_FIXED64:
          advance(8);
          break;
        case WIRE_LEN:
          message();
          break;
        case WIRE_FIXED32:
          advance(4);
          break;
        default:
          // Groups (3, 4) are not used by onnx.proto; 6 and 7 are not wire types.
          throw new InvalidModelException("unsupported wire type " + wire + " at byte " + pos);
      }
    }

    private void advance(int n) throws InvalidModelException {
      if (n > limit - pos) {
        throw new InvalidModelException("truncated field at byte " + pos);
      }
      pos += n;
    }
  }
}

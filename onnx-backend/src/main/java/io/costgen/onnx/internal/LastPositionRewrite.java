package io.costgen.onnx.internal;

import io.costgen.onnx.internal.ProtoSplice.Encoder;
import io.costgen.onnx.internal.ProtoSplice.Field;
import io.costgen.onnx.internal.ProtoSplice.Malformed;
import io.costgen.onnx.internal.ProtoSplice.Parts;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rewrites a decoder graph so that its language-model head sees only the last position: a
 * {@code Slice(hidden, starts=[-1], ends=[INT64_MAX], axes=[1])} is inserted in front of the
 * {@code MatMul} (or {@code MatMulNBits}) producing the logits, so a prefill of {@code S}
 * tokens returns {@code [B, 1, V]} logits instead of {@code [B, S, V]} and skips
 * {@code (S - 1) · B · H · V} multiply-adds (Hugging Face's {@code logits_to_keep = 1}).
 *
 * <p>Recognised heads, walking back from the graph output: {@code MatMul(h, W)} and
 * {@code MatMulNBits(h, ...)}, optionally followed by position-wise nodes ({@code Cast},
 * {@code Identity}, and {@code Add}/{@code Sub}/{@code Mul}/{@code Div} with a constant
 * operand, e.g. a bias or a soft-cap scale); the tied-embedding form
 * {@code Reshape(Gemm(Reshape(h, [-1, H]), E, transB=1), shape)} (the final reshape's shape is
 * replaced by {@code [-1, 1, V]}); and Optimum's merged decoder, whose {@code If} node is
 * rewritten in both branches. Anything else is reported as {@link Outcome#reason()} and left
 * alone. Left padding keeps the last position common to all rows, so slicing it is exact.
 *
 * <p>Field numbers from {@code onnx/onnx.proto3}. Stateless and thread-safe.
 */
final class LastPositionRewrite {

  // ModelProto
  private static final int MODEL_OPSET = 8;
  private static final int MODEL_GRAPH = 7;
  // OperatorSetIdProto
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION = 2;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_OUTPUT = 12;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int NODE_DOMAIN = 7;
  // AttributeProto
  private static final int ATTR_NAME = 1;
  private static final int ATTR_G = 6;
  // ValueInfoProto
  private static final int VALUE_NAME = 1;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW = 9;
  private static final int TENSOR_EXTERNAL = 13;
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  private static final int INT64 = 7;

  static final String SUFFIX = "/costgen_last_position";

  private LastPositionRewrite() {}

  /**
   * What happened: the rewritten model (a {@link Parts} body of a {@code ModelProto}) or why
   * the graph was left alone; plus the external-data locations the model names.
   */
  record Outcome(Optional<Parts> model, String reason, Set<String> externalLocations) {}

  /**
   * Plans and builds the rewrite of the {@code ModelProto} in {@code buf} (position 0 to limit)
   * for the graph output named {@code logits}.
   */
  static Outcome rewrite(ByteBuffer buf, String logits) throws Malformed {
    List<Field> top = ProtoSplice.fields(buf, 0, buf.limit());
    Field graph = null;
    long opset = -1;
    for (Field f : top) {
      if (f.is(MODEL_GRAPH, ProtoSplice.WIRE_LEN)) {
        graph = f;
      } else if (f.is(MODEL_OPSET, ProtoSplice.WIRE_LEN)) {
        String domain = "";
        long version = -1;
        for (Field o : ProtoSplice.fields(buf, f)) {
          if (o.is(OPSET_DOMAIN, ProtoSplice.WIRE_LEN)) {
            domain = ProtoSplice.string(buf, o);
          } else if (o.is(OPSET_VERSION, ProtoSplice.WIRE_VARINT)) {
            version = o.varint();
          }
        }
        if (domain.isEmpty() || domain.equals("ai.onnx")) {
          opset = version;
        }
      }
    }
    if (graph == null) {
      throw new Malformed("it has no graph (ModelProto field 7)");
    }
    Set<String> locations = new LinkedHashSet<>();
    Graph g = Graph.parse(buf, graph, locations, null);
    if (opset < 10) {
      return new Outcome(Optional.empty(), "default-domain opset " + opset
          + " predates Slice with tensor inputs (opset 10)", locations);
    }
    Naming naming = new Naming();
    String why;
    if (!g.outputs.contains(logits)) {
      why = "the graph has no output '" + logits + "'";
    } else {
      Plan plan = new Plan();
      why = g.plan(logits, plan, naming);
      if (why == null) {
        Parts body = new Parts();
        for (Field f : top) {
          if (f == graph) {
            body.message(MODEL_GRAPH, g.build(plan));
          } else {
            body.copy(buf, f);
          }
        }
        return new Outcome(Optional.of(body), "", locations);
      }
    }
    return new Outcome(Optional.empty(), why, locations);
  }

  /** Unique names for what the rewrite adds (every graph of a model shares one namespace). */
  private static final class Naming {
    private int next;

    String fresh(String base) {
      return base + SUFFIX + (next++ == 0 ? "" : "_" + (next - 1));
    }
  }

  /** The edits of one graph (and, through {@code branches}, of its sub-graphs). */
  private static final class Plan {
    /** node index → (input index → new input name). */
    final Map<Integer, Map<Integer, String>> renames = new HashMap<>();
    /** node index → encoded nodes to insert before it. */
    final Map<Integer, List<byte[]>> before = new HashMap<>();
    final List<byte[]> initializers = new ArrayList<>();
    /** node index → attribute name → plan for that sub-graph. */
    final Map<Integer, Map<String, SubPlan>> branches = new HashMap<>();
  }

  private record SubPlan(Graph graph, Plan plan) {}

  private static final class Node {
    final Field field;
    final List<String> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    String op = "";
    String domain = "";
    final Map<String, Field> graphAttrs = new HashMap<>();
    final Map<String, Field> attrFields = new HashMap<>();
    final Map<String, Graph> subgraphs = new HashMap<>();

    Node(Field field) {
      this.field = field;
    }
  }

  private static final class Graph {
    final ByteBuffer buf;
    final List<Field> fields;
    final List<Node> nodes = new ArrayList<>();
    final Map<Field, Integer> nodeIndex = new HashMap<>();
    final Map<String, Integer> producer = new HashMap<>();
    final Set<String> initializers = new HashSet<>();
    final Map<String, long[]> initializerDims = new HashMap<>();
    final List<String> outputs = new ArrayList<>();
    final Graph parent;

    private Graph(ByteBuffer buf, List<Field> fields, Graph parent) {
      this.buf = buf;
      this.fields = fields;
      this.parent = parent;
    }

    static Graph parse(ByteBuffer buf, Field graph, Set<String> locations, Graph parent)
        throws Malformed {
      Graph g = new Graph(buf, ProtoSplice.fields(buf, graph), parent);
      for (Field f : g.fields) {
        if (f.is(GRAPH_NODE, ProtoSplice.WIRE_LEN)) {
          Node n = new Node(f);
          for (Field nf : ProtoSplice.fields(buf, f)) {
            if (nf.is(NODE_INPUT, ProtoSplice.WIRE_LEN)) {
              n.inputs.add(ProtoSplice.string(buf, nf));
            } else if (nf.is(NODE_OUTPUT, ProtoSplice.WIRE_LEN)) {
              n.outputs.add(ProtoSplice.string(buf, nf));
            } else if (nf.is(NODE_OP, ProtoSplice.WIRE_LEN)) {
              n.op = ProtoSplice.string(buf, nf);
            } else if (nf.is(NODE_DOMAIN, ProtoSplice.WIRE_LEN)) {
              n.domain = ProtoSplice.string(buf, nf);
            } else if (nf.is(NODE_ATTRIBUTE, ProtoSplice.WIRE_LEN)) {
              String name = "";
              Field sub = null;
              for (Field af : ProtoSplice.fields(buf, nf)) {
                if (af.is(ATTR_NAME, ProtoSplice.WIRE_LEN)) {
                  name = ProtoSplice.string(buf, af);
                } else if (af.is(ATTR_G, ProtoSplice.WIRE_LEN)) {
                  sub = af;
                } else if (af.number() == 11 && af.isLen()) {
                  // graphs (a list): only external locations matter here
                  parse(buf, af, locations, null);
                }
              }
              if (sub != null) {
                n.graphAttrs.put(name, sub);
                n.attrFields.put(name, nf);
                n.subgraphs.put(name, parse(buf, sub, locations, g));
              }
            }
          }
          int index = g.nodes.size();
          g.nodes.add(n);
          g.nodeIndex.put(f, index);
          for (String o : n.outputs) {
            g.producer.put(o, index);
          }
        } else if (f.is(GRAPH_INITIALIZER, ProtoSplice.WIRE_LEN)) {
          String name = "";
          List<Long> dims = new ArrayList<>();
          for (Field tf : ProtoSplice.fields(buf, f)) {
            if (tf.is(TENSOR_NAME, ProtoSplice.WIRE_LEN)) {
              name = ProtoSplice.string(buf, tf);
            } else if (tf.is(TENSOR_DIMS, ProtoSplice.WIRE_VARINT)) {
              dims.add(tf.varint());
            } else if (tf.is(TENSOR_DIMS, ProtoSplice.WIRE_LEN)) {
              for (Field d : packedVarints(buf, tf)) {
                dims.add(d.varint());
              }
            } else if (tf.is(TENSOR_EXTERNAL, ProtoSplice.WIRE_LEN)) {
              String key = "";
              String value = "";
              for (Field ef : ProtoSplice.fields(buf, tf)) {
                if (ef.is(ENTRY_KEY, ProtoSplice.WIRE_LEN)) {
                  key = ProtoSplice.string(buf, ef);
                } else if (ef.is(ENTRY_VALUE, ProtoSplice.WIRE_LEN)) {
                  value = ProtoSplice.string(buf, ef);
                }
              }
              if (key.equals("location")) {
                locations.add(value);
              }
            }
          }
          g.initializers.add(name);
          g.initializerDims.put(name, dims.stream().mapToLong(Long::longValue).toArray());
        } else if (f.is(GRAPH_OUTPUT, ProtoSplice.WIRE_LEN)) {
          for (Field vf : ProtoSplice.fields(buf, f)) {
            if (vf.is(VALUE_NAME, ProtoSplice.WIRE_LEN)) {
              g.outputs.add(ProtoSplice.string(buf, vf));
            }
          }
        }
      }
      return g;
    }

    private static List<Field> packedVarints(ByteBuffer buf, Field f) throws Malformed {
      // packed varints read as a sequence of fake "fields" is not possible; decode by hand
      List<Field> out = new ArrayList<>();
      int pos = f.valueStart();
      while (pos < f.end()) {
        long result = 0;
        int shift = 0;
        byte b;
        do {
          if (pos >= f.end() || shift >= 64) {
            throw new Malformed("bad packed varint at byte " + pos);
          }
          b = buf.get(pos++);
          result |= (long) (b & 0x7F) << shift;
          shift += 7;
        } while (b < 0);
        out.add(new Field(TENSOR_DIMS, ProtoSplice.WIRE_VARINT, pos, pos, pos, result));
      }
      return out;
    }

    /** Whether {@code name} is an initializer or Constant here or in an enclosing graph. */
    boolean isConstant(String name) {
      for (Graph g = this; g != null; g = g.parent) {
        if (g.initializers.contains(name)) {
          return true;
        }
        Integer p = g.producer.get(name);
        if (p != null) {
          return g.nodes.get(p).op.equals("Constant") && g.nodes.get(p).domain.isEmpty();
        }
      }
      return false;
    }

    /** Dimensions of the initializer {@code name} here or in an enclosing graph, or null. */
    long[] dimsOf(String name) {
      for (Graph g = this; g != null; g = g.parent) {
        long[] d = g.initializerDims.get(name);
        if (d != null) {
          return d;
        }
      }
      return null;
    }

    /**
     * Plans the slice in front of the head producing {@code output}; returns null on success,
     * else why not.
     */
    String plan(String output, Plan plan, Naming naming) throws Malformed {
      String current = output;
      for (int hops = 0; hops < 16; hops++) {
        Integer index = producer.get(current);
        if (index == null) {
          return "'" + current + "' is not produced by a node (a graph input or initializer)";
        }
        Node n = nodes.get(index);
        boolean onnxDomain = n.domain.isEmpty() || n.domain.equals("ai.onnx");
        boolean msDomain = n.domain.equals("com.microsoft");
        if ((n.op.equals("MatMul") && onnxDomain) || (n.op.equals("MatMulNBits") && msDomain)) {
          sliceInput(index, 0, plan, naming);
          return null;
        }
        if (onnxDomain && (n.op.equals("Cast") || n.op.equals("Identity"))) {
          current = n.inputs.get(0);
          continue;
        }
        if (onnxDomain && n.inputs.size() == 2 && (n.op.equals("Add") || n.op.equals("Sub")
            || n.op.equals("Mul") || n.op.equals("Div"))) {
          if (isConstant(n.inputs.get(1))) {
            current = n.inputs.get(0);
            continue;
          }
          if (isConstant(n.inputs.get(0))) {
            current = n.inputs.get(1);
            continue;
          }
          return n.op + " node '" + current + "' has no constant operand";
        }
        if (onnxDomain && n.op.equals("Reshape")) {
          return planTiedGemm(index, output, plan, naming);
        }
        if (onnxDomain && n.op.equals("If")) {
          int at = n.outputs.indexOf(current);
          Map<String, SubPlan> subs = new HashMap<>();
          for (String branch : List.of("then_branch", "else_branch")) {
            Graph sub = n.subgraphs.get(branch);
            if (sub == null || sub.outputs.size() <= at) {
              return "If node '" + current + "' has no " + branch + " output " + at;
            }
            Plan subPlan = new Plan();
            String why = sub.plan(sub.outputs.get(at), subPlan, naming);
            if (why != null) {
              return "in the " + branch + " of If: " + why;
            }
            subs.put(branch, new SubPlan(sub, subPlan));
          }
          plan.branches.put(index, subs);
          return null;
        }
        return "the logits come from a " + (n.domain.isEmpty() ? "" : n.domain + ".") + n.op
            + " node, not a recognised language-model head (MatMul, MatMulNBits, tied Gemm)";
      }
      return "more than 16 position-wise nodes between the head and '" + output + "'";
    }

    /** {@code Reshape(Gemm(Reshape(h, [-1, H]), E), shape)}: the tied-embedding head. */
    private String planTiedGemm(int outer, String output, Plan plan, Naming naming) {
      Node reshape = nodes.get(outer);
      Integer gi = producer.get(reshape.inputs.get(0));
      Node gemm = gi == null ? null : nodes.get(gi);
      if (gemm == null || !gemm.op.equals("Gemm")) {
        return "the logits come from a Reshape not fed by a Gemm head";
      }
      Integer fi = producer.get(gemm.inputs.get(0));
      Node flatten = fi == null ? null : nodes.get(fi);
      if (flatten == null || !flatten.op.equals("Reshape")) {
        return "the Gemm head's input is not a Reshape of the hidden state";
      }
      long[] dims = dimsOf(gemm.inputs.get(1));
      if (dims == null || dims.length != 2) {
        return "the Gemm head's weight is not a 2-D initializer";
      }
      // transB is the common export (E is [V, H]); without it E is [H, V].
      long vocab = transB(gemm) ? dims[0] : dims[1];
      sliceInput(fi, 0, plan, naming);
      String shape = naming.fresh(output + "/shape");
      plan.initializers.add(int64Tensor(shape, -1, 1, vocab));
      plan.renames.computeIfAbsent(outer, k -> new HashMap<>()).put(1, shape);
      return null;
    }

    private boolean transB(Node gemm) {
      // attributes of a Gemm are not kept in graphAttrs (no sub-graph); re-read them
      try {
        for (Field nf : ProtoSplice.fields(buf, gemm.field)) {
          if (nf.is(NODE_ATTRIBUTE, ProtoSplice.WIRE_LEN)) {
            String name = "";
            long value = 0;
            for (Field af : ProtoSplice.fields(buf, nf)) {
              if (af.is(ATTR_NAME, ProtoSplice.WIRE_LEN)) {
                name = ProtoSplice.string(buf, af);
              } else if (af.is(3, ProtoSplice.WIRE_VARINT)) {
                value = af.varint();
              }
            }
            if (name.equals("transB")) {
              return value != 0;
            }
          }
        }
      } catch (Malformed e) {
        return false;
      }
      return false;
    }

    private void sliceInput(int index, int input, Plan plan, Naming naming) {
      Node n = nodes.get(index);
      String hidden = n.inputs.get(input);
      String sliced = naming.fresh(hidden);
      String starts = naming.fresh(hidden + "/starts");
      String ends = naming.fresh(hidden + "/ends");
      String axes = naming.fresh(hidden + "/axes");
      plan.initializers.add(int64Tensor(starts, -1));
      plan.initializers.add(int64Tensor(ends, Long.MAX_VALUE));
      plan.initializers.add(int64Tensor(axes, 1));
      Encoder slice = new Encoder()
          .string(NODE_INPUT, hidden).string(NODE_INPUT, starts).string(NODE_INPUT, ends)
          .string(NODE_INPUT, axes).string(NODE_OUTPUT, sliced)
          .string(NODE_NAME, naming.fresh("Slice")).string(NODE_OP, "Slice");
      plan.before.computeIfAbsent(index, k -> new ArrayList<>()).add(slice.toBytes());
      plan.renames.computeIfAbsent(index, k -> new HashMap<>()).put(input, sliced);
    }

    private static byte[] int64Tensor(String name, long... values) {
      ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        raw.putLong(v);
      }
      return new Encoder().varint(TENSOR_DIMS, values.length).varint(TENSOR_TYPE, INT64)
          .string(TENSOR_NAME, name).bytes(TENSOR_RAW, raw.array()).toBytes();
    }

    /** The graph body with {@code plan} applied. */
    Parts build(Plan plan) throws Malformed {
      Parts out = new Parts();
      for (Field f : fields) {
        Integer index = nodeIndex.get(f);
        if (index == null) {
          out.copy(buf, f);
          continue;
        }
        for (byte[] inserted : plan.before.getOrDefault(index, List.of())) {
          Encoder tag = new Encoder();
          tag.tag(GRAPH_NODE, ProtoSplice.WIRE_LEN);
          tag.raw(inserted.length);
          out.bytes(tag.toBytes()).bytes(inserted);
        }
        Map<Integer, String> renames = plan.renames.get(index);
        Map<String, SubPlan> branches = plan.branches.get(index);
        if (renames == null && branches == null) {
          out.copy(buf, f);
          continue;
        }
        out.message(GRAPH_NODE, buildNode(nodes.get(index), renames, branches));
      }
      for (byte[] init : plan.initializers) {
        Encoder tag = new Encoder();
        tag.tag(GRAPH_INITIALIZER, ProtoSplice.WIRE_LEN);
        tag.raw(init.length);
        out.bytes(tag.toBytes()).bytes(init);
      }
      return out;
    }

    private Parts buildNode(Node n, Map<Integer, String> renames, Map<String, SubPlan> branches)
        throws Malformed {
      Parts out = new Parts();
      int input = 0;
      for (Field nf : ProtoSplice.fields(buf, n.field)) {
        if (nf.is(NODE_INPUT, ProtoSplice.WIRE_LEN)) {
          String rename = renames == null ? null : renames.get(input);
          input++;
          if (rename != null) {
            out.bytes(new Encoder().string(NODE_INPUT, rename).toBytes());
            continue;
          }
        } else if (nf.is(NODE_ATTRIBUTE, ProtoSplice.WIRE_LEN) && branches != null) {
          SubPlan sub = null;
          for (Map.Entry<String, Field> e : n.attrFields.entrySet()) {
            if (e.getValue().equals(nf)) {
              sub = branches.get(e.getKey());
            }
          }
          if (sub != null) {
            Parts attr = new Parts();
            for (Field af : ProtoSplice.fields(buf, nf)) {
              if (af.is(ATTR_G, ProtoSplice.WIRE_LEN)) {
                attr.message(ATTR_G, sub.graph().build(sub.plan()));
              } else {
                attr.copy(buf, af);
              }
            }
            out.message(NODE_ATTRIBUTE, attr);
            continue;
          }
        }
        out.copy(buf, nf);
      }
      return out;
    }
  }
}

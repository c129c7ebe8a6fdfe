package io.costgen.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Hand-written ONNX graphs (opset 17, standard operators) for layouts the shared models do not
 * cover. The "decoder" is a toy whose logits at a position are {@code (Σ over attended cache
 * columns up to it of (key + value)) · W}: history-dependent, causal, and blind to masked
 * columns, so cache handling errors change the output.
 */
public final class TinyOnnxGraphs {
  private TinyOnnxGraphs() {}

  public static final int VOCAB = 24;
  public static final int HEAD = 6;

  // TensorProto.DataType
  public static final int FLOAT = 1;
  public static final int INT64 = 7;
  public static final int BOOL = 9;
  public static final int FLOAT16 = 10;
  public static final int INT8 = 3;

  /**
   * An Optimum-style merged decoder: inputs {@code input_ids}, {@code attention_mask},
   * {@code use_cache_branch}, {@code past_key_values.0.key|value} {@code [batch, 1, past, 6]};
   * an {@code If} on {@code use_cache_branch} concatenates the past (then) or ignores it (else).
   *
   * @param flagBoost when true, {@code +1000} is added to the logit of token 7 whenever
   *     {@code use_cache_branch} is true, making the flag visible in the output
   */
  public static byte[] mergedDecoder(boolean flagBoost) {
    Random rnd = new Random(42);
    ProtoWriter g = new ProtoWriter();
    g.string(2, "merged_toy");
    g.message(5, floatTensor("E", rnd, VOCAB, HEAD));
    g.message(5, floatTensor("E2", rnd, VOCAB, HEAD));
    g.message(5, floatTensor("W", rnd, HEAD, VOCAB));
    g.message(5, int64Tensor("axes1", new long[] {1}, 1));
    g.message(5, int64Tensor("axes13", new long[] {1, 3}, 2));
    g.message(5, int64Tensor("axis2", new long[] {2}));
    g.message(5, int64Tensor("one", new long[] {1}, 1));
    g.message(5, int64Tensor("two", new long[] {2}, 1));
    g.message(5, int64Tensor("big", new long[] {Long.MAX_VALUE}, 1));
    g.message(5, int64Tensor("axes2", new long[] {2}, 1));

    g.message(1, node("Gather", new String[] {"E", "input_ids"}, new String[] {"emb"}));
    g.message(1, node("Gather", new String[] {"E2", "input_ids"}, new String[] {"emb2"}));
    g.message(1, node("Unsqueeze", new String[] {"emb", "axes1"}, new String[] {"newk"}));
    g.message(1, node("Unsqueeze", new String[] {"emb2", "axes1"}, new String[] {"newv"}));

    ProtoWriter thenG = new ProtoWriter().string(2, "with_past")
        .message(1, node("Concat", new String[] {"past_key_values.0.key", "newk"},
            new String[] {"k_then"}, intAttr("axis", 2)))
        .message(1, node("Concat", new String[] {"past_key_values.0.value", "newv"},
            new String[] {"v_then"}, intAttr("axis", 2)))
        .message(12, valueInfo("k_then", FLOAT))
        .message(12, valueInfo("v_then", FLOAT));
    ProtoWriter elseG = new ProtoWriter().string(2, "without_past")
        .message(1, node("Identity", new String[] {"newk"}, new String[] {"k_else"}))
        .message(1, node("Identity", new String[] {"newv"}, new String[] {"v_else"}))
        .message(12, valueInfo("k_else", FLOAT))
        .message(12, valueInfo("v_else", FLOAT));
    g.message(1, node("If", new String[] {"use_cache_branch"},
        new String[] {"present.0.key", "present.0.value"},
        graphAttr("then_branch", thenG), graphAttr("else_branch", elseG)));

    g.message(1, node("Cast", new String[] {"attention_mask"}, new String[] {"maskf"},
        intAttr("to", FLOAT)));
    g.message(1, node("Unsqueeze", new String[] {"maskf", "axes13"}, new String[] {"maskr"}));
    g.message(1, node("Add", new String[] {"present.0.key", "present.0.value"},
        new String[] {"kv"}));
    g.message(1, node("Mul", new String[] {"kv", "maskr"}, new String[] {"masked"}));
    g.message(1, node("CumSum", new String[] {"masked", "axis2"}, new String[] {"cs"}));
    g.message(1, node("Shape", new String[] {"input_ids"}, new String[] {"shp"}));
    g.message(1, node("Slice", new String[] {"shp", "one", "two"}, new String[] {"s"}));
    g.message(1, node("Neg", new String[] {"s"}, new String[] {"negs"}));
    g.message(1, node("Slice", new String[] {"cs", "negs", "big", "axes2"},
        new String[] {"last"}));
    g.message(1, node("Squeeze", new String[] {"last", "axes1"}, new String[] {"sq"}));
    if (flagBoost) {
      float[] boost = new float[VOCAB];
      boost[7] = 1000f;
      g.message(5, floatTensor("boost", boost, VOCAB));
      g.message(1, node("MatMul", new String[] {"sq", "W"}, new String[] {"base"}));
      g.message(1, node("Cast", new String[] {"use_cache_branch"}, new String[] {"flagf"},
          intAttr("to", FLOAT)));
      g.message(1, node("Mul", new String[] {"boost", "flagf"}, new String[] {"bonus"}));
      g.message(1, node("Add", new String[] {"base", "bonus"}, new String[] {"logits"}));
    } else {
      g.message(1, node("MatMul", new String[] {"sq", "W"}, new String[] {"logits"}));
    }

    g.message(11, valueInfo("input_ids", INT64, "batch", "seq"));
    g.message(11, valueInfo("attention_mask", INT64, "batch", "total"));
    g.message(11, valueInfo("use_cache_branch", BOOL, 1L));
    g.message(11, valueInfo("past_key_values.0.key", FLOAT, "batch", 1L, "past", (long) HEAD));
    g.message(11, valueInfo("past_key_values.0.value", FLOAT, "batch", 1L, "past", (long) HEAD));
    g.message(12, valueInfo("logits", FLOAT, "batch", "seq", (long) VOCAB));
    g.message(12, valueInfo("present.0.key", FLOAT, "batch", 1L, "total", (long) HEAD));
    g.message(12, valueInfo("present.0.value", FLOAT, "batch", 1L, "total", (long) HEAD));
    return model(g);
  }

  /** A graph with an extra input a decoder backend cannot feed ({@code pixel_values}). */
  public static byte[] unknownLayout() {
    ProtoWriter g = new ProtoWriter().string(2, "odd");
    g.message(1, node("Identity", new String[] {"pixel_values"}, new String[] {"logits"}));
    g.message(11, valueInfo("pixel_values", FLOAT, "batch", "seq", (long) VOCAB));
    g.message(12, valueInfo("logits", FLOAT, "batch", "seq", (long) VOCAB));
    return model(g);
  }

  /** A ModelProto around graph {@code g}: IR version 8, default-domain opset 17. */
  public static byte[] model(ProtoWriter g) {
    return new ProtoWriter()
        .varint(1, 8)
        .string(2, "costgen-tests")
        .message(7, g)
        .message(8, new ProtoWriter().string(1, "").varint(2, 17))
        .toByteArray();
  }

  public static Path write(Path dir, String name, byte[] model) throws IOException {
    Files.createDirectories(dir);
    return Files.write(dir.resolve(name), model);
  }

  public static ProtoWriter node(String op, String[] in, String[] out, ProtoWriter... attrs) {
    ProtoWriter n = new ProtoWriter();
    for (String i : in) {
      n.string(1, i);
    }
    for (String o : out) {
      n.string(2, o);
    }
    n.string(3, op + "_" + out[0]);
    n.string(4, op);
    for (ProtoWriter a : attrs) {
      n.message(5, a);
    }
    return n;
  }

  public static ProtoWriter intAttr(String name, long v) {
    return new ProtoWriter().string(1, name).varint(3, v).varint(20, 2);
  }

  public static ProtoWriter graphAttr(String name, ProtoWriter graph) {
    return new ProtoWriter().string(1, name).message(6, graph).varint(20, 5);
  }

  /** ValueInfoProto; dims are Strings (symbolic) or Longs (fixed); none = unknown shape. */
  public static ProtoWriter valueInfo(String name, int elemType, Object... dims) {
    ProtoWriter tensorType = new ProtoWriter().varint(1, elemType);
    if (dims.length > 0) {
      ProtoWriter shape = new ProtoWriter();
      for (Object d : dims) {
        ProtoWriter dim = new ProtoWriter();
        if (d instanceof String) {
          dim.string(2, (String) d);
        } else {
          dim.varint(1, (Long) d);
        }
        shape.message(1, dim);
      }
      tensorType.message(2, shape);
    }
    return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
  }

  public static ProtoWriter floatTensor(String name, Random rnd, long... dims) {
    int n = 1;
    for (long d : dims) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return floatTensor(name, v, dims);
  }

  public static ProtoWriter floatTensor(String name, float[] values, long... dims) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : values) {
      raw.putFloat(f);
    }
    return tensor(name, FLOAT, raw.array(), dims);
  }

  public static ProtoWriter int64Tensor(String name, long[] values, long... dims) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    return tensor(name, INT64, raw.array(), dims);
  }

  /** TensorProto with packed dims, data type and raw data. */
  public static ProtoWriter tensor(String name, int dataType, byte[] raw, long... dims) {
    ProtoWriter t = new ProtoWriter();
    if (dims.length > 0) {
      t.packed(1, dims);
    }
    return t.varint(2, dataType).string(8, name).bytes(9, raw);
  }
}

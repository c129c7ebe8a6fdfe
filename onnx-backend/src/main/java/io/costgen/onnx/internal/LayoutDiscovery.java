package io.costgen.onnx.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import io.costgen.core.ModelLoadException;
import io.costgen.onnx.OnnxModelLayout;
import io.costgen.onnx.OnnxModelLayout.KvCacheFormat;
import io.costgen.onnx.OnnxModelLayout.Port;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the decoder contract of a graph from its session's input and output names, types and
 * shapes, the way onnxruntime-genai does: {@code genai_config.json} name patterns when given,
 * else the common export names (Optimum {@code past_key_values.%d.key|value} →
 * {@code present.%d.key|value}, legacy GPT-2 {@code past_%d} → {@code present_%d}, no cache).
 * Stateless.
 */
public final class LayoutDiscovery {

  // past_key_values.0.key, past.0.key, past_key_values_0_key, past_0 (stacked)
  private static final Pattern PAST =
      Pattern.compile("^past(?:_key_values)?[._](\\d+)(?:[._](key|value))?$");
  // present.0.key, present_key_values.0.key, present_0 (stacked)
  private static final Pattern PRESENT =
      Pattern.compile("^present(?:_key_values)?[._](\\d+)(?:[._](key|value))?$");

  private LayoutDiscovery() {}

  /** The name of the logits output: {@code genai_config.json}'s, else {@code logits}. */
  public static String logitsName(ModelFolder folder) {
    return Json.string(Json.path(folder.genaiDecoder(), "outputs"), "logits").orElse("logits");
  }

  /**
   * Discovers the layout.
   *
   * @param folder the model folder (for genai names and config fallbacks of head counts)
   * @throws ModelLoadException naming the model file and listing its inputs and outputs when the
   *     graph is not a decoder this backend can drive
   */
  public static OnnxModelLayout discover(
      ModelFolder folder, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
    Path file = folder.modelFile();
    Map<String, Object> genaiIn = Json.path(folder.genaiDecoder(), "inputs");
    Map<String, Object> genaiOut = Json.path(folder.genaiDecoder(), "outputs");
    Set<String> used = new HashSet<>();

    String idsName = Json.string(genaiIn, "input_ids").orElse("input_ids");
    if (!inputs.containsKey(idsName)) {
      throw unknown(file, "no token-id input '" + idsName + "'", inputs, outputs);
    }
    Port ids = port(idsName, inputs, file, inputs, outputs, OnnxJavaType.INT64, OnnxJavaType.INT32);
    used.add(idsName);
    Optional<Port> mask = optionalPort(Json.string(genaiIn, "attention_mask")
        .orElse("attention_mask"), inputs, used, file, outputs, OnnxJavaType.INT64,
        OnnxJavaType.INT32);
    Optional<Port> positions = optionalPort(Json.string(genaiIn, "position_ids")
        .orElse("position_ids"), inputs, used, file, outputs, OnnxJavaType.INT64,
        OnnxJavaType.INT32);
    Optional<Port> useCache = optionalPort("use_cache_branch", inputs, used, file, outputs,
        OnnxJavaType.BOOL);

    String logitsName = logitsName(folder);
    if (!outputs.containsKey(logitsName)) {
      throw unknown(file, "no '" + logitsName + "' output", inputs, outputs);
    }
    Port logits = port(logitsName, outputs, file, inputs, outputs, OnnxJavaType.FLOAT,
        OnnxJavaType.FLOAT16, OnnxJavaType.BFLOAT16);
    long[] logitsShape = shape(outputs.get(logitsName));
    if (logitsShape.length != 2 && logitsShape.length != 3) {
      throw unknown(file, "logits have rank " + logitsShape.length + ", expected 3"
          + " [batch, sequence, vocab] or 2 [batch, vocab]", inputs, outputs);
    }
    long vocabDim = logitsShape[logitsShape.length - 1];
    int vocab;
    if (vocabDim > 0) {
      vocab = Math.toIntExact(vocabDim);
    } else {
      OptionalInt v = firstOf(Json.integer(folder.genaiModel(), "vocab_size"),
          Json.integer(folder.config(), "vocab_size"));
      if (v.isEmpty()) {
        throw new ModelLoadException(file + ": the logits vocabulary dimension is dynamic and"
            + " neither config.json nor genai_config.json gives vocab_size");
      }
      vocab = v.getAsInt();
    }

    List<String> pastNames = new ArrayList<>();
    List<String> presentNames = new ArrayList<>();
    KvCacheFormat format = findCache(folder, inputs, outputs, pastNames, presentNames, genaiIn,
        genaiOut);
    used.addAll(pastNames);

    List<String> unexpected = new ArrayList<>();
    for (String in : inputs.keySet()) {
      if (!used.contains(in)) {
        unexpected.add(in);
      }
    }
    if (!unexpected.isEmpty()) {
      throw unknown(file, "unsupported inputs " + unexpected, inputs, outputs);
    }
    if (useCache.isPresent() && format == KvCacheFormat.NONE) {
      throw unknown(file, "use_cache_branch without cache inputs", inputs, outputs);
    }

    OnnxJavaType kvType = OnnxJavaType.UNKNOWN;
    int layers = 0;
    int kvHeads = 0;
    int headSize = 0;
    if (format != KvCacheFormat.NONE) {
      kvType = tensorInfo(inputs.get(pastNames.get(0))).type;
      for (String n : pastNames) {
        port(n, inputs, file, inputs, outputs, OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16,
            OnnxJavaType.BFLOAT16);
        if (tensorInfo(inputs.get(n)).type != kvType) {
          throw unknown(file, "cache inputs mix element types", inputs, outputs);
        }
      }
      for (String n : presentNames) {
        if (tensorInfo(outputs.get(n)).type != kvType) {
          throw unknown(file, "cache output " + n + " is not " + kvType, inputs, outputs);
        }
      }
      long[] s = shape(inputs.get(pastNames.get(0)));
      int expectedRank = format == KvCacheFormat.STACKED ? 5 : 4;
      if (s.length != expectedRank) {
        throw unknown(file, "cache input " + pastNames.get(0) + " has rank " + s.length
            + ", expected " + expectedRank, inputs, outputs);
      }
      if (format == KvCacheFormat.STACKED && s[0] > 0 && s[0] != 2) {
        throw unknown(file, "stacked cache input " + pastNames.get(0)
            + " must have 2 (key, value) on axis 0", inputs, outputs);
      }
      layers = format == KvCacheFormat.STACKED ? pastNames.size() : pastNames.size() / 2;
      int headAxis = expectedRank - 3;
      kvHeads = dimOrConfig(s[headAxis], firstOf(
          Json.integer(folder.genaiDecoder(), "num_key_value_heads"),
          Json.integer(folder.config(), "num_key_value_heads"),
          Json.integer(folder.genaiDecoder(), "num_attention_heads"),
          Json.integer(folder.config(), "num_attention_heads", "n_head")), file, "kv heads");
      headSize = dimOrConfig(s[expectedRank - 1], firstOf(
          Json.integer(folder.genaiDecoder(), "head_size"),
          Json.integer(folder.config(), "head_dim"),
          divide(Json.integer(folder.config(), "hidden_size", "n_embd"),
              Json.integer(folder.config(), "num_attention_heads", "n_head"))), file,
          "head size");
    }
    return new OnnxModelLayout(file, format, ids, mask, positions, useCache, logits, pastNames,
        presentNames, kvType, layers, kvHeads, headSize, vocab);
  }

  private static KvCacheFormat findCache(ModelFolder folder, Map<String, NodeInfo> inputs,
      Map<String, NodeInfo> outputs, List<String> pastNames, List<String> presentNames,
      Map<String, Object> genaiIn, Map<String, Object> genaiOut) {
    Path file = folder.modelFile();
    Optional<String> gKey = Json.string(genaiIn, "past_key_names");
    Optional<String> gValue = Json.string(genaiIn, "past_value_names");
    Optional<String> gPast = Json.string(genaiIn, "past_names");
    if (gKey.isPresent() && gValue.isPresent()) {
      String pk = Json.string(genaiOut, "present_key_names").orElse("present.%d.key");
      String pv = Json.string(genaiOut, "present_value_names").orElse("present.%d.value");
      for (int i = 0; inputs.containsKey(String.format(gKey.get(), i)); i++) {
        pastNames.add(require(String.format(gKey.get(), i), inputs, file, inputs, outputs));
        pastNames.add(require(String.format(gValue.get(), i), inputs, file, inputs, outputs));
        presentNames.add(require(String.format(pk, i), outputs, file, inputs, outputs));
        presentNames.add(require(String.format(pv, i), outputs, file, inputs, outputs));
      }
      if (pastNames.isEmpty()) {
        throw unknown(file, "genai_config.json names cache inputs '" + gKey.get()
            + "' the graph does not have", inputs, outputs);
      }
      return KvCacheFormat.SEPARATE;
    }
    if (gPast.isPresent()) {
      String pp = Json.string(genaiOut, "present_names").orElse("present_%d");
      for (int i = 0; inputs.containsKey(String.format(gPast.get(), i)); i++) {
        pastNames.add(String.format(gPast.get(), i));
        presentNames.add(require(String.format(pp, i), outputs, file, inputs, outputs));
      }
      if (pastNames.isEmpty()) {
        throw unknown(file, "genai_config.json names cache inputs '" + gPast.get()
            + "' the graph does not have", inputs, outputs);
      }
      return KvCacheFormat.STACKED;
    }

    // By name: group past inputs by layer.
    TreeMap<Integer, String[]> pasts = new TreeMap<>();
    boolean anySeparate = false;
    boolean anyStacked = false;
    for (String in : inputs.keySet()) {
      Matcher m = PAST.matcher(in);
      if (!m.matches()) {
        continue;
      }
      int layer = Integer.parseInt(m.group(1));
      String[] kv = pasts.computeIfAbsent(layer, k -> new String[2]);
      if (m.group(2) == null) {
        anyStacked = true;
        kv[0] = in;
      } else {
        anySeparate = true;
        kv["key".equals(m.group(2)) ? 0 : 1] = in;
      }
    }
    if (pasts.isEmpty()) {
      return KvCacheFormat.NONE;
    }
    if (anySeparate == anyStacked) {
      throw unknown(file, "cache inputs mix stacked (past_%d) and separate"
          + " (past_key_values.%d.key) names", inputs, outputs);
    }
    if (pasts.firstKey() != 0 || pasts.lastKey() != pasts.size() - 1) {
      throw unknown(file, "cache layers are not numbered 0.." + (pasts.size() - 1), inputs,
          outputs);
    }
    TreeMap<Integer, String[]> presents = new TreeMap<>();
    for (String out : outputs.keySet()) {
      Matcher m = PRESENT.matcher(out);
      if (m.matches()) {
        String[] kv = presents.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new String[2]);
        kv[m.group(2) == null || "key".equals(m.group(2)) ? 0 : 1] = out;
      }
    }
    for (Map.Entry<Integer, String[]> e : pasts.entrySet()) {
      String[] p = e.getValue();
      String[] q = presents.get(e.getKey());
      int parts = anyStacked ? 1 : 2;
      for (int j = 0; j < parts; j++) {
        if (p[j] == null) {
          throw unknown(file, "layer " + e.getKey() + " has no past " + (j == 0 ? "key" : "value")
              + " input", inputs, outputs);
        }
        if (q == null || q[j] == null) {
          throw unknown(file, "no present output for cache input " + p[j], inputs, outputs);
        }
        pastNames.add(p[j]);
        presentNames.add(q[j]);
      }
    }
    return anyStacked ? KvCacheFormat.STACKED : KvCacheFormat.SEPARATE;
  }

  private static String require(String name, Map<String, NodeInfo> where, Path file,
      Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
    if (!where.containsKey(name)) {
      throw unknown(file, "expected '" + name + "'", inputs, outputs);
    }
    return name;
  }

  private static Optional<Port> optionalPort(String name, Map<String, NodeInfo> inputs,
      Set<String> used, Path file, Map<String, NodeInfo> outputs, OnnxJavaType... allowed) {
    if (!inputs.containsKey(name)) {
      return Optional.empty();
    }
    used.add(name);
    return Optional.of(port(name, inputs, file, inputs, outputs, allowed));
  }

  private static Port port(String name, Map<String, NodeInfo> where, Path file,
      Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs, OnnxJavaType... allowed) {
    NodeInfo info = where.get(name);
    if (!(info.getInfo() instanceof TensorInfo)) {
      throw unknown(file, "'" + name + "' is not a tensor", inputs, outputs);
    }
    OnnxJavaType t = ((TensorInfo) info.getInfo()).type;
    for (OnnxJavaType a : allowed) {
      if (a == t) {
        return new Port(name, t);
      }
    }
    throw unknown(file, "'" + name + "' has element type " + t + ", expected one of "
        + List.of(allowed), inputs, outputs);
  }

  private static TensorInfo tensorInfo(NodeInfo info) {
    return (TensorInfo) info.getInfo();
  }

  private static long[] shape(NodeInfo info) {
    return tensorInfo(info).getShape();
  }

  private static int dimOrConfig(long dim, OptionalInt fallback, Path file, String what) {
    if (dim > 0) {
      return Math.toIntExact(dim);
    }
    if (fallback.isPresent() && fallback.getAsInt() > 0) {
      return fallback.getAsInt();
    }
    throw new ModelLoadException(file + ": the cache " + what + " dimension is dynamic and no"
        + " config.json or genai_config.json gives it");
  }

  static OptionalInt firstOf(OptionalInt... options) {
    for (OptionalInt o : options) {
      if (o.isPresent()) {
        return o;
      }
    }
    return OptionalInt.empty();
  }

  private static OptionalInt divide(OptionalInt a, OptionalInt b) {
    if (a.isPresent() && b.isPresent() && b.getAsInt() > 0) {
      return OptionalInt.of(a.getAsInt() / b.getAsInt());
    }
    return OptionalInt.empty();
  }

  private static ModelLoadException unknown(Path file, String why, Map<String, NodeInfo> inputs,
      Map<String, NodeInfo> outputs) {
    return new ModelLoadException(file + " has an unknown decoder layout: " + why + ". Inputs: "
        + describe(inputs) + "; outputs: " + describe(outputs) + ". Expected input_ids,"
        + " attention_mask, optional position_ids, and either no cache, or"
        + " past_key_values.%d.key|value → present.%d.key|value, or past_%d → present_%d"
        + " (or names from genai_config.json)");
  }

  private static String describe(Map<String, NodeInfo> infos) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
      if (e.getValue().getInfo() instanceof TensorInfo) {
        TensorInfo t = (TensorInfo) e.getValue().getInfo();
        out.add(e.getKey() + " " + t.type + java.util.Arrays.toString(t.getShape()));
      } else {
        out.add(e.getKey());
      }
    }
    return out.toString();
  }
}

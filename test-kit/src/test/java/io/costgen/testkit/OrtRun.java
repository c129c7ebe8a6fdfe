package io.costgen.testkit;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: runs a generated decoder file with plain ONNX Runtime calls. Every tensor it
 * creates is closed by {@link #close()}; results are copied into Java arrays, and presents are
 * kept as copies that the next call turns into past tensors.
 */
final class OrtRun implements AutoCloseable {

  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  private final OrtSession session;
  private final List<OnnxTensor> owned = new ArrayList<>();

  OrtRun(Path modelFile) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      this.session = ENV.createSession(modelFile.toString(), options);
    }
  }

  OrtSession session() {
    return session;
  }

  /** One call's outputs, copied: logits [batch][seq][vocab] and presents by name. */
  record Output(float[][][] logits, Map<String, float[]> presents, Map<String, long[]> shapes) {}

  OnnxTensor longs(long[][] rows) throws OrtException {
    int b = rows.length;
    int s = rows[0].length;
    long[] flat = new long[b * s];
    for (int i = 0; i < b; i++) {
      System.arraycopy(rows[i], 0, flat, i * s, s);
    }
    return own(OnnxTensor.createTensor(ENV, LongBuffer.wrap(flat), new long[] {b, s}));
  }

  OnnxTensor floats(float[] data, long[] shape) throws OrtException {
    return own(OnnxTensor.createTensor(ENV, FloatBuffer.wrap(data), shape));
  }

  OnnxTensor bool(boolean value) throws OrtException {
    return own(OnnxTensor.createTensor(ENV, new boolean[] {value}));
  }

  private OnnxTensor own(OnnxTensor t) {
    owned.add(t);
    return t;
  }

  /**
   * Runs with ids/mask/positions plus {@code extra} inputs (pasts, use_cache_branch), or with
   * pasts built from {@code previous} presents when {@code previous} is non-null.
   */
  Output run(long[][] ids, long[][] mask, long[][] positions, Map<String, OnnxTensor> extra)
      throws OrtException {
    Map<String, OnnxTensorLike> in = new HashMap<>();
    in.put("input_ids", longs(ids));
    in.put("attention_mask", longs(mask));
    in.put("position_ids", longs(positions));
    in.putAll(extra);
    try (OrtSession.Result result = session.run(in)) {
      float[][][] logits = null;
      Map<String, float[]> presents = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (Map.Entry<String, OnnxValue> e : result) {
        OnnxTensor t = (OnnxTensor) e.getValue();
        long[] shape = t.getInfo().getShape();
        FloatBuffer fb = t.getFloatBuffer();
        float[] data = new float[fb.remaining()];
        fb.get(data);
        shapes.put(e.getKey(), shape);
        if (e.getKey().equals("logits")) {
          logits = new float[(int) shape[0]][(int) shape[1]][];
          int v = (int) shape[2];
          for (int b = 0; b < shape[0]; b++) {
            for (int s = 0; s < shape[1]; s++) {
              logits[b][s] = java.util.Arrays.copyOfRange(
                  data, (int) ((b * shape[1] + s) * v), (int) ((b * shape[1] + s + 1) * v));
            }
          }
        } else {
          presents.put(e.getKey(), data);
        }
      }
      return new Output(logits, presents, shapes);
    }
  }

  /** Past inputs from the presents of a previous call ({@code present.i.x} → {@code past_key_values.i.x}). */
  Map<String, OnnxTensor> pastsFrom(Output previous) throws OrtException {
    Map<String, OnnxTensor> pasts = new HashMap<>();
    for (Map.Entry<String, float[]> e : previous.presents().entrySet()) {
      String name = e.getKey().replace("present.", "past_key_values.");
      pasts.put(name, floats(e.getValue(), previous.shapes().get(e.getKey())));
    }
    return pasts;
  }

  /** Past inputs of {@code length} positions filled with {@code value}. */
  Map<String, OnnxTensor> pasts(SyntheticModel m, int batch, int length, float value)
      throws OrtException {
    Map<String, OnnxTensor> pasts = new HashMap<>();
    long[] shape = {batch, m.kvHeads(), length, m.headSize()};
    float[] data = new float[batch * m.kvHeads() * length * m.headSize()];
    java.util.Arrays.fill(data, value);
    for (int l = 0; l < m.layers(); l++) {
      pasts.put("past_key_values." + l + ".key", floats(data, shape));
      pasts.put("past_key_values." + l + ".value", floats(data, shape));
    }
    return pasts;
  }

  @Override
  public void close() throws OrtException {
    for (OnnxTensor t : owned) {
      t.close();
    }
    owned.clear();
    session.close();
  }
}

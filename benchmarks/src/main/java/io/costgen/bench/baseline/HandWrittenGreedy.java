package io.costgen.bench.baseline;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ceiling: a minimal greedy decode loop written by hand against the ONNX Runtime Java API,
 * with no costgen code at all (this file imports only {@code ai.onnxruntime} and the JDK; a
 * harness test checks it). It does what a careful user would write for one model:
 *
 * <ul>
 *   <li>prefill with an empty past, then one run per token;
 *   <li>the {@code present*} outputs of a run are fed natively as the next run's {@code past*}
 *       inputs (the producing result is closed after the consuming run returns);
 *   <li>logits are written by ONNX Runtime into a pinned direct buffer reused across runs and
 *       calls, and the argmax reads it in place;
 *   <li>ids, positions and mask live in direct buffers reused across runs and calls.
 * </ul>
 *
 * <p>Inputs and outputs are found by name from the session (ids, optional {@code attention_mask}
 * and {@code position_ids}; every other input is a past, paired with the output whose name has
 * {@code past} replaced by {@code present}), so the same loop runs the Optimum layout
 * ({@code past_key_values.N.key}), the legacy stacked GPT-2 layout ({@code past_N}), int32 or
 * int64 ids and float32 or float16 logits. Rows of a batch have equal prompt lengths (no
 * padding). No EOS handling: it always generates {@code newTokens} tokens per row. Not
 * thread-safe.
 */
public final class HandWrittenGreedy implements AutoCloseable {

  /** Nanosecond timestamps of one {@link #generate} call. */
  public static final class Timing {
    /** From the call's start until the first token of every row was chosen. */
    public long firstTokenNanos;
    /** The whole call. */
    public long totalNanos;
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String idsName;
  private final OnnxJavaType idsType;
  private final String maskName;
  private final OnnxJavaType maskType;
  private final String positionsName;
  private final OnnxJavaType positionsType;
  private final List<String> pastNames = new ArrayList<>();
  private final List<String> presentNames = new ArrayList<>();
  private final List<long[]> pastShapes = new ArrayList<>();
  private final OnnxJavaType kvType;
  private final String logitsName;
  private final OnnxJavaType logitsType;
  private final boolean logitsPerPosition;
  private final int vocab;
  private final Set<String> requested;

  private ByteBuffer ids = direct(64 * 8);
  private ByteBuffer positions = direct(64 * 8);
  private ByteBuffer mask = direct(1024 * 8);
  private ByteBuffer logits = direct(4);

  /**
   * Opens {@code modelFile} with {@code options} (the caller keeps and closes the options).
   */
  public HandWrittenGreedy(Path modelFile, OrtSession.SessionOptions options) throws OrtException {
    this.env = OrtEnvironment.getEnvironment();
    this.session = env.createSession(modelFile.toString(), options);
    try {
      Map<String, NodeInfo> in = session.getInputInfo();
      Map<String, NodeInfo> out = session.getOutputInfo();
      String idsN = null;
      String maskN = null;
      String posN = null;
      OnnxJavaType kv = OnnxJavaType.FLOAT;
      for (Map.Entry<String, NodeInfo> e : in.entrySet()) {
        String name = e.getKey();
        TensorInfo info = (TensorInfo) e.getValue().getInfo();
        if (name.equals("input_ids")) {
          idsN = name;
        } else if (name.equals("attention_mask")) {
          maskN = name;
        } else if (name.equals("position_ids")) {
          posN = name;
        } else if (name.contains("past")) {
          String present = name.replace("past_key_values", "present").replace("past", "present");
          if (!out.containsKey(present)) {
            throw new IllegalStateException("no output " + present + " for input " + name);
          }
          pastNames.add(name);
          presentNames.add(present);
          pastShapes.add(info.getShape());
          kv = info.type;
        } else {
          throw new IllegalStateException("unexpected input " + name);
        }
      }
      if (idsN == null) {
        throw new IllegalStateException("no input_ids input");
      }
      this.idsName = idsN;
      this.idsType = ((TensorInfo) in.get(idsN).getInfo()).type;
      this.maskName = maskN;
      this.maskType = maskN == null ? null : ((TensorInfo) in.get(maskN).getInfo()).type;
      this.positionsName = posN;
      this.positionsType = posN == null ? null : ((TensorInfo) in.get(posN).getInfo()).type;
      this.kvType = kv;
      this.logitsName = "logits";
      TensorInfo li = (TensorInfo) out.get(logitsName).getInfo();
      this.logitsType = li.type;
      this.logitsPerPosition = li.getShape().length == 3;
      long[] ls = li.getShape();
      this.vocab = (int) ls[ls.length - 1];
      this.requested = new LinkedHashSet<>(presentNames);
    } catch (OrtException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Vocabulary size (width of a logits row). */
  public int vocab() {
    return vocab;
  }

  /**
   * Greedy-decodes {@code newTokens} tokens for each row of {@code prompts} (equal lengths).
   *
   * @return the generated ids, {@code [rows][newTokens]}
   */
  public long[][] generate(long[][] prompts, int newTokens, Timing timing) throws OrtException {
    long start = System.nanoTime();
    int b = prompts.length;
    int s = prompts[0].length;
    long[][] generated = new long[b][newTokens];
    long[] next = new long[b];
    Map<String, OnnxTensorLike> inputs = new HashMap<>();
    List<OnnxTensor> emptyPasts = new ArrayList<>();
    OrtSession.Result previous = null;
    try {
      // ---- prefill: the whole prompt, empty past
      ids = ensure(ids, (long) b * s * 8);
      for (int r = 0; r < b; r++) {
        for (int c = 0; c < s; c++) {
          putInt(ids, idsType, r * s + c, prompts[r][c]);
        }
      }
      for (int i = 0; i < pastNames.size(); i++) {
        long[] shape = pastShapes.get(i).clone();
        int batchAxis = shape.length == 5 ? 1 : 0;
        shape[batchAxis] = b;
        shape[shape.length - 2] = 0;
        OnnxTensor empty = OnnxTensor.createTensor(env, direct(0), shape, kvType);
        emptyPasts.add(empty);
        inputs.put(pastNames.get(i), empty);
      }
      previous = run(inputs, b, 0, s);
      argmax(b, logitsPerPosition ? s : 1, next);
      for (int r = 0; r < b; r++) {
        generated[r][0] = next[r];
      }
      timing.firstTokenNanos = System.nanoTime() - start;

      // ---- decode: one token per row per run, the presents fed back as pasts. The ids,
      // positions and logits tensors keep their shape, so they are created once and their
      // buffers rewritten in place; the mask grows by one column per run.
      if (newTokens > 1) {
        int elem = logitsType == OnnxJavaType.FLOAT ? 4 : 2;
        logits = ensure(logits, (long) b * vocab * elem);
        positions = ensure(positions, (long) b * 8);
        try (OnnxTensor idsT = tensor(ids, idsType, b, 1);
            OnnxTensor posT = tensor(positions, positionsType == null ? OnnxJavaType.INT64 : positionsType, b, 1);
            OnnxTensor logitsT = logitsTensor(b, 1)) {
          inputs.put(idsName, idsT);
          if (positionsName != null) {
            inputs.put(positionsName, posT);
          }
          Map<String, OnnxValue> pinned = Map.of(logitsName, logitsT);
          for (int t = 1; t < newTokens; t++) {
            int past = s + t - 1;
            for (int r = 0; r < b; r++) {
              putInt(ids, idsType, r, next[r]);
              if (positionsName != null) {
                putInt(positions, positionsType, r, past);
              }
            }
            for (int i = 0; i < pastNames.size(); i++) {
              inputs.put(pastNames.get(i), (OnnxTensor) previous.get(presentNames.get(i)).get());
            }
            OrtSession.Result result;
            if (maskName != null) {
              mask = ensure(mask, (long) b * (past + 1) * 8);
              for (int i = 0; i < b * (past + 1); i++) {
                putInt(mask, maskType, i, 1);
              }
              try (OnnxTensor m = tensor(mask, maskType, b, past + 1)) {
                inputs.put(maskName, m);
                result = session.run(inputs, requested, pinned);
              }
            } else {
              result = session.run(inputs, requested, pinned);
            }
            previous.close();
            previous = result;
            argmax(b, 1, next);
            for (int r = 0; r < b; r++) {
              generated[r][t] = next[r];
            }
          }
        }
      }
    } finally {
      if (previous != null) {
        previous.close();
      }
      for (OnnxTensor t : emptyPasts) {
        t.close();
      }
    }
    timing.totalNanos = System.nanoTime() - start;
    return generated;
  }

  /** The prefill run over {@code len} positions (empty past); ids already written. */
  private OrtSession.Result run(Map<String, OnnxTensorLike> inputs, int b, int past, int len)
      throws OrtException {
    int total = past + len;
    List<OnnxTensor> temporaries = new ArrayList<>(4);
    try {
      OnnxTensor idsT = tensor(ids, idsType, b, len);
      temporaries.add(idsT);
      inputs.put(idsName, idsT);
      if (maskName != null) {
        mask = ensure(mask, (long) b * total * 8);
        for (int i = 0; i < b * total; i++) {
          putInt(mask, maskType, i, 1);
        }
        OnnxTensor m = tensor(mask, maskType, b, total);
        temporaries.add(m);
        inputs.put(maskName, m);
      }
      if (positionsName != null) {
        positions = ensure(positions, (long) b * len * 8);
        for (int r = 0; r < b; r++) {
          for (int c = 0; c < len; c++) {
            putInt(positions, positionsType, r * len + c, past + c);
          }
        }
        OnnxTensor p = tensor(positions, positionsType, b, len);
        temporaries.add(p);
        inputs.put(positionsName, p);
      }
      int rowsOut = logitsPerPosition ? len : 1;
      int elem = logitsType == OnnxJavaType.FLOAT ? 4 : 2;
      logits = ensure(logits, (long) b * rowsOut * vocab * elem);
      OnnxTensor logitsT = logitsTensor(b, rowsOut);
      temporaries.add(logitsT);
      return session.run(inputs, requested, Map.of(logitsName, logitsT));
    } finally {
      for (OnnxValue v : temporaries) {
        v.close();
      }
    }
  }

  /** A tensor over the pinned logits buffer: {@code [b, positions, vocab]} (or {@code [b, vocab]}). */
  private OnnxTensor logitsTensor(int b, int rowsOut) throws OrtException {
    int elem = logitsType == OnnxJavaType.FLOAT ? 4 : 2;
    long[] shape = logitsPerPosition ? new long[] {b, rowsOut, vocab} : new long[] {b, vocab};
    ByteBuffer view = logits.duplicate().order(ByteOrder.nativeOrder());
    view.limit(b * rowsOut * vocab * elem);
    return OnnxTensor.createTensor(env, view, shape, logitsType);
  }

  /** Argmax (lowest id on ties) of each row's last position, read in place. */
  private void argmax(int b, int positionsPerRow, long[] next) {
    if (logitsType == OnnxJavaType.FLOAT) {
      FloatBuffer f = logits.asFloatBuffer();
      for (int r = 0; r < b; r++) {
        int base = (r * positionsPerRow + positionsPerRow - 1) * vocab;
        int best = 0;
        float bestValue = f.get(base);
        for (int v = 1; v < vocab; v++) {
          float x = f.get(base + v);
          if (x > bestValue) {
            bestValue = x;
            best = v;
          }
        }
        next[r] = best;
      }
    } else {
      ShortBuffer h = logits.asShortBuffer();
      for (int r = 0; r < b; r++) {
        int base = (r * positionsPerRow + positionsPerRow - 1) * vocab;
        int best = 0;
        float bestValue = Fp16Conversions.fp16ToFloat(h.get(base));
        for (int v = 1; v < vocab; v++) {
          float x = Fp16Conversions.fp16ToFloat(h.get(base + v));
          if (x > bestValue) {
            bestValue = x;
            best = v;
          }
        }
        next[r] = best;
      }
    }
  }

  private OnnxTensor tensor(ByteBuffer buffer, OnnxJavaType type, long d0, long d1)
      throws OrtException {
    int elem = type == OnnxJavaType.INT64 ? 8 : 4;
    ByteBuffer view = buffer.duplicate().order(ByteOrder.nativeOrder());
    view.limit((int) (d0 * d1 * elem));
    return OnnxTensor.createTensor(env, view, new long[] {d0, d1}, type);
  }

  private static void putInt(ByteBuffer buffer, OnnxJavaType type, int index, long value) {
    if (type == OnnxJavaType.INT64) {
      buffer.putLong(index * 8, value);
    } else {
      buffer.putInt(index * 4, (int) value);
    }
  }

  private static ByteBuffer ensure(ByteBuffer buffer, long bytes) {
    if (buffer.capacity() >= bytes) {
      return buffer;
    }
    return direct(Math.max(bytes, 2L * buffer.capacity()));
  }

  private static ByteBuffer direct(long bytes) {
    return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}

package io.costgen.onnx.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.costgen.core.BackendException;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.GenerationCancelledException;
import io.costgen.core.spi.Logits;
import io.costgen.onnx.OnnxModelLayout;
import io.costgen.onnx.OnnxModelLayout.KvCacheFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime {@link DecoderSession}: per-row left padding, attention mask {@code [B,
 * total]} (0 on padding), {@code position_ids = cumsum(mask) - 1} (1 on padding), the cache fed
 * from each run's {@code present*} outputs straight into the next run's {@code past*} inputs
 * (the producing result stays open until the consuming run returns), and logits written by ONNX
 * Runtime into a pinned, reused direct buffer ({@code [B, S, V]} for a prefill, {@code [B, 1, V]}
 * for a step), of which only each row's last position is read.
 *
 * <p>A graph without cache inputs is run on the whole sequence every call (ids kept in Java).
 * An Optimum merged decoder gets {@code use_cache_branch = false} with a zero-length cache on the
 * first run and {@code true} afterwards.
 *
 * <p>{@link #prefill} accepts {@code null} for "no padding", and allows padding in a later chunk
 * for rows that hold no token yet (a row's padding stays a prefix of its cache), so a
 * left-padded batch can be prefilled in chunks. Token ids outside {@code [0, vocab)} are
 * rejected (padding positions are not checked). After {@link #cancel()} every further run of
 * this session throws {@link GenerationCancelledException}. Not thread-safe except
 * {@link #cancel()}.
 */
public final class OnnxDecoderSession implements DecoderSession {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxDecoderSession.class);

  private final OnnxModel model;
  private final OnnxModelLayout layout;
  private final OrtEnvironment env;
  private final RunBuffers buf;
  private final OrtSession.RunOptions runOptions;
  private final LogitsView logits;
  private final HashMap<String, OnnxTensorLike> inputs = new HashMap<>();
  private final HashMap<String, OnnxValue> pinned = new HashMap<>(4);
  private final Object lifecycle = new Object();
  private final boolean hasCache;
  private final int batchAxis;
  private final int seqAxis;
  private final int vocab;
  private final List<String> pastNames;
  private final Set<String> requested;

  private int rows;
  private int cached;
  private int[] pad = new int[0];
  private int[] nextPad = new int[0];
  private KvCache kv;
  private long[] history = new long[0];
  private int historyStride;
  private volatile boolean cancelled;
  private boolean closed;

  OnnxDecoderSession(OnnxModel model, RunBuffers buffers) {
    this.model = model;
    this.layout = model.layout();
    this.env = model.env();
    this.buf = buffers;
    this.hasCache = layout.kvCacheFormat() != KvCacheFormat.NONE;
    this.batchAxis = layout.kvCacheFormat() == KvCacheFormat.STACKED ? 1 : 0;
    this.seqAxis = layout.kvCacheFormat() == KvCacheFormat.STACKED ? 3 : 2;
    this.vocab = layout.vocabSize();
    this.pastNames = layout.pastNames();
    this.requested = model.presentNames();
    this.logits = new LogitsView(layout.logits().type(), vocab);
    try {
      this.runOptions = new OrtSession.RunOptions();
    } catch (OrtException e) {
      throw new BackendException("Cannot create ONNX Runtime run options for "
          + layout.modelFile() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Logits prefill(long[][] tokenIds, int[] leftPadding) {
    checkOpen();
    Objects.requireNonNull(tokenIds, "tokenIds");
    int b = tokenIds.length;
    if (b == 0) {
      throw new IllegalArgumentException("tokenIds: 0 rows; a prefill needs at least one row");
    }
    if (tokenIds[0] == null || tokenIds[0].length == 0) {
      throw new IllegalArgumentException("tokenIds[0]: empty; a prefill needs at least one token");
    }
    int s = tokenIds[0].length;
    if (leftPadding != null && leftPadding.length != b) {
      throw new IllegalArgumentException("leftPadding: length " + leftPadding.length
          + " must equal the number of rows (" + b + ")");
    }
    if (rows != 0 && b != rows) {
      throw new IllegalArgumentException("tokenIds: " + b + " rows, but this session has " + rows
          + " rows (later prefills must pass the same rows)");
    }
    if (nextPad.length < b) {
      nextPad = new int[b];
    }
    for (int r = 0; r < b; r++) {
      if (tokenIds[r] == null || tokenIds[r].length != s) {
        throw new IllegalArgumentException("tokenIds[" + r + "]: length "
            + (tokenIds[r] == null ? "null" : tokenIds[r].length)
            + " differs from row 0 (" + s + "); left-pad rows to equal length");
      }
      int p = leftPadding == null ? 0 : leftPadding[r];
      if (p < 0 || p > s) {
        throw new IllegalArgumentException(
            "leftPadding[" + r + "]: " + p + " not in [0, " + s + "]");
      }
      int before = rows == 0 ? 0 : pad[r];
      if (p > 0 && cached - before > 0) {
        throw new IllegalArgumentException("leftPadding[" + r + "]: " + p + " but row " + r
            + " already holds tokens; only positions before a row's first token may be padding");
      }
      if (p > 0 && layout.attentionMask().isEmpty()) {
        throw new IllegalArgumentException("leftPadding[" + r + "]: " + p + " but "
            + layout.modelFile() + " has no attention_mask input, so it cannot pad");
      }
      for (int c = p; c < s; c++) {
        checkId(tokenIds[r][c], r, c);
      }
      nextPad[r] = before + p;
    }

    int total = cached + s;
    int fedStart = hasCache ? cached : 0;
    int fedLen = total - fedStart;
    try {
      buf.ids.ensureCapacity((long) b * fedLen);
      if (hasCache) {
        for (int r = 0; r < b; r++) {
          int p = nextPad[r] - (rows == 0 ? 0 : pad[r]);
          for (int c = 0; c < s; c++) {
            buf.ids.putIndex(r * s + c, c < p ? 0 : tokenIds[r][c]);
          }
        }
      } else {
        ensureHistory(b, total);
        for (int r = 0; r < b; r++) {
          int p = nextPad[r] - (rows == 0 ? 0 : pad[r]);
          for (int c = 0; c < s; c++) {
            history[r * historyStride + cached + c] = c < p ? 0 : tokenIds[r][c];
          }
          for (int c = 0; c < total; c++) {
            buf.ids.putIndex(r * total + c, history[r * historyStride + c]);
          }
        }
      }
      return forward(b, fedStart, fedLen, total);
    } catch (OrtException e) {
      throw runFailure(e);
    }
  }

  @Override
  public Logits step(long[] tokenIds) {
    checkOpen();
    Objects.requireNonNull(tokenIds, "tokenIds");
    if (rows == 0) {
      throw new IllegalStateException("step() before prefill(): the session has no rows");
    }
    if (tokenIds.length != rows) {
      throw new IllegalArgumentException(
          "tokenIds: length " + tokenIds.length + " must equal rows() (" + rows + ")");
    }
    for (int r = 0; r < rows; r++) {
      checkId(tokenIds[r], r, 0);
    }
    System.arraycopy(pad, 0, nextPad, 0, rows);
    int total = cached + 1;
    try {
      if (hasCache) {
        buf.ids.ensureCapacity(rows);
        for (int r = 0; r < rows; r++) {
          buf.ids.putIndex(r, tokenIds[r]);
        }
        return forward(rows, cached, 1, total);
      }
      ensureHistory(rows, total);
      buf.ids.ensureCapacity((long) rows * total);
      for (int r = 0; r < rows; r++) {
        history[r * historyStride + cached] = tokenIds[r];
        for (int c = 0; c < total; c++) {
          buf.ids.putIndex(r * total + c, history[r * historyStride + c]);
        }
      }
      return forward(rows, 0, total, total);
    } catch (OrtException e) {
      throw runFailure(e);
    }
  }

  /**
   * Writes positions and mask, runs, and commits the new state. The ids of the fed positions
   * {@code [fedStart, fedStart + fedLen)} are already in {@code buf.ids}; {@code nextPad} holds
   * the padding after this run.
   */
  private Logits forward(int b, int fedStart, int fedLen, int total) throws OrtException {
    // The same keys every run: put() replaces values without allocating map nodes.
    inputs.put(layout.inputIds().name(), buf.ids.tensor(env, b, fedLen));
    if (layout.attentionMask().isPresent()) {
      buf.mask.ensureCapacity((long) b * total);
      for (int r = 0; r < b; r++) {
        int p = nextPad[r];
        int base = r * total;
        for (int c = 0; c < total; c++) {
          buf.mask.putIndex(base + c, c < p ? 0 : 1);
        }
      }
      inputs.put(layout.attentionMask().get().name(), buf.mask.tensor(env, b, total));
    }
    if (layout.positionIds().isPresent()) {
      buf.positions.ensureCapacity((long) b * fedLen);
      for (int r = 0; r < b; r++) {
        int p = nextPad[r];
        int base = r * fedLen;
        for (int c = 0; c < fedLen; c++) {
          int a = fedStart + c;
          buf.positions.putIndex(base + c, a < p ? 1 : a - p);
        }
      }
      inputs.put(layout.positionIds().get().name(), buf.positions.tensor(env, b, fedLen));
    }
    if (layout.useCacheBranch().isPresent()) {
      TensorSlot flag = cached > 0 ? buf.cacheFlagTrue : buf.cacheFlagFalse;
      inputs.put(layout.useCacheBranch().get().name(), flag.tensor(env, 1));
    }
    KvCache past = null;
    if (hasCache) {
      past = kv != null ? kv
          : KvCache.borrowedEmpty(buf.emptyCache(env, b), pastNames.size(), b);
      for (int i = 0; i < pastNames.size(); i++) {
        inputs.put(pastNames.get(i), past.tensor(i));
      }
    }
    int positionsOut = model.logitsPositions(fedLen);
    OnnxTensor logitsTensor = model.logitsPerPosition()
        ? buf.logits.tensor(env, b, positionsOut, vocab)
        : buf.logits.tensor(env, b, vocab);
    pinned.put(layout.logits().name(), logitsTensor);

    OrtSession.Result result = model.run(inputs, requested, pinned, runOptions);
    if (hasCache) {
      KvCache produced = KvCache.fromResult(result, layout.presentNames(), b, total);
      if (kv != null) {
        kv.close(); // the consuming run has returned: release the previous presents
      }
      kv = produced;
    } else {
      result.close(); // owns nothing: the logits were pinned
    }
    if (pad.length < b) {
      pad = new int[b];
    }
    System.arraycopy(nextPad, 0, pad, 0, b);
    rows = b;
    cached = total;
    logits.set(buf.logits.bytes(), b, positionsOut);
    return logits;
  }

  private void ensureHistory(int b, int total) {
    if (total <= historyStride && history.length >= b * historyStride) {
      return;
    }
    int stride = Math.max(total, Math.max(16, historyStride * 2));
    long[] grown = new long[Math.multiplyExact(b, stride)];
    for (int r = 0; r < Math.min(rows, b); r++) {
      System.arraycopy(history, r * historyStride, grown, r * stride, cached);
    }
    history = grown;
    historyStride = stride;
  }

  @Override
  public void selectRows(int[] sel) {
    checkOpen();
    Objects.requireNonNull(sel, "rows");
    if (rows == 0) {
      throw new IllegalStateException("selectRows() before prefill(): the session has no rows");
    }
    if (sel.length == 0) {
      throw new IllegalArgumentException("rows: empty; keep at least one row (close the session"
          + " to drop them all)");
    }
    boolean identity = sel.length == rows;
    for (int i = 0; i < sel.length; i++) {
      if (sel[i] < 0 || sel[i] >= rows) {
        throw new IllegalArgumentException(
            "rows[" + i + "]: " + sel[i] + " not in [0, " + rows + ")");
      }
      identity &= sel[i] == i;
    }
    if (identity) {
      return;
    }
    int[] newPad = new int[sel.length];
    int drop = Integer.MAX_VALUE;
    for (int i = 0; i < sel.length; i++) {
      newPad[i] = pad[sel[i]];
      drop = Math.min(drop, newPad[i]);
    }
    // Padding columns every kept row shares carry nothing: drop them, so a batch whose long
    // rows left stops paying for their width. Positions stay as they were (position = column -
    // padding, both shift by the same amount).
    drop = Math.min(drop, cached - 1);
    for (int i = 0; i < sel.length; i++) {
      newPad[i] -= drop;
    }
    if (hasCache) {
      KvCache selected;
      try {
        selected = kv.select(env, sel, batchAxis, seqAxis, drop);
      } catch (OrtException e) {
        throw runFailure(e);
      }
      kv.close();
      kv = selected;
    } else {
      long[] h = new long[Math.multiplyExact(sel.length, historyStride)];
      for (int i = 0; i < sel.length; i++) {
        System.arraycopy(history, sel[i] * historyStride + drop, h, i * historyStride,
            cached - drop);
      }
      history = h;
    }
    cached -= drop;
    pad = newPad;
    nextPad = new int[sel.length];
    rows = sel.length;
  }

  @Override
  public void appendRows(DecoderSession other) {
    checkOpen();
    Objects.requireNonNull(other, "other");
    if (!(other instanceof OnnxDecoderSession) || ((OnnxDecoderSession) other).model != model) {
      throw new IllegalArgumentException("other: must be a session of the same OnnxBackend ("
          + layout.modelFile() + "), got " + other.getClass().getName());
    }
    OnnxDecoderSession o = (OnnxDecoderSession) other;
    if (o == this) {
      throw new IllegalArgumentException("other: cannot append a session to itself");
    }
    if (o.closed) {
      throw new IllegalArgumentException("other: the session is closed");
    }
    if (o.rows == 0) {
      o.close();
      return;
    }
    if (rows == 0) {
      kv = o.kv;
      o.kv = null;
      pad = o.pad;
      nextPad = new int[o.rows];
      history = o.history;
      historyStride = o.historyStride;
      rows = o.rows;
      cached = o.cached;
      o.close();
      return;
    }
    if (cached != o.cached && layout.attentionMask().isEmpty()) {
      throw new IllegalStateException(layout.modelFile() + " has no attention_mask input, so"
          + " sessions of different lengths (" + cached + ", " + o.cached + ") cannot be merged");
    }
    int length = Math.max(cached, o.cached);
    int newRows = rows + o.rows;
    int[] newPad = new int[newRows];
    for (int r = 0; r < rows; r++) {
      newPad[r] = pad[r] + (length - cached);
    }
    for (int r = 0; r < o.rows; r++) {
      newPad[rows + r] = o.pad[r] + (length - o.cached);
    }
    if (hasCache) {
      KvCache merged;
      try {
        merged = KvCache.concat(env, kv, o.kv, batchAxis, seqAxis);
      } catch (OrtException e) {
        throw runFailure(e);
      }
      kv.close();
      kv = merged;
    } else {
      int stride = Math.max(length, 16);
      long[] h = new long[Math.multiplyExact(newRows, stride)];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(history, r * historyStride, h, r * stride + (length - cached), cached);
      }
      for (int r = 0; r < o.rows; r++) {
        System.arraycopy(o.history, r * o.historyStride, h, (rows + r) * stride
            + (length - o.cached), o.cached);
      }
      history = h;
      historyStride = stride;
    }
    pad = newPad;
    nextPad = new int[newRows];
    rows = newRows;
    cached = length;
    o.close();
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cachedPositions() {
    return cached;
  }

  @Override
  public void cancel() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      cancelled = true;
      try {
        runOptions.setTerminate(true);
      } catch (OrtException e) {
        LOG.warn("Cannot set the terminate flag of a run on {}", layout.modelFile(), e);
      }
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      if (kv != null) {
        kv.close();
        kv = null;
      }
    } finally {
      runOptions.close();
      model.sessionClosed(buf);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the session on " + layout.modelFile() + " is closed");
    }
  }

  private void checkId(long id, int row, int col) {
    if (id < 0 || id >= vocab) {
      throw new IllegalArgumentException("tokenIds[" + row + "][" + col + "]: token id " + id
          + " not in [0, " + vocab + ") (the vocabulary of " + layout.modelFile() + ")");
    }
  }

  private RuntimeException runFailure(OrtException e) {
    if (cancelled) {
      return new GenerationCancelledException("Generation cancelled: a run on "
          + layout.modelFile() + " was aborted by cancel() (" + e.getMessage() + ")");
    }
    return new BackendException(
        "ONNX Runtime failed running " + layout.modelFile() + ": " + e.getMessage(), e);
  }

  @Override
  public String toString() {
    return "OnnxDecoderSession[" + layout.modelFile().getFileName() + ", rows=" + rows
        + ", cachedPositions=" + cached + "]";
  }
}

package io.costgen.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.costgen.onnx.OnnxModelLayout;
import io.costgen.onnx.OnnxModelLayout.KvCacheFormat;
import java.nio.ByteBuffer;

/**
 * The reusable native-side inputs and outputs of one session's runs: token ids, positions,
 * attention mask, the pinned logits output, the {@code use_cache_branch} flags and the
 * zero-length first cache. Pooled by {@link OnnxModel} across sessions so that short calls
 * allocate no native memory once warm. Not thread-safe: one session at a time.
 */
final class RunBuffers implements AutoCloseable {

  /**
   * Logits buffers up to this size are kept (and reused by the next session) when a session
   * returns its buffers; larger ones are dropped. 128 MiB covers a 512-token GPT-2 prefill
   * (98 MiB), so repeated long prompts reuse one pinned buffer instead of allocating a new one per
   * call (which only the garbage collector would free).
   */
  static final long KEEP_LOGITS_BYTES = 128L << 20;

  final TensorSlot ids;
  final TensorSlot positions;
  final TensorSlot mask;
  final TensorSlot logits;
  final TensorSlot cacheFlagTrue;
  final TensorSlot cacheFlagFalse;
  private final OnnxModelLayout layout;
  private final int logitsElementBytes;
  private OnnxTensor emptyCache;
  private int emptyCacheRows = -1;

  RunBuffers(OnnxModelLayout layout) {
    this.layout = layout;
    this.ids = new TensorSlot(layout.inputIds().type(), 64);
    this.positions = new TensorSlot(
        layout.positionIds().map(OnnxModelLayout.Port::type).orElse(OnnxJavaType.INT64), 64);
    this.mask = new TensorSlot(
        layout.attentionMask().map(OnnxModelLayout.Port::type).orElse(OnnxJavaType.INT64), 256);
    this.logits = new TensorSlot(layout.logits().type(), layout.vocabSize());
    this.logitsElementBytes = TensorSlot.elementBytes(layout.logits().type());
    this.cacheFlagTrue = new TensorSlot(OnnxJavaType.BOOL, 1);
    this.cacheFlagTrue.putIndex(0, 1);
    this.cacheFlagFalse = new TensorSlot(OnnxJavaType.BOOL, 1);
    this.cacheFlagFalse.putIndex(0, 0);
  }

  /** A zero-length cache tensor for {@code rows} rows ({@code [B,H,0,D]} or {@code [2,B,H,0,D]}). */
  OnnxTensor emptyCache(OrtEnvironment env, int rows) throws OrtException {
    if (emptyCache != null && emptyCacheRows == rows) {
      return emptyCache;
    }
    if (emptyCache != null) {
      emptyCache.close();
      emptyCache = null;
    }
    long[] shape = layout.kvCacheFormat() == KvCacheFormat.STACKED
        ? new long[] {2, rows, layout.kvHeads(), 0, layout.headSize()}
        : new long[] {rows, layout.kvHeads(), 0, layout.headSize()};
    ByteBuffer none = ByteBuffer.allocateDirect(0);
    emptyCache = OnnxTensor.createTensor(env, none, shape, layout.kvCacheType());
    emptyCacheRows = rows;
    return emptyCache;
  }

  /** Shrinks an oversized logits buffer (after a long prefill) before reuse. */
  void trimForReuse() {
    if (logits.capacity() * logitsElementBytes > KEEP_LOGITS_BYTES) {
      logits.shrinkTo(layout.vocabSize());
    }
  }

  @Override
  public void close() {
    ids.close();
    positions.close();
    mask.close();
    logits.close();
    cacheFlagTrue.close();
    cacheFlagFalse.close();
    if (emptyCache != null) {
      emptyCache.close();
      emptyCache = null;
    }
  }
}

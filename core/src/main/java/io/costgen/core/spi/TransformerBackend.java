package io.costgen.core.spi;

import io.costgen.core.ModelInfo;

/**
 * The pluggable part: a loaded decoder-only transformer that can open per-call
 * {@link DecoderSession}s. The ONNX Runtime implementation is {@code io.costgen.onnx.OnnxBackend}.
 *
 * <p>Implementations must be thread-safe: several threads may open and use sessions
 * concurrently (each session is used by one thread at a time). {@link #close()} must only be
 * called once no session is in use.
 */
public interface TransformerBackend extends AutoCloseable {

  /** What the model is: shape, vocabulary, special tokens, KV dtype, context length. */
  ModelInfo modelInfo();

  /** Opens an empty session (no rows, empty KV cache). The caller must close it. */
  DecoderSession openSession();

  /** Releases the model. Sessions must be closed first. */
  @Override
  void close();
}

package io.costgen.onnx;

/**
 * Where ONNX Runtime runs the model.
 *
 * <p>{@link #CUDA} needs the {@code com.microsoft.onnxruntime:onnxruntime_gpu} artifact (instead
 * of {@code onnxruntime}), the CUDA and cuDNN libraries it was built against, and an NVIDIA GPU;
 * {@link OnnxBackend.Builder#build()} checks {@code OrtEnvironment.getAvailableProviders()} and
 * fails with a clear message otherwise.
 */
public enum ExecutionProvider {
  /** ONNX Runtime's default CPU provider (always available). */
  CPU,
  /** The CUDA provider on the GPU chosen by {@link OnnxBackend.Builder#deviceId(int)}. */
  CUDA
}

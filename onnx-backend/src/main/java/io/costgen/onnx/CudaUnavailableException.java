package io.costgen.onnx;

import io.costgen.cost.CostgenException;
import java.util.List;
import java.util.Objects;

/**
 * {@link ExecutionProvider#CUDA} was requested but cannot run here: the message is
 * {@code "CUDA not available: missing X, Y; install ..."}, naming each missing piece — the
 * {@code onnxruntime_gpu} artifact, or CUDA/cuDNN shared libraries such as
 * {@code libcublasLt.so.12} — and what to install. Thrown by {@link OnnxBackend.Builder#build()}
 * before ONNX Runtime tries (and fails, with a native error log) to load its CUDA provider.
 * Unchecked; immutable.
 */
public class CudaUnavailableException extends CostgenException {
  private static final long serialVersionUID = 1L;

  private final List<String> missing;

  /**
   * @param missing what is missing, each as a user would look for it (an artifact coordinate or a
   *     shared library file name); not empty
   * @param install what to install or set, one sentence
   */
  public CudaUnavailableException(List<String> missing, String install) {
    this(missing, install, null);
  }

  /**
   * @param missing what is missing; not empty
   * @param install what to install or set, one sentence
   * @param cause the runtime's own error, when it had one
   */
  public CudaUnavailableException(List<String> missing, String install, Throwable cause) {
    super("CUDA not available: missing " + String.join(", ", requireNonEmpty(missing)) + "; install "
        + Objects.requireNonNull(install, "install"), cause);
    this.missing = List.copyOf(missing);
  }

  /** What is missing: artifact coordinates or shared library file names, in the message's order. */
  public List<String> missing() {
    return missing;
  }

  private static List<String> requireNonEmpty(List<String> missing) {
    if (Objects.requireNonNull(missing, "missing").isEmpty()) {
      throw new IllegalArgumentException("missing: must name at least one missing piece");
    }
    return missing;
  }
}

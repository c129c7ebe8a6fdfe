package io.costgen.onnx.graph;

/**
 * Where {@link OnnxModelFile} puts the weights.
 *
 * <p>External data follows the ONNX external-data convention: each large tensor's
 * {@code TensorProto} has {@code data_location = EXTERNAL} and {@code location}/{@code offset}/
 * {@code length} entries pointing into one file beside the model ({@code <model file>.data}),
 * offsets aligned to 4096 bytes so runtimes may memory-map it.
 */
public enum WeightStorage {
  /** External data when the weights exceed a threshold the writer is given. */
  AUTO,
  /** Every tensor inside the {@code .onnx} file (protobuf limits the file to 2 GiB). */
  INLINE,
  /** Every parameter tensor in the external data file; small constants stay inline. */
  EXTERNAL
}

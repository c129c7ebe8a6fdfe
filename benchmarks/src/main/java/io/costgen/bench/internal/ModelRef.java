package io.costgen.bench.internal;

/**
 * One model file to benchmark.
 *
 * @param dir the model folder (as passed to {@code OnnxBackend})
 * @param file the {@code .onnx} file name inside it
 */
public record ModelRef(String dir, String file) {
  public java.nio.file.Path path() {
    return java.nio.file.Path.of(dir).resolve(file);
  }
}

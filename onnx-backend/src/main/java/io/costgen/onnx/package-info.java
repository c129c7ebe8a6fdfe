/**
 * The ONNX Runtime backend of costgen: {@link io.costgen.onnx.OnnxBackend} loads a decoder-only
 * transformer exported to ONNX and opens {@link io.costgen.core.spi.DecoderSession}s whose KV cache
 * stays in native memory. Implementation classes live in {@code io.costgen.onnx.internal}.
 */
package io.costgen.onnx;

package io.costgen.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.onnx.graph.SeededWeights;
import io.costgen.onnx.graph.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link SyntheticModel} as a Hugging Face model folder in the safetensors format, the
 * form PyTorch-side tools and Java engines such as Jlama load: {@code model.safetensors}, the
 * JSON files of {@link HuggingFaceFiles} and a {@code README.md}. The weights are the same seeded
 * values the ONNX file carries.
 *
 * <p>The safetensors layout (Hugging Face, {@code safetensors} format description): an unsigned
 * 64-bit little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end)}} (offsets into the data that follows
 * the header) plus an optional {@code "__metadata__"} string map, then the raw little-endian
 * data. The header is padded with spaces to a multiple of 8 bytes so every tensor starts
 * 8-byte aligned, as the reference writer does.
 *
 * <p>Layouts: Llama projections are written {@code [out, in]} (PyTorch {@code nn.Linear}; the
 * ONNX graph keeps them {@code [in, out]}), so the transposed matrices of
 * {@link DecoderWeights} are transposed back, as is an untied {@code lm_head.weight}. GPT-2's
 * {@code Conv1D} weights are {@code [in, out]} in Hugging Face checkpoints too and are written as
 * they are. Embeddings and norms need no change.
 */
final class SafetensorsFolder {

  /** The weights file of a single-file checkpoint. */
  static final String WEIGHTS_FILE = "model.safetensors";

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsFolder() {}

  /** Writes the folder; files of the same names are replaced. */
  static void write(SyntheticModel m, Path dir) throws IOException {
    Files.createDirectories(dir);
    writeWeights(m, dir.resolve(WEIGHTS_FILE));
    HuggingFaceFiles.writeAll(m, dir);
    Files.writeString(dir.resolve("README.md"), "# " + m.name() + "\n\nSynthetic " + m.family()
        + " decoder with seeded random weights (seed " + m.seed() + "), written by costgen's test-kit"
        + " (generator " + SyntheticModel.GENERATOR_VERSION + "). Not a trained model: its output is"
        + " meaningless text.\n\n" + m + "\n", StandardCharsets.UTF_8);
  }

  /** Whether {@code t}, as {@link DecoderWeights} stores it, must be transposed for Hugging Face. */
  static boolean transposed(SyntheticModel m, TensorSpec t) {
    if (m.family() == ArchitectureFamily.GPT2 || t.dims().length != 2) {
      return false;
    }
    return !t.name().equals(DecoderWeights.EMBED);
  }

  /** The Hugging Face shape of {@code t}. */
  static long[] hfShape(SyntheticModel m, TensorSpec t) {
    long[] d = t.dims();
    return transposed(m, t) ? new long[] {d[1], d[0]} : d;
  }

  static void writeWeights(SyntheticModel m, Path file) throws IOException {
    List<TensorSpec> tensors = DecoderWeights.parameters(m);
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("__metadata__", Map.of("format", "pt"));
    long offset = 0;
    for (TensorSpec t : tensors) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", "F32");
      List<Long> shape = new ArrayList<>();
      for (long d : hfShape(m, t)) {
        shape.add(d);
      }
      entry.put("shape", shape);
      entry.put("data_offsets", List.of(offset, offset + t.byteCount()));
      header.put(t.name(), entry);
      offset += t.byteCount();
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(ch, head);
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      for (TensorSpec t : tensors) {
        float[] v = SeededWeights.floats(t, m.seed());
        if (transposed(m, t)) {
          long[] d = t.dims();
          int rows = (int) d[0];
          int cols = (int) d[1];
          // stored [rows=in, cols=out]; written [out, in]: element (o, i) = v[i * cols + o]
          for (int o = 0; o < cols; o++) {
            for (int i = 0; i < rows; i++) {
              buf.putFloat(v[i * cols + o]);
              if (!buf.hasRemaining()) {
                drain(ch, buf);
              }
            }
          }
        } else {
          for (float f : v) {
            buf.putFloat(f);
            if (!buf.hasRemaining()) {
              drain(ch, buf);
            }
          }
        }
      }
      drain(ch, buf);
    }
  }

  private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
    buf.flip();
    writeFully(ch, buf);
    buf.clear();
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}

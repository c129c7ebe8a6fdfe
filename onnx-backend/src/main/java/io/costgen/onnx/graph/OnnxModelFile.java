package io.costgen.onnx.graph;


import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link OnnxGraph} as an ONNX {@code ModelProto} file, streaming initializer bytes.
 *
 * <p>onnx.proto field numbers used: ModelProto ir_version=1, producer_name=2,
 * producer_version=3, doc_string=6, graph=7, opset_import=8; OperatorSetIdProto domain=1,
 * version=2; TensorProto dims=1, data_type=2, name=8, raw_data=9, external_data=13,
 * data_location=14 (EXTERNAL=1); StringStringEntryProto key=1, value=2. External-data keys
 * {@code location}, {@code offset}, {@code length} as the ONNX external-data spec defines them.
 */
public final class OnnxModelFile {

  /** ONNX IR version 8 (ONNX 1.10+; opset 17 needs IR ≥ 8). */
  public static final long IR_VERSION = 8;
  /** Default-domain operator set. */
  public static final long OPSET = 17;
  public static final String PRODUCER = "costgen";
  /** Written as the model's producer_version; part of the synthetic models' content hash. */
  public static final String PRODUCER_VERSION = "costgen-modelgen/1";
  /** Offsets in the external data file are multiples of this (ONNX: "SHOULD be multiples 4096"). */
  public static final long ALIGNMENT = 4096;
  /** Tensors smaller than this stay inline even in {@link WeightStorage#EXTERNAL} mode. */
  public static final long MIN_EXTERNAL_BYTES = 1024;

  private OnnxModelFile() {}

  /**
   * Writes {@code graph} to {@code file}; with {@code external}, parameter tensors go to
   * {@code <file name>.data} beside it.
   */
  public static void write(Path file, OnnxGraph graph, long seed, boolean external, String docString)
      throws IOException {
    List<TensorSpec> tensors = graph.initializers();
    Map<String, long[]> placement = new HashMap<>(); // name -> {offset, length}
    String dataFileName = file.getFileName() + ".data";
    if (external) {
      long offset = 0;
      for (TensorSpec t : tensors) {
        if (t.parameter() && t.byteCount() >= MIN_EXTERNAL_BYTES) {
          offset = align(offset);
          placement.put(t.name(), new long[] {offset, t.byteCount()});
          offset += t.byteCount();
        }
      }
      try (ProtoOutput out = open(file.resolveSibling(dataFileName))) {
        for (TensorSpec t : tensors) {
          long[] at = placement.get(t.name());
          if (at != null) {
            out.writeZeros(at[0] - out.position());
            SeededWeights.write(t, seed, out);
          }
        }
      }
    }
    if (!external) {
      java.nio.file.Files.deleteIfExists(file.resolveSibling(dataFileName)); // stale from an earlier write
    }
    ProtoMessage graphProto = graph.encode(t -> tensorProto(t, seed, placement.get(t.name()),
        dataFileName));
    ProtoMessage model = new ProtoMessage()
        .varint(1, IR_VERSION)
        .string(2, PRODUCER)
        .string(3, PRODUCER_VERSION)
        .string(6, docString)
        .message(7, graphProto)
        .message(8, new ProtoMessage().string(1, "").varint(2, OPSET));
    for (String domain : graph.domains()) {
      model.message(8, new ProtoMessage().string(1, domain).varint(2, 1));
    }
    try (ProtoOutput out = open(file)) {
      model.writeTo(out);
    }
  }

  private static ProtoMessage tensorProto(
      TensorSpec t, long seed, long[] externalAt, String dataFileName) {
    ProtoMessage m = new ProtoMessage();
    for (long d : t.dims()) {
      m.varint(1, d);
    }
    m.varint(2, t.type().onnxCode).string(8, t.name());
    if (externalAt == null) {
      m.blob(9, t.byteCount(), out -> SeededWeights.write(t, seed, out));
    } else {
      m.message(13, entry("location", dataFileName));
      m.message(13, entry("offset", Long.toString(externalAt[0])));
      m.message(13, entry("length", Long.toString(externalAt[1])));
      m.varint(14, 1);
    }
    return m;
  }

  private static ProtoMessage entry(String key, String value) {
    return new ProtoMessage().string(1, key).string(2, value);
  }

  private static long align(long offset) {
    return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  private static ProtoOutput open(Path path) throws IOException {
    return new ProtoOutput(FileChannel.open(path, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
  }
}

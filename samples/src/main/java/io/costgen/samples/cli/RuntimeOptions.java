package io.costgen.samples.cli;

import io.costgen.core.Tokenizer;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import io.costgen.onnx.ExecutionProvider;
import io.costgen.onnx.OnnxBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * How a command runs the model (a picocli mixin shared by {@code generate} and {@code chat}):
 * threads, execution provider, streaming and JSON output, plus opening the backend and tokenizer
 * with option-named errors.
 */
final class RuntimeOptions {
  @Option(names = "--threads", paramLabel = "N",
      description = "ONNX Runtime intra-op threads, 1 to this machine's available processors."
          + " Default: ONNX Runtime's choice (one per physical core).")
  Integer threads;
  @Option(names = "--provider", defaultValue = "cpu", paramLabel = "cpu|cuda",
      description = "Execution provider (cuda needs the onnxruntime_gpu artifact and an NVIDIA GPU).")
  String provider;
  @Option(names = "--stream", description = "Print tokens as they are generated (after the prompt, like the"
      + " non-streamed output).")
  boolean stream;
  @Option(names = "--json", description = "Print one JSON object instead of text.") boolean json;


  /** Range checks that need no model. */
  void check() {
    if (threads != null) {
      int cpus = Runtime.getRuntime().availableProcessors();
      OptionChecks.range("--threads", threads, 1, cpus, "this machine's available processors");
    }
    provider();
  }

  /** A backend builder for {@code dir} with these options. */
  OnnxBackend.Builder backendBuilder(Path dir) {
    OnnxBackend.Builder bb = OnnxBackend.builder().modelDir(dir).executionProvider(provider());
    if (threads != null) {
      bb.intraOpThreads(threads);
    }
    return bb;
  }

  ExecutionProvider provider() {
    switch (provider.toLowerCase(Locale.ROOT)) {
      case "cpu": return ExecutionProvider.CPU;
      case "cuda": return ExecutionProvider.CUDA;
      default:
        throw new IllegalArgumentException("--provider: '" + OptionChecks.clip(provider)
            + "' is not allowed; allowed: one of cpu, cuda");
    }
  }

  static OnnxBackend openBackend(OnnxBackend.Builder bb, Path dir) {
    try {
      return bb.build();
    } catch (io.costgen.core.ModelLoadException e) {
      throw new IllegalArgumentException("--model: " + e.getMessage() + "; allowed: a folder with a valid ONNX"
          + " decoder model", e);
    }
  }

  static Tokenizer openTokenizer(Path dir) {
    Path file = Files.isRegularFile(dir) ? dir.resolveSibling("tokenizer.json") : dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return HuggingFaceTokenizer.open(file.getParent());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--model: " + file + " is not a valid tokenizer.json ("
          + CostgenCli.oneLine(e.getMessage()) + "); allowed: a Hugging Face tokenizer.json", e);
    }
  }

}

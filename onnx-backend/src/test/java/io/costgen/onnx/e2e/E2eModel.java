package io.costgen.onnx.e2e;

import io.costgen.core.TextGenerator;
import io.costgen.core.testing.SharedModels;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import io.costgen.onnx.OnnxBackend;
import java.nio.file.Path;

/**
 * A real model folder opened for an end-to-end test: the {@link OnnxBackend} (one intra-op
 * thread, no spinning: CI has 2 shared cores), its {@link HuggingFaceTokenizer} and a
 * {@link TextGenerator} over both with no defaults. Closes the backend and tokenizer.
 */
public final class E2eModel implements AutoCloseable {
  public final Path dir;
  public final OnnxBackend backend;
  public final HuggingFaceTokenizer tokenizer;
  public final TextGenerator generator;

  private E2eModel(Path dir, OnnxBackend backend) {
    this.dir = dir;
    this.backend = backend;
    HuggingFaceTokenizer t;
    try {
      t = HuggingFaceTokenizer.open(dir);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    this.tokenizer = t;
    this.generator = TextGenerator.builder(backend).tokenizer(tokenizer).build();
  }

  /** A model under {@code shared/models} ({@link SharedModels}), found by the usual search. */
  public static E2eModel shared(String name) {
    return open(SharedModels.model(name));
  }

  /** A model folder, found by the usual search. */
  public static E2eModel open(Path dir) {
    return new E2eModel(dir, builder(dir).build());
  }

  /** A model folder with an explicit model file. */
  public static E2eModel open(Path dir, String modelFile) {
    return new E2eModel(dir, builder(dir).modelFile(Path.of(modelFile)).build());
  }

  private static OnnxBackend.Builder builder(Path dir) {
    return OnnxBackend.builder().modelDir(dir).intraOpThreads(1).allowSpinning(false);
  }

  int vocabSize() {
    return backend.modelInfo().vocabSize();
  }

  @Override
  public void close() {
    try {
      tokenizer.close();
    } finally {
      backend.close();
    }
  }
}

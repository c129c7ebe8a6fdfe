package io.costgen.bench.internal;

import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.TextGenerator;
import io.costgen.cost.HardwareProfile;
import io.costgen.onnx.OnnxBackend;
import java.util.List;

/**
 * {@code TextGenerator.generate}, greedy, token-id prompts, over a shared {@link OnnxBackend}:
 * cost on ({@link Impl#FULL}) or off ({@link Impl#FREE}, {@link Impl#NO_PAST}). The backend is
 * not owned (several loops of one JVM share it).
 */
final class CostgenLoop implements DecodeLoop {
  private final Impl impl;
  private final OnnxBackend backend;
  private final TextGenerator generator;
  private final CostFeatures.CountingListener listener = new CostFeatures.CountingListener();

  CostgenLoop(Impl impl, OnnxBackend backend, HardwareProfile local) {
    this.impl = impl;
    this.backend = backend;
    TextGenerator.Builder b = TextGenerator.builder(backend);
    if (impl == Impl.FULL) {
      CostFeatures.configure(b, local, listener);
    }
    this.generator = b.build();
  }

  /** Greedy, exactly {@code newTokens} new tokens (no EOS id), whatever the model's defaults. */
  static GenerationConfig config(int newTokens) {
    return GenerationConfig.builder()
        .maxNewTokens(newTokens)
        .doSample(false)
        .numBeams(1)
        .eosTokenIds(List.of())
        .build();
  }

  TextGenerator generator() {
    return generator;
  }

  CostFeatures.CountingListener listener() {
    return listener;
  }

  @Override
  public Impl impl() {
    return impl;
  }

  @Override
  public int vocab() {
    return backend.modelInfo().vocabSize();
  }

  @Override
  public Run run(long[][] prompts, int newTokens) {
    GenerationRequest.Builder rb = GenerationRequest.builder().tokenIds(prompts).config(config(newTokens));
    if (impl == Impl.FULL) {
      rb.context(CostFeatures.context());
    }
    GenerationRequest request = rb.build();
    long t0 = System.nanoTime();
    GenerationResult r = generator.generate(request);
    long total = System.nanoTime() - t0;
    long[][] out = new long[prompts.length][];
    for (int i = 0; i < out.length; i++) {
      GeneratedSequence s = r.sequences().get(i);
      out[i] = s.generatedTokenIds();
      if (out[i].length != newTokens) {
        throw new IllegalStateException(impl + ": row " + i + " generated " + out[i].length
            + " tokens, expected " + newTokens + " (" + s.finishReason() + ")");
      }
    }
    return new Run(r.timings().timeToFirstToken().toNanos(), total, out);
  }

  @Override
  public void close() {
    // the backend belongs to the child's pool
  }
}

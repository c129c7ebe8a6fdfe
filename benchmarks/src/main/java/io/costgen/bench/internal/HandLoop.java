package io.costgen.bench.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.costgen.bench.baseline.HandWrittenGreedy;

/** Adapts {@link HandWrittenGreedy} (the ceiling) to the harness. */
final class HandLoop implements DecodeLoop {
  private final HandWrittenGreedy loop;
  private final HandWrittenGreedy.Timing timing = new HandWrittenGreedy.Timing();

  HandLoop(ModelRef model, int threads, Boolean spinning, String provider) throws OrtException {
    OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (threads > 0) {
        options.setIntraOpNumThreads(threads);
      }
      if (spinning != null) {
        options.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        options.addConfigEntry("session.inter_op.allow_spinning", spinning ? "1" : "0");
      }
      if ("cuda".equals(provider)) {
        options.addCUDA(0);
      }
      this.loop = new HandWrittenGreedy(model.path(), options);
    }
  }

  @Override
  public Impl impl() {
    return Impl.HAND;
  }

  @Override
  public int vocab() {
    return loop.vocab();
  }

  @Override
  public Run run(long[][] prompts, int newTokens) throws OrtException {
    long t0 = System.nanoTime();
    long[][] out = loop.generate(prompts, newTokens, timing);
    long total = System.nanoTime() - t0;
    return new Run(timing.firstTokenNanos, total, out);
  }

  @Override
  public void close() throws OrtException {
    loop.close();
  }
}

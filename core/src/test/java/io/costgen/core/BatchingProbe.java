package io.costgen.core;

import io.costgen.core.internal.batching.BatchObserver;

/**
 * Test access to a generator's batch scheduler from other packages and modules (core test-jar):
 * installs a {@link BatchObserver}. Not an API.
 */
public final class BatchingProbe {
  private BatchingProbe() {}

  /** Observes {@code generator}'s scheduler; fails if batching is off. */
  public static void observe(TextGenerator generator, BatchObserver observer) {
    if (generator.scheduler() == null) {
      throw new IllegalArgumentException("generator: batching is off");
    }
    generator.scheduler().observer(observer);
  }
}

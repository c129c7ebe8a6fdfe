package io.costgen.core;

import io.costgen.core.spi.DecoderSession;
import io.costgen.cost.CostgenException;

/** A forward pass was aborted by {@link DecoderSession#cancel()}. Unchecked. */
public class GenerationCancelledException extends CostgenException {
  private static final long serialVersionUID = 1L;

  public GenerationCancelledException(String message) {
    super(message);
  }
}

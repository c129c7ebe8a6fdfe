package io.costgen.core;

import io.costgen.core.spi.DecoderSession;
/** A forward pass was aborted by {@link DecoderSession#cancel()}. Unchecked. */
public class GenerationCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GenerationCancelledException(String message) {
    super(message);
  }
}

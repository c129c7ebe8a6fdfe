package io.costgen.core;

import io.costgen.cost.CostgenException;

/**
 * A model directory or file could not be loaded: missing, corrupt, or of an unknown layout.
 * The message names the path and what was expected. Unchecked.
 */
public class ModelLoadException extends CostgenException {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.costgen.core;

import io.costgen.cost.CostgenException;

/** A backend failed to run the model (the native runtime reported an error). Unchecked. */
public class BackendException extends CostgenException {
  private static final long serialVersionUID = 1L;

  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }

  public BackendException(String message) {
    super(message);
  }
}

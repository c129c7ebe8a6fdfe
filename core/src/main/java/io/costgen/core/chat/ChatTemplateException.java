package io.costgen.core.chat;

import io.costgen.cost.CostgenException;

/**
 * A chat template could not be found, compiled or rendered. The message names the template's
 * origin (a file, or "explicit template") and what went wrong.
 */
public class ChatTemplateException extends CostgenException {
  private static final long serialVersionUID = 1L;

  public ChatTemplateException(String message) {
    super(message);
  }

  public ChatTemplateException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.costgen.onnx.hub;

/**
 * Offline mode is on and the requested model is not in the cache. The message is one line naming
 * the model, the cache folder and how to leave offline mode.
 */
public final class HubUnavailableException extends HubException {
  private static final long serialVersionUID = 1L;

  public HubUnavailableException(String message) {
    super(message);
  }
}

package io.costgen.onnx.hub;

import io.costgen.cost.CostgenException;

/**
 * A Hub download failed: an HTTP error (see {@link #statusCode()}), a missing file, or a file
 * whose size or sha256 did not match. The message is one line saying what to do. Subclasses mark
 * the cases a caller may want to handle: {@link HubUnreachableException} (no network path to the
 * hub) and {@link HubUnavailableException} (offline and not cached). A cache folder that cannot
 * be written is a {@code HubException} too (the {@link java.io.IOException} is its cause, the
 * message names the folder). Unchecked, like every {@link CostgenException}.
 */
public class HubException extends CostgenException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;

  public HubException(String message) {
    this(message, 0, null);
  }

  public HubException(String message, Throwable cause) {
    this(message, 0, cause);
  }

  /** {@code statusCode} is the HTTP status that caused the failure, or 0 when none. */
  public HubException(String message, int statusCode, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
  }

  /** The HTTP status behind this failure (e.g. 401, 403, 404), or 0 when it was not an HTTP error. */
  public int statusCode() {
    return statusCode;
  }
}

package io.costgen.onnx.hub;

/**
 * The hub could not be reached: connection refused, unknown host, or no answer within the
 * connect/request timeout. {@link HubDownloader#download} throws it only when the model is not
 * cached; a cached copy is used instead (logged at INFO). The message is one line, e.g.
 * {@code "hub unreachable at https://huggingface.co: connection refused"}, so a CLI can print it
 * and fall back (e.g. to a built-in demo model).
 */
public final class HubUnreachableException extends HubException {
  private static final long serialVersionUID = 1L;

  public HubUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}

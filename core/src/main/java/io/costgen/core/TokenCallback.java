package io.costgen.core;

/**
 * Receives generated tokens as they are produced, on the thread running the call, in order
 * (within a step: by sequence index). Must be fast and must not call back into the generator;
 * an exception it throws is logged at WARN and ignored. To stop the call, use a
 * {@link Cancellation}.
 */
@FunctionalInterface
public interface TokenCallback {

  void onToken(StreamedToken token);
}

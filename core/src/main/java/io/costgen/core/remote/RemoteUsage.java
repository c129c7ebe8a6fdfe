package io.costgen.core.remote;

import java.util.Objects;
import java.util.Optional;

/**
 * The token usage a remote provider reported for one call.
 *
 * <p>{@code inputTokens} counts every prompt token, including {@code cachedInputTokens} (the
 * prompt-cache hits, billed at the cached rate); {@code outputTokens} counts every generated
 * token, reasoning tokens included. {@code model} is the model name the provider answered with
 * (often a dated version of the one asked for), when it said. Immutable and thread-safe.
 */
public record RemoteUsage(Optional<String> model, long inputTokens, long cachedInputTokens, long outputTokens) {

  public RemoteUsage {
    Objects.requireNonNull(model, "model");
    if (inputTokens < 0 || cachedInputTokens < 0 || outputTokens < 0 || cachedInputTokens > inputTokens) {
      throw new IllegalArgumentException("tokens: input " + inputTokens + ", cached input " + cachedInputTokens
          + ", output " + outputTokens + " must be >= 0 with cached input <= input");
    }
  }

  /** Usage without cache hits or model name. */
  public static RemoteUsage of(long inputTokens, long outputTokens) {
    return new RemoteUsage(Optional.empty(), inputTokens, 0, outputTokens);
  }

  /** A copy naming the provider's model ({@code null} or empty leaves it unknown). */
  public RemoteUsage withModel(String providerModel) {
    return new RemoteUsage(Optional.ofNullable(providerModel).filter(s -> !s.isEmpty()), inputTokens,
        cachedInputTokens, outputTokens);
  }
}

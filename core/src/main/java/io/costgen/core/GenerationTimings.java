package io.costgen.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Wall-clock timings of a call, measured with the generator's {@link Ticker} from the start of
 * the call (tokenization included).
 *
 * @param timeToFirstToken until the first generated token was selected; equal to {@code total}
 *     when no token was generated
 * @param total the whole call
 * @param perOutputToken {@code (total − timeToFirstToken) / decodeSteps}: time per decode step
 *     (one token for each running sequence), zero when there was no decode step (OpenTelemetry's
 *     {@code time_per_output_token})
 */
public record GenerationTimings(Duration timeToFirstToken, Duration total, Duration perOutputToken) {

  public GenerationTimings {
    Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
    Objects.requireNonNull(total, "total");
    Objects.requireNonNull(perOutputToken, "perOutputToken");
  }
}

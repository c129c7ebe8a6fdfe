package io.costgen.cost;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one LLM call used, measured or predicted. Units are in the names: tokens, FLOPs
 * (floating-point operations, multiply-add = 2), bytes, seconds.
 *
 * <p>{@code promptTokens} counts every prompt token of every input row (padding excluded);
 * {@code completionTokens} every generated token of every returned sequence.
 * {@code deviceSeconds} is wall time × devices busy for the call; for a call that shared a
 * batched forward pass it is the call's share. {@code timeToFirstToken} is empty when unknown
 * (e.g. a call that failed before its first token, or a remote call without streaming). {@code model} is present when the caller knows the model's shape (needed by the
 * roofline pricing); a remote API call may leave it empty.
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()}.
 */
public record Usage(
    String modelName,
    Optional<ModelShape> model,
    long promptTokens,
    long completionTokens,
    int sequences,
    long decodeSteps,
    double prefillFlops,
    double decodeFlops,
    double bytesMoved,
    double wallSeconds,
    double deviceSeconds,
    Optional<Duration> timeToFirstToken,
    int devices) {

  public Usage {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(model, "model");
    requireNonNegative("promptTokens", promptTokens);
    requireNonNegative("completionTokens", completionTokens);
    requireNonNegative("sequences", sequences);
    requireNonNegative("decodeSteps", decodeSteps);
    requireNonNegative("prefillFlops", prefillFlops);
    requireNonNegative("decodeFlops", decodeFlops);
    requireNonNegative("bytesMoved", bytesMoved);
    requireNonNegative("wallSeconds", wallSeconds);
    requireNonNegative("deviceSeconds", deviceSeconds);
    Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
    timeToFirstToken.ifPresent(d -> {
      if (d.isNegative()) {
        throw new IllegalArgumentException("timeToFirstToken: " + d + " must be >= 0 (empty when unknown)");
      }
    });
    if (devices < 1) {
      throw new IllegalArgumentException("devices: " + devices + " must be >= 1");
    }
  }

  /** An empty usage (all zero, one device). */
  public static Usage none() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .modelName(modelName)
        .model(model.orElse(null))
        .promptTokens(promptTokens)
        .completionTokens(completionTokens)
        .sequences(sequences)
        .decodeSteps(decodeSteps)
        .prefillFlops(prefillFlops)
        .decodeFlops(decodeFlops)
        .bytesMoved(bytesMoved)
        .wallSeconds(wallSeconds)
        .deviceSeconds(deviceSeconds)
        .timeToFirstToken(timeToFirstToken.orElse(null))
        .devices(devices);
  }

  /** promptTokens + completionTokens. */
  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /** prefillFlops + decodeFlops. */
  public double totalFlops() {
    return prefillFlops + decodeFlops;
  }

  private static void requireNonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value >= 0");
    }
  }

  /** Builder for {@link Usage}; every field defaults to zero (devices to 1, time to first token to unknown). Not thread-safe. */
  public static final class Builder {
    private String modelName = "";
    private ModelShape model;
    private long promptTokens;
    private long completionTokens;
    private int sequences;
    private long decodeSteps;
    private double prefillFlops;
    private double decodeFlops;
    private double bytesMoved;
    private double wallSeconds;
    private double deviceSeconds;
    private Duration timeToFirstToken;
    private int devices = 1;

    private Builder() {}

    public Builder modelName(String v) { this.modelName = v; return this; }
    public Builder model(ModelShape v) { this.model = v; if (v != null && modelName.isEmpty()) modelName = v.name(); return this; }
    public Builder promptTokens(long v) { this.promptTokens = v; return this; }
    public Builder completionTokens(long v) { this.completionTokens = v; return this; }
    public Builder sequences(int v) { this.sequences = v; return this; }
    public Builder decodeSteps(long v) { this.decodeSteps = v; return this; }
    public Builder prefillFlops(double v) { this.prefillFlops = v; return this; }
    public Builder decodeFlops(double v) { this.decodeFlops = v; return this; }
    public Builder bytesMoved(double v) { this.bytesMoved = v; return this; }
    public Builder wallSeconds(double v) { this.wallSeconds = v; return this; }
    public Builder deviceSeconds(double v) { this.deviceSeconds = v; return this; }
    /** Time to the first generated token; null (the default) when unknown. */
    public Builder timeToFirstToken(Duration v) { this.timeToFirstToken = v; return this; }
    public Builder devices(int v) { this.devices = v; return this; }

    public Usage build() {
      return new Usage(modelName, Optional.ofNullable(model), promptTokens, completionTokens,
          sequences, decodeSteps, prefillFlops, decodeFlops, bytesMoved, wallSeconds,
          deviceSeconds, Optional.ofNullable(timeToFirstToken), devices);
    }
  }
}

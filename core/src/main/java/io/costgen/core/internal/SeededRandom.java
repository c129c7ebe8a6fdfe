package io.costgen.core.internal;

/**
 * The sampling random generator: SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom
 * number generators", OOPSLA 2014), fully specified here so a seed gives the same draws on every
 * JVM and platform. Each stream is derived from
 * {@code (seed, streamIndex)} by two rounds of the SplitMix64 finalizer, so a row's samples do not
 * depend on which other rows share its batch.
 *
 * <p>Internal. Not thread-safe (one instance per row).
 */
public final class SeededRandom {
  private static final long GAMMA = 0x9E3779B97F4A7C15L;
  private long state;

  public SeededRandom(long seed, long stream) {
    this.state = mix(seed ^ mix(stream * GAMMA + 0x632BE59BD9B4E019L));
  }

  /** The next 64 random bits. */
  public long nextLong() {
    state += GAMMA;
    return mix(state);
  }

  /** Uniform in [0, 1), 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

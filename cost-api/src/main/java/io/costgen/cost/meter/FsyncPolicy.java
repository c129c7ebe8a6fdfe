package io.costgen.cost.meter;

/**
 * When a {@link JsonLinesLedger} forces written records to the storage device.
 *
 * <ul>
 *   <li>{@link #EVERY_RECORD}: {@code FileChannel.force} before {@code record()} returns. An
 *       acknowledged record survives a JVM kill and a power failure.
 *   <li>{@link #everyNMillis(long) EVERY_N_MILLIS(n)}: records are written to the file (the OS
 *       page cache) before {@code record()} returns and forced by a background thread every
 *       {@code n} ms, and on roll and close. An acknowledged record survives {@code kill -9} of
 *       the JVM (the kernel still has it), but on power failure or an OS crash the records
 *       acknowledged in the last {@code n} ms (plus the force's own duration) may be lost.
 * </ul>
 *
 * @param everyMillis 0 for {@link #EVERY_RECORD}, else the force period in milliseconds
 */
public record FsyncPolicy(long everyMillis) {

  /** Force after every record (the default). */
  public static final FsyncPolicy EVERY_RECORD = new FsyncPolicy(0);

  public FsyncPolicy {
    if (everyMillis < 0 || everyMillis > 60_000) {
      throw new IllegalArgumentException("everyMillis: " + everyMillis + " must be in [0, 60000] (0 = every record)");
    }
  }

  /** Force every {@code millis} ms (1..60000) in the background. */
  public static FsyncPolicy everyNMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("millis: " + millis + " must be in [1, 60000]");
    }
    return new FsyncPolicy(millis);
  }

  public boolean everyRecord() {
    return everyMillis == 0;
  }

  @Override
  public String toString() {
    return everyRecord() ? "EVERY_RECORD" : "EVERY_N_MILLIS(" + everyMillis + ")";
  }
}

package io.costgen.cost.meter;

import io.costgen.cost.CostgenException;
import java.util.Optional;

/**
 * A {@link Meter} or its ledger failed: thrown before a call does any work when the meter is not
 * ready ({@link Meter#checkReady()}, e.g. a ledger directory that cannot be written), by
 * {@link Meter#record} when a record could not be written, and by the ledger's I/O
 * ({@link JsonLinesLedger#open}, {@link JsonLinesLedger#close}, {@link LedgerReader#read}: the
 * message names the path, the {@link java.io.IOException} is the cause). When a record could not
 * be written the call itself completed (its budgets are settled) and {@link #record()} holds the
 * record that was not written, so the caller can keep it elsewhere. Unchecked.
 */
public class MeterException extends CostgenException {
  private static final long serialVersionUID = 1L;
  private final transient UsageRecord record;

  /** The meter is not ready or its ledger cannot be opened or read (no record involved). */
  public MeterException(String message, Throwable cause) {
    super(message, cause);
    this.record = null;
  }

  /** {@code record} could not be written. */
  public MeterException(String message, UsageRecord record, Throwable cause) {
    super(message, cause);
    this.record = record;
  }

  /** The record that was not written; empty when the meter failed before a call. */
  public Optional<UsageRecord> record() {
    return Optional.ofNullable(record);
  }
}

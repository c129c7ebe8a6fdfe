package io.costgen.projection;

import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One input varied over a {@link SensitivitySpec}, the others held: one row per value with the
 * full {@link ProjectionResult}, or why that value is infeasible (e.g. the batch's KV
 * cache does not fit a fixed replica). Made by {@link DailyCostProjection#vary(SensitivitySpec)}.
 *
 * <p>How each input is applied: {@code hardware} switches to that profile at its catalog price
 * and TDP with devices per replica sized automatically (price, power and a fixed replica size
 * belong to the old hardware); {@code dtype} sets the weight dtype only; {@code price} keeps the
 * projection's currency. {@code batch}, {@code hardware}, {@code dtype}, {@code mfu} and
 * {@code bandwidth} change nothing under a measured throughput and are refused for one.
 *
 * <p>Immutable and thread-safe.
 *
 * @param spec what was varied
 * @param base the projection the rows start from
 * @param rows one row per value, in the spec's order
 */
public record SensitivityTable(SensitivitySpec spec, DailyCostProjection base, List<Row> rows) {

  /**
   * One value of the varied input.
   *
   * @param value the value as text
   * @param numericValue the value as a number (empty for hardware and dtype)
   * @param result the projection at that value (empty when infeasible)
   * @param infeasible why the projection failed at that value (empty when it ran)
   */
  public record Row(String value, OptionalDouble numericValue,
      Optional<ProjectionResult> result, Optional<String> infeasible) {
    public Row {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(numericValue, "numericValue");
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(infeasible, "infeasible");
      if (result.isPresent() == infeasible.isPresent()) {
        throw new IllegalArgumentException("row: exactly one of result and infeasible");
      }
    }
  }

  public SensitivityTable {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(base, "base");
    rows = List.copyOf(rows);
  }

  /** The results of the feasible rows, in order. */
  public List<ProjectionResult> results() {
    List<ProjectionResult> out = new ArrayList<>();
    for (Row r : rows) {
      r.result().ifPresent(out::add);
    }
    return out;
  }

  static SensitivityTable run(DailyCostProjection base, SensitivitySpec spec) {
    SensitivitySpec.Variable v = spec.variable();
    if (base.method() == DailyCostProjection.Method.MEASURED_THROUGHPUT
        && (v == SensitivitySpec.Variable.BATCH || v == SensitivitySpec.Variable.HARDWARE
            || v == SensitivitySpec.Variable.DTYPE || v == SensitivitySpec.Variable.MFU
            || v == SensitivitySpec.Variable.BANDWIDTH)) {
      throw new IllegalStateException("vary " + v.key() + ": has no effect with a measured"
          + " throughput; vary the first-principles projection instead (Scenario.firstPrinciples()"
          + " or builder.noMeasuredThroughput())");
    }
    List<Row> rows = new ArrayList<>();
    for (String value : spec.values()) {
      OptionalDouble numeric = v.categorical() ? OptionalDouble.empty()
          : OptionalDouble.of(Double.parseDouble(value));
      try {
        DailyCostProjection p = apply(base.toBuilder(), v, value, base).build();
        rows.add(new Row(value, numeric, Optional.of(p.project()), Optional.empty()));
      } catch (IllegalArgumentException | IllegalStateException e) {
        rows.add(new Row(value, numeric, Optional.empty(), Optional.of(e.getMessage())));
      }
    }
    return new SensitivityTable(spec, base, rows);
  }

  private static DailyCostProjection.Builder apply(DailyCostProjection.Builder b,
      SensitivitySpec.Variable v, String value, DailyCostProjection base) {
    switch (v) {
      case TRAFFIC:
        return b.requestsPerDay(Double.parseDouble(value));
      case BATCH:
        return b.batch(Integer.parseInt(value));
      case HARDWARE:
        return b.hardware(HardwareProfile.named(value)).catalogPrice().tdpPower()
            .autoDevicesPerReplica();
      case DTYPE:
        return b.weightDtype(DType.parse(value));
      case PRICE:
        return b.pricePerDeviceHour(
            Money.of(new BigDecimal(value), base.pricePerDeviceHour().currency()));
      case UTILIZATION:
        return b.utilization(Double.parseDouble(value));
      case PROMPT_TOKENS:
        return b.promptTokens(Long.parseLong(value));
      case OUTPUT_TOKENS:
        return b.outputTokens(Long.parseLong(value));
      case PEAK:
        return b.peakToAverage(Double.parseDouble(value));
      case MFU:
        return b.computeEfficiency(Double.parseDouble(value));
      case BANDWIDTH:
        return b.bandwidthEfficiency(Double.parseDouble(value));
      default:
        throw new AssertionError(v);
    }
  }
}

package io.costgen.projection;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Scenario} run ({@link Scenario#run()}): the projection as stated (with its
 * throughput when it gives one) and the first-principles roofline on the same inputs, side by
 * side; the batch the roofline needs to reach the stated throughput; the training side; and the
 * comparison with the published figures.
 *
 * <p>Immutable and thread-safe.
 *
 * @param scenario the scenario
 * @param stated the projection as the scenario states it
 * @param firstPrinciples the roofline projection on the same inputs
 * @param batchForStatedThroughput the smallest batch (and devices per replica) at which the
 *     roofline reaches the stated throughput; empty when none is stated or none reaches it
 * @param training the training side, when the scenario has one
 * @param comparisons published versus projected (as stated), one per published figure
 */
public record ScenarioResult(
    Scenario scenario,
    ProjectionResult stated,
    ProjectionResult firstPrinciples,
    Optional<DailyCostProjection.BatchRequirement> batchForStatedThroughput,
    Optional<TrainingEstimate> training,
    List<Comparison> comparisons) {

  public ScenarioResult {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(stated, "stated");
    Objects.requireNonNull(firstPrinciples, "firstPrinciples");
    Objects.requireNonNull(batchForStatedThroughput, "batchForStatedThroughput");
    Objects.requireNonNull(training, "training");
    comparisons = List.copyOf(comparisons);
  }

  /**
   * One published figure against the projection.
   *
   * @param metric the {@link ProjectionResult} figure, e.g. {@code "costPerDay"}
   * @param published the published value
   * @param projected the projected value
   */
  public record Comparison(String metric, double published, double projected) {
    public Comparison {
      Objects.requireNonNull(metric, "metric");
    }

    /** projected ÷ published. */
    public double ratio() {
      return projected / published;
    }

    /** Whether the projection is within {@code percent} % of the published value. */
    public boolean within(double percent) {
      return Math.abs(ratio() - 1) <= percent / 100;
    }
  }
}

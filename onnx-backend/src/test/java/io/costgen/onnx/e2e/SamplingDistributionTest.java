package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sampling processors on a real model: 2,000 first-token draws from stories260k (one call,
 * {@code numReturnSequences(2000)}, each copy with its own seeded stream) against distributions
 * computed by hand from the session's raw logits. Goodness of fit is Pearson's chi-square over the
 * tokens expected at least 5 times (the rest pooled), compared with the 0.1% critical value
 * (Wilson–Hilferty approximation), plus a per-token bound of 4.5 standard errors. The draws are
 * seeded, so the test is deterministic; the bounds say why the expected outcome is right.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SamplingDistributionTest {

  private static final int DRAWS = 2000;
  /** Its next token is spread: " big" 0.30, " little" 0.14, " b" 0.10, " c" 0.06, " s" 0.05, ... */
  private static final String PROMPT = "One day, Lily saw a";

  private E2eModel model;
  private float[] logits;

  @BeforeAll
  void open() {
    model = E2eModel.open(Stories260kReference.dir());
    logits = RawSessionReference.nextLogits(model.backend, model.tokenizer.encode(PROMPT));
  }

  @AfterAll
  void close() {
    model.close();
  }

  private int[] draw(GenerationConfig.Builder config) {
    GenerationResult r = model.generator.generate(PROMPT,
        config.doSample(true).maxNewTokens(1).numReturnSequences(DRAWS).seed(20240611L).build());
    assertThat(r.sequences()).hasSize(DRAWS);
    int[] counts = new int[logits.length];
    for (GeneratedSequence s : r.sequences()) {
      assertThat(s.generatedLength()).isEqualTo(1);
      counts[(int) s.generatedTokenIds()[0]]++;
    }
    return counts;
  }

  @Test
  void temperature07_matchesSoftmaxOfLogitsOver07() {
    int[] counts = draw(GenerationConfig.builder().temperature(0.7).topK(0));
    double[] p = RawSessionReference.softmax(logits, 0.7);
    assertFits(counts, p);
    // the test has power: the same draws do not fit the untempered distribution
    assertThat(chiSquare(counts, RawSessionReference.softmax(logits, 1.0)).fits()).isFalse();
  }

  @Test
  void topK5_drawsOnlyTheFiveLargestLogits_withRenormalisedProbabilities() {
    int[] counts = draw(GenerationConfig.builder().topK(5));
    Integer[] order = byDescendingLogit();
    assertThat(logits[order[4]]).as("no tie at the 5th place").isGreaterThan(logits[order[5]]);
    Set<Integer> top5 = new HashSet<>(Arrays.asList(order).subList(0, 5));
    double[] p = RawSessionReference.softmax(logits, 1.0);
    double[] expected = new double[p.length];
    double mass = 0;
    for (int t : top5) {
      mass += p[t];
    }
    for (int t = 0; t < p.length; t++) {
      if (top5.contains(t)) {
        expected[t] = p[t] / mass;
      } else {
        assertThat(counts[t]).as("draws of token %d outside the top 5", t).isZero();
      }
    }
    for (int t : top5) {
      assertThat(counts[t]).as("top-5 token %d drawn", t).isPositive();
    }
    assertFits(counts, expected);
  }

  @Test
  void topP05_drawsOnlyTheNucleus_withRenormalisedProbabilities() {
    int[] counts = draw(GenerationConfig.builder().topK(0).topP(0.5));
    double[] p = RawSessionReference.softmax(logits, 1.0);
    // Hugging Face keeps a token when the probability mass strictly above it is < topP
    Integer[] order = byDescendingLogit();
    List<Integer> nucleus = new ArrayList<>();
    double above = 0;
    for (int t : order) {
      if (above >= 0.5) {
        break;
      }
      nucleus.add(t);
      above += p[t];
    }
    double massBeforeLast = above - p[nucleus.get(nucleus.size() - 1)];
    assertThat(massBeforeLast).as("not a float32 borderline case").isLessThan(0.5 - 1e-3);
    assertThat(above).as("not a float32 borderline case").isGreaterThan(0.5 + 1e-3);
    assertThat(nucleus).hasSize(3); // " big", " little", " b"
    double[] expected = new double[p.length];
    for (int t = 0; t < p.length; t++) {
      if (nucleus.contains(t)) {
        expected[t] = p[t] / above;
      } else {
        assertThat(counts[t]).as("draws of token %d outside the nucleus", t).isZero();
      }
    }
    assertFits(counts, expected);
  }

  private Integer[] byDescendingLogit() {
    Integer[] order = new Integer[logits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
    return order;
  }

  // ------------------------------------------------------------------ statistics

  record Fit(double statistic, double critical, int bins) {
    boolean fits() {
      return statistic <= critical;
    }
  }

  private static void assertFits(int[] counts, double[] p) {
    Fit fit = chiSquare(counts, p);
    assertThat(fit.statistic()).as("chi-square over %d bins", fit.bins()).isLessThanOrEqualTo(fit.critical());
    for (int t = 0; t < p.length; t++) {
      double f = counts[t] / (double) DRAWS;
      double se = Math.sqrt(p[t] * (1 - p[t]) / DRAWS);
      assertThat(Math.abs(f - p[t])).as("token %d: frequency %s vs probability %s", t, f, p[t])
          .isLessThanOrEqualTo(4.5 * se + 1.0 / DRAWS);
    }
  }

  /** Pearson's chi-square; bins expected fewer than 5 times are pooled into one bin. */
  static Fit chiSquare(int[] counts, double[] p) {
    double stat = 0;
    int bins = 0;
    double pooledExpected = 0;
    int pooledObserved = 0;
    for (int t = 0; t < p.length; t++) {
      double e = p[t] * DRAWS;
      if (e >= 5) {
        stat += (counts[t] - e) * (counts[t] - e) / e;
        bins++;
      } else {
        pooledExpected += e;
        pooledObserved += counts[t];
      }
    }
    if (pooledExpected > 0) {
      stat += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
      bins++;
    }
    int df = bins - 1;
    double z = 3.090; // upper 0.1% point of the standard normal
    double h = 2.0 / (9 * df);
    double critical = df * Math.pow(1 - h + z * Math.sqrt(h), 3); // Wilson–Hilferty
    return new Fit(stat, critical, bins);
  }
}

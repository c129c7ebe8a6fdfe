package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {

  private static Stats.Summary median(double m) {
    return new Stats.Summary(3, m, m, m, m, m);
  }

  private static RunResult.DecodeSeries series(List<Double> tps, List<Double> cpu) {
    return new RunResult.DecodeSeries(1, 16, 16, tps, tps, cpu, "d");
  }

  private static RunResult child(int threads) {
    RunSpec spec = RunSpec.builder().mode("paired").model("m").impls(List.of(Impl.HAND, Impl.FULL))
        .threads(threads).batches(List.of(1)).reps(3).build();
    return new RunResult(spec, List.of(), null, 1, null, 1, 1);
  }

  @Test
  void decodeTargets_areMetAtTheThreshold_andMissedJustBelow() {
    Targets t = new Targets();
    assertThat(t.decodeVsHand("m", 1, median(Targets.VS_HAND), "x").met()).isTrue();
    assertThat(t.decodeVsHand("m", 1, median(Math.nextDown(Targets.VS_HAND)), "x").met()).isFalse();
    assertThat(t.decodeCostOnVsOff("m", 8, median(Targets.COST_ON_VS_OFF), "x").met()).isTrue();
    assertThat(t.decodeCostOnVsOff("m", 8, median(0.98), "x").met()).isFalse();
  }

  @Test
  void verdicts_keepTheirOrder_nameTheThreshold_andClearForANewRendering() {
    Targets t = new Targets();
    t.decodeVsHand("gpt2", 8, median(1.0), "1.000");
    t.overhead(median(0.02), "A/B median +2.00 %");

    assertThat(t.verdicts()).extracting(Targets.Verdict::target).containsExactly(
        "gpt2, batch 8: (2)/(1) tokens/s ≥ 0.97", "stories260k: pricing + listeners < 1 % of generate time");
    assertThat(t.verdicts()).extracting(Targets.Verdict::met).containsExactly(true, false);
    assertThat(t.verdicts().get(1).measured()).isEqualTo("A/B median +2.00 %");

    t.clear();
    assertThat(t.verdicts()).isEmpty();
  }

  @Test
  void overheadTarget_isStrictlyBelowOnePercent() {
    Targets t = new Targets();
    assertThat(t.overhead(median(0.0099), "x").met()).isTrue();
    assertThat(t.overhead(median(Targets.OVERHEAD), "x").met()).isFalse();
    assertThat(t.overhead(median(-0.05), "x").met()).isTrue(); // cost on faster by noise: still met
  }

  @Test
  void rooflineTarget_judgesTheFractionOfTheRoofline() {
    Targets t = new Targets();
    assertThat(t.rooflineFraction("m", 6.0, 10.0, "60 %").met()).isTrue();
    assertThat(t.rooflineFraction("m", 5.9, 10.0, "59 %").met()).isFalse();
    assertThat(t.verdicts().get(0).target()).isEqualTo("m, batch 1: (2) decode ≥ 60 % of the roofline");
  }

  @Test
  void roofline_isBatchTimesBandwidthOverWeightsPlusKvAtTheMeanContext() {
    RunResult.ModelFacts facts = new RunResult.ModelFacts(
        new RunResult.Shape("m", "GPT2", 1, 8, 1, 1, 8, 32, 100, 64, true, 1_000L), 1_000_000.0, 100.0, "FP32", "FP32");
    double bytes = Targets.bytesPerStep(facts, 4, 50);
    assertThat(bytes).isEqualTo(1_000_000.0 + 4 * 100.0 * 50);
    assertThat(Targets.rooflineTokensPerSecond(4, 1.02e9, bytes)).isEqualTo(4 * 1.02e9 / 1_020_000.0);
  }

  @Test
  void rssTarget_allowsOneAndAHalfTimesTheWeightsPlusKv_inclusive() {
    double limit = Targets.rssLimitBytes(1_000, 200);
    assertThat(limit).isEqualTo(1_700);
    assertThat(Targets.withinRss(1_700, limit)).isTrue();
    assertThat(Targets.withinRss(1_701, limit)).isFalse();
    Targets t = new Targets();
    assertThat(t.peakRss("m", "(2) cost on", 1_701, limit, "x").met()).isFalse();
    assertThat(t.verdicts().get(0).target()).isEqualTo("m, (2) cost on: peak RSS ≤ 1.5 × weights + KV");
  }

  @Test
  void speedRatio_isPerRound_andNullWhenASideIsMissing() {
    RunResult.DecodeSeries a = series(List.of(12.0, 10.0, 9.0), List.of());
    RunResult.DecodeSeries b = series(List.of(10.0, 10.0, 10.0), List.of());
    Stats.Summary s = Targets.speedRatio(a, b);
    assertThat(s.n()).isEqualTo(3);
    assertThat(s.median()).isEqualTo(1.0);
    assertThat(s.max()).isEqualTo(1.2);
    assertThat(Targets.speedRatio(a, null)).isNull();
    assertThat(Targets.speedRatio(null, b)).isNull();
  }

  @Test
  void cpuSpeedRatio_isTheOtherSidesCpuTimeOverThisOnes_onlyWithOneThread() {
    RunResult.DecodeSeries fast = series(List.of(1.0, 1.0), List.of(0.5, 1.0));
    RunResult.DecodeSeries slow = series(List.of(1.0, 1.0), List.of(1.0, 1.5));
    Stats.Summary s = Targets.cpuSpeedRatio(child(1), fast, slow);
    assertThat(s.min()).isEqualTo(1.5);
    assertThat(s.max()).isEqualTo(2.0);
    assertThat(Targets.cpuSpeedRatio(child(0), fast, slow)).as("thread pool: caller's share varies").isNull();
    assertThat(Targets.cpuSpeedRatio(child(1), fast, series(List.of(1.0), List.of(1.0)))).as("unpaired").isNull();
  }

  @Test
  void relativeDifferences_arePerRound_onOverOffMinusOne() {
    double[] rel = Targets.relativeDifferences(List.of(1.02, 0.99, 2.0), List.of(1.0, 1.0, 1.0));
    assertThat(rel).containsExactly(new double[] {0.02, -0.01, 1.0}, org.assertj.core.data.Offset.offset(1e-12));
  }
}

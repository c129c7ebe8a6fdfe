package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.CpuCalibration;
import io.costgen.cost.HardwareProfile;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static final RunSpec.CpuFigures FIGURES = new RunSpec.CpuFigures("test cpu", 2, 10e9, 50e9, 8L << 30);
  private static final HardwareProfile CPU = new CpuCalibration.Result("test cpu", "amd64", 2, 10e9, 50e9,
      8L << 30, Instant.EPOCH).toProfile();
  private static final RunResult.ModelFacts FACTS = new RunResult.ModelFacts(
      new RunResult.Shape("m", "GPT2", 12, 768, 12, 12, 64, 3072, 50257, 1024, true, 124_439_808L),
      497_759_232.0, 73_728.0, "FP32", "FP32");

  private static RunResult paired(int batch, List<Double> hand, List<Double> on, List<Double> off) {
    RunSpec spec = RunSpec.builder().mode("paired").model("m").impls(List.of(Impl.HAND, Impl.FULL, Impl.FREE))
        .promptTokens(32).newTokens(32).noPastNewTokens(8).batches(List.of(batch)).warmup(1).reps(hand.size())
        .noPastReps(1).cpu(FIGURES).build();
    return new RunResult(spec, List.of(
        loop(Impl.HAND, batch, hand, "d1"), loop(Impl.FULL, batch, on, "d1"), loop(Impl.FREE, batch, off, "d1")),
        FACTS, 1 << 20, null, 10, 10);
  }

  private static RunResult.LoopResult loop(Impl impl, int batch, List<Double> tps, String digest) {
    return new RunResult.LoopResult(impl,
        List.of(new RunResult.DecodeSeries(batch, 32, 32, tps, tps, tps, digest)), List.of(), -1, null);
  }

  private static Report report() {
    Report r = new Report(CPU);
    r.machine(new Report.Machine("cmd", FIGURES, "0.1 0.1 0.1", "0.2 0.2 0.2", "jvm", "1.29.0", "now", 1));
    return r;
  }

  @Test
  void targets_areMet_whenCostOnKeepsPaceRoundByRound() {
    Report r = report();
    Report.LargeModel m = new Report.LargeModel("gpt2-small");
    m.paired(1, paired(1, List.of(20.0, 10.0, 20.0), List.of(19.8, 10.0, 20.0), List.of(20.0, 10.0, 20.0)));
    r.addLarge(m);

    String md = r.render();

    assertThat(md).contains("## Decode throughput, side by side").contains("| gpt2-small |");
    assertThat(r.targets()).filteredOn(t -> t.target().contains("(2)/(1)")).singleElement()
        .satisfies(t -> assertThat(t.met()).isTrue());
    assertThat(r.targets()).filteredOn(t -> t.target().contains("(2)/(3)")).singleElement()
        .satisfies(t -> assertThat(t.met()).isTrue());
  }

  @Test
  void targetsTable_rendersEachVerdict_withMissesInBold() {
    Report r = report();
    Report.LargeModel m = new Report.LargeModel("gpt2-small");
    m.paired(8, paired(8, List.of(100.0, 100.0, 100.0), List.of(90.0, 95.0, 92.0), List.of(100.0, 100.0, 100.0)));
    r.addLarge(m);

    String md = r.render();

    String targets = md.substring(md.indexOf("## Targets"));
    assertThat(targets.lines().filter(l -> l.startsWith("| gpt2-small, batch 8: (2)/(1) tokens/s ≥ 0.97 "))
        .findFirst().orElseThrow()).contains("| 0.920 [0.910–0.935] ").endsWith("| **no** |");
    assertThat(targets.lines().filter(l -> l.startsWith("| gpt2-small, batch 8: (2)/(3) tokens/s ≥ 0.99 "))
        .findFirst().orElseThrow()).endsWith("| **no** |");
  }

  @Test
  void targets_areMissed_whenCostOnIsSlowerThanTheCeiling() {
    Report r = report();
    Report.LargeModel m = new Report.LargeModel("gpt2-small");
    m.paired(8, paired(8, List.of(100.0, 100.0, 100.0), List.of(90.0, 95.0, 92.0), List.of(100.0, 100.0, 100.0)));
    r.addLarge(m);

    r.render();

    assertThat(r.targets()).filteredOn(t -> t.target().contains("batch 8: (2)/(1)")).singleElement()
        .satisfies(t -> {
          assertThat(t.measured()).startsWith("0.920");
          assertThat(t.met()).isFalse();
        });
  }

  @Test
  void rooflineTarget_comparesBatch1SpeedWithBandwidthOverBytesPerStep() {
    Report r = report();
    Report.LargeModel m = new Report.LargeModel("gpt2-small");
    // roofline ≈ 10e9 / (497.8 MB + 73.7 kB × 48) ≈ 19.2 tok/s: 12 tok/s is 62 %, 10 tok/s is 52 %.
    m.paired(1, paired(1, List.of(12.0), List.of(12.0), List.of(12.0)));
    r.addLarge(m);
    r.render();
    assertThat(r.targets()).filteredOn(t -> t.target().contains("roofline")).singleElement()
        .satisfies(t -> assertThat(t.met()).isTrue());

    Report slow = report();
    Report.LargeModel m2 = new Report.LargeModel("gpt2-small");
    m2.paired(1, paired(1, List.of(10.0), List.of(10.0), List.of(10.0)));
    slow.addLarge(m2);
    slow.render();
    assertThat(slow.targets()).filteredOn(t -> t.target().contains("roofline")).singleElement()
        .satisfies(t -> assertThat(t.met()).isFalse());
  }

  @Test
  void sameTokens_flagsALoopThatDisagrees() {
    RunSpec spec = paired(1, List.of(1.0), List.of(1.0), List.of(1.0)).spec();
    RunResult r = new RunResult(spec, List.of(loop(Impl.HAND, 1, List.of(1.0), "a"),
        loop(Impl.FULL, 1, List.of(1.0), "b"), loop(Impl.FREE, 1, List.of(1.0), "a")), FACTS, 1, null, 1, 1);

    assertThat(Report.sameTokens(r, 1)).isEqualTo("**no**");
  }

  @Test
  void threadTable_reportsEachSettingsSpeedUpOverTheDefault_roundByRound() {
    Report r = report();
    List<RunSpec.ThreadSetting> settings = List.of(new RunSpec.ThreadSetting(0, null),
        new RunSpec.ThreadSetting(1, false));
    RunSpec spec = RunSpec.builder().mode("threads").model("stories260k").impls(List.of(Impl.FREE))
        .promptTokens(16).newTokens(64).batches(List.of(1)).warmup(1).reps(3).cpu(FIGURES)
        .threadSettings(settings).build();
    r.addThreads(new RunResult(spec, List.of(
        new RunResult.LoopResult(Impl.FREE, List.of(new RunResult.DecodeSeries(1, 16, 64, List.of(100.0, 50.0, 100.0),
            List.of(1.0, 2.0, 1.0), List.of(0.5, 0.5, 0.5), "d")), List.of(), -1, settings.get(0)),
        new RunResult.LoopResult(Impl.FREE, List.of(new RunResult.DecodeSeries(1, 16, 64, List.of(150.0, 75.0, 160.0),
            List.of(1.0, 2.0, 1.0), List.of(1.0, 2.0, 1.0), "d")), List.of(), -1, settings.get(1))),
        null, 1, null, 1, 1));

    String md = r.render();

    assertThat(md).contains("## Thread settings");
    assertThat(md.lines().filter(l -> l.startsWith("| stories260k | 1 ")).findFirst().orElseThrow())
        .contains("| off ").contains("1.50×").contains("1.00 |");
  }

  @Test
  void merge_poolsTheRoundsOfBothLoadOrders_keepingThemPaired() {
    RunResult a = paired(1, List.of(10.0, 10.0), List.of(11.0, 11.0), List.of(10.0, 10.0));
    RunResult b = paired(1, List.of(20.0), List.of(18.0), List.of(20.0));

    RunResult m = Report.merge(List.of(a, b));

    assertThat(Report.series(m, Impl.HAND, 1).tokensPerSecond()).containsExactly(10.0, 10.0, 20.0);
    assertThat(Report.series(m, Impl.FULL, 1).tokensPerSecond()).containsExactly(11.0, 11.0, 18.0);
    assertThat(Stats.pairedRatios(Report.series(m, Impl.FULL, 1).tokensPerSecond(),
        Report.series(m, Impl.HAND, 1).tokensPerSecond())).containsExactly(1.1, 1.1, 0.9);
  }

  @Test
  void overheadTarget_usesTheMedianPerRoundDifference() {
    Report r = report();
    RunSpec spec = RunSpec.builder().mode("overhead").model("stories260k").impls(List.of(Impl.FULL, Impl.FREE))
        .promptTokens(16).newTokens(64).batches(List.of(1)).warmup(30).reps(5).cpu(FIGURES).build();
    // per round: +0.5 %, +0.2 %, −0.1 %, +50 % (an outlier), +0.3 %: median +0.3 %
    r.overhead(new RunResult(spec, List.of(), null, 1, new RunResult.Overhead(64,
        List.of(1.005, 1.002, 0.999, 1.5, 1.003), List.of(1.0, 1.0, 1.0, 1.0, 1.0),
        List.of(1.0, 1.0, 1.0, 1.0, 1.0), List.of(1.0, 1.0, 1.0, 1.0, 1.0), 2_000), 1, 1));

    String md = r.render();

    assertThat(md).contains("+0.30 %");
    assertThat(r.targets()).singleElement().satisfies(t -> assertThat(t.met()).isTrue());
  }
}

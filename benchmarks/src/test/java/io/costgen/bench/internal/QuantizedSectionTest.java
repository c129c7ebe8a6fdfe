package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuantizedSectionTest {

  private static final RunSpec.CpuFigures FIGURES =
      new RunSpec.CpuFigures("test cpu", 2, 10e9, 50e9, 8L << 30);

  private static RunResult single(double weightBytes, String dtype, List<Double> tps, long rssKib) {
    RunSpec spec = RunSpec.builder().mode("single").model("m").impls(List.of(Impl.FULL))
        .promptTokens(32).newTokens(32).noPastNewTokens(0).batches(List.of(1)).warmup(1)
        .reps(tps.size()).noPastReps(0).cpu(FIGURES).build();
    RunResult.ModelFacts facts = new RunResult.ModelFacts(
        new RunResult.Shape("m", "GPT2", 12, 768, 12, 12, 64, 3072, 50257, 1024, true, 124_439_808L),
        weightBytes, 1_000.0, dtype, "FP32");
    RunResult.LoopResult loop = new RunResult.LoopResult(Impl.FULL,
        List.of(new RunResult.DecodeSeries(1, 32, 32, tps, tps, tps, "d")),
        List.of(new RunResult.TtftSeries(128, List.of(0.25), List.of(0.0))), rssKib, null);
    return new RunResult(spec, List.of(loop), facts, rssKib, null, 10, 10);
  }

  @Test
  void rows_showBytesPerStepAndSpeedRelativeToTheFp32Twin() {
    QuantizedSection q = new QuantizedSection();
    q.add("gpt2-small", "fp32", single(400e6, "FP32", List.of(10.0, 10.0, 10.0), 800 << 10));
    q.add("gpt2-small", "int4", single(100e6 - 48_000, "INT4", List.of(30.0, 30.0, 30.0), 300 << 10));
    String md = q.render();
    // bytes / step: weights + 1000 B/token × mean context 48 → (100e6 − 48000 + 48000) ÷ (400e6 + 48000)
    assertThat(md).contains("| gpt2-small | int4").contains(Report.fmt(100e6 / (400e6 + 48_000), 3))
        .contains("3.00").contains("250 ms (128 tokens)").contains("300 MiB");
    assertThat(md.lines().filter(l -> l.startsWith("| gpt2-small")).count()).isEqualTo(2);
  }

  @Test
  void empty_saysTheSuiteDidNotRun() {
    assertThat(new QuantizedSection().render()).startsWith("Not run");
  }
}

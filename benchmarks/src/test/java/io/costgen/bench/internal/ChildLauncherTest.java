package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildLauncherTest {

  @Test
  void parse_readsBackWhatAChildPrints() throws Exception {
    RunSpec spec = RunSpec.builder().mode("single").model("m").withPast(new ModelRef("/d", "model.onnx"))
        .impls(List.of(Impl.HAND)).threads(2).spinning(false).promptTokens(32).newTokens(32).noPastNewTokens(8)
        .batches(List.of(1, 8)).warmup(1).reps(3).noPastReps(1).ttftPrompts(List.of(128)).ttftReps(2)
        .cpu(new RunSpec.CpuFigures("cpu", 2, 1e10, 5e10, 1L << 33)).build();
    RunResult result = new RunResult(spec, List.of(new RunResult.LoopResult(Impl.HAND,
        List.of(new RunResult.DecodeSeries(1, 32, 32, List.of(10.5, 11.0), List.of(3.0, 2.9), List.of(2.8, 2.7), "abc")),
        List.of(new RunResult.TtftSeries(128, List.of(0.5), List.of(0.0))), 734_000, null)), null, 800_000, null, 12.5, 20.0);

    RunResult back = ChildLauncher.parse(RunResult.MARKER + ChildMain.JSON.writeValueAsString(result));

    assertThat(back).isEqualTo(result);
  }

  @Test
  void parse_rejectsALineWithoutTheMarker() {
    assertThatThrownBy(() -> ChildLauncher.parse("hello")).isInstanceOf(IOException.class);
  }
}

package io.costgen.samples.cli;

import static io.costgen.samples.cli.HostileInputCatalogueTest.HostileInputs.bad;

import io.costgen.samples.cli.HostileInputCatalogueTest.Case;
import io.costgen.samples.cli.HostileInputCatalogueTest.Env;
import java.util.List;

/** {@code costgen calibrate}: bad inputs (refused before anything is measured or cached). */
final class CalibrateHostileInputs implements HostileInputCatalogueTest.HostileInputs {

  @Override
  public String command() {
    return "calibrate";
  }

  @Override
  public List<Case> cases(Env env) {
    return List.of(
        bad("--bogus", "allowed", "--bogus"),
        bad("--threads", ">= 0", "--threads", "-1"),
        bad("--budget-ms", "[1, 600000]", "--budget-ms", "0"),
        bad("--budget-ms", "[1, 600000]", "--budget-ms", "700000"),
        bad("--json", "allowed", "--json=maybe"),
        bad("--provider", "allowed: cpu, cuda", "--provider", "tpu"),
        bad("--device-id", "[0, 64]", "--device-id", "-1"),
        // No GPU (and the CPU-only onnxruntime artifact): a clear refusal naming what is missing.
        bad("--provider", "onnxruntime_gpu", "--provider", "cuda"));
  }
}

package io.costgen.samples.cli;

import io.costgen.cost.DeviceCalibration;
import io.costgen.onnx.OnnxCalibration;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code costgen calibrate}: measures this machine through ONNX Runtime (matmul rates per weight
 * format, bandwidth, per-pass overhead) and stores it in the calibration cache, where
 * {@code costgen generate} finds it. See {@code docs/cost-model.md} §9.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
    description = "Measure this machine through ONNX Runtime (fp32/fp16/int8/int4 matmul rates, bandwidth, "
        + "per-pass overhead; a few seconds) and cache it for pricing local calls.")
final class CalibrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
      description = "ONNX Runtime intra-op threads to measure with (default 0 = all logical CPUs; "
          + "use the same value as generate --threads).")
  int threads;

  @Option(names = "--budget-ms", defaultValue = "4000", paramLabel = "MS",
      description = "Time budget of the measurement in milliseconds (default 4000; under 1000 shrinks the shapes).")
  long budgetMs;

  @Option(names = "--provider", defaultValue = "cpu", paramLabel = "NAME",
      description = "cpu or cuda (default cpu). cuda needs the onnxruntime_gpu artifact and an NVIDIA GPU.")
  String provider;

  @Option(names = "--device-id", defaultValue = "0", paramLabel = "N",
      description = "CUDA device ordinal with --provider cuda, 0 to 64 (default 0).")
  int deviceId;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    if (threads < 0) {
      throw new IllegalArgumentException("--threads: " + threads + " must be >= 0 (0 = all logical CPUs)");
    }
    if (budgetMs < 1 || budgetMs > 600_000) {
      throw new IllegalArgumentException("--budget-ms: " + budgetMs + " must be in [1, 600000]");
    }
    io.costgen.onnx.ExecutionProvider ep = switch (provider.toLowerCase(Locale.ROOT)) {
      case "cpu" -> io.costgen.onnx.ExecutionProvider.CPU;
      case "cuda" -> io.costgen.onnx.ExecutionProvider.CUDA;
      default -> throw new IllegalArgumentException("--provider: '" + OptionChecks.clip(provider)
          + "' is not a provider; allowed: cpu, cuda");
    };
    if (deviceId < 0 || deviceId > 64) {
      throw new IllegalArgumentException("--device-id: " + deviceId + " must be in [0, 64]");
    }
    PrintWriter out = spec.commandLine().getOut();
    DeviceCalibration c;
    try {
      c = OnnxCalibration.measure(ep, deviceId, threads, Duration.ofMillis(budgetMs));
    } catch (IllegalStateException e) {
      if (ep == io.costgen.onnx.ExecutionProvider.CUDA) {
        throw new IllegalArgumentException("--provider: " + e.getMessage(), e);
      }
      throw e;
    }
    OnnxCalibration.store(OnnxCalibration.defaultCacheFile(), c);
    if (json) {
      out.println(Json.write(OnnxCalibration.toJson(c)));
      return 0;
    }
    out.printf(Locale.ROOT, "device:       %s (%s), %d threads, ONNX Runtime %s%n", c.device(), c.deviceModel(),
        c.threads(), c.runtimeVersion());
    out.printf(Locale.ROOT, "fp32:         %.1f GFLOP/s%n", c.fp32FlopsPerSecond() / 1e9);
    out.printf(Locale.ROOT, "fp16:         %s%n", rate(c.fp16FlopsPerSecond()));
    out.printf(Locale.ROOT, "int8:         %s%n", rate(c.int8OpsPerSecond()));
    out.printf(Locale.ROOT, "int4:         %s%n", rate(c.int4FlopsPerSecond()));
    out.printf(Locale.ROOT, "bandwidth:    %.1f GB/s%n", c.bandwidthBytesPerSecond() / 1e9);
    out.printf(Locale.ROOT, "pass:         %.3f ms warm, +%.3f ms cold%n", c.passOverheadSeconds() * 1e3,
        c.coldPassOverheadSeconds() * 1e3);
    out.printf(Locale.ROOT, "cached in:    %s%n", OnnxCalibration.defaultCacheFile());
    return 0;
  }

  private static String rate(java.util.OptionalDouble v) {
    return v.isPresent() ? String.format(Locale.ROOT, "%.1f G/s", v.getAsDouble() / 1e9)
        : "not run by this ONNX Runtime CPU provider";
  }
}

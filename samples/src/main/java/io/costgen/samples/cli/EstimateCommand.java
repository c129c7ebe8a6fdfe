package io.costgen.samples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.LatencyEstimate;
import io.costgen.cost.ModelShape;
import io.costgen.cost.RooflineModel;
import io.costgen.cost.TrainingCompute;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code costgen estimate}: what a request (and optionally training) would cost for a model shape
 * on a hardware profile, before anything runs: parameters, FLOPs per token, roofline latency,
 * device-seconds, energy, carbon and money.
 */
@Command(name = "estimate", mixinStandardHelpOptions = true,
    description = "Estimate FLOPs, latency and cost of a request on a hardware profile (roofline).")
final class EstimateCommand implements Callable<Integer> {

  static final long MAX_TOKENS = 100_000_000L;
  static final int MAX_BATCH = 1_000_000;
  static final int MAX_DEVICES = 1_000_000;
  static final double MAX_TRAINING_TOKENS = 1e16;

  @Spec CommandSpec spec;

  static final class ModelChoice {
    @Option(names = "--preset", paramLabel = "NAME",
        description = "Published shape, one of: ${COMPLETION-CANDIDATES}. One of --preset, --config, --model is required.",
        completionCandidates = Presets.class)
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "A Hugging Face config.json. Default: none.")
    Path config;

    @Option(names = "--model", paramLabel = "DIR", description = "A model directory (config.json or ONNX graph)."
        + " Default: none.")
    Path model;
  }

  static final class Presets extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Presets() {
      super(ModelShape.presetNames());
    }
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  ModelChoice modelChoice;

  @Option(names = "--hardware", defaultValue = "A100-80GB-SXM", paramLabel = "NAME", description = "Hardware profile (see `costgen hardware`).")
  String hardware;

  @Option(names = "--dtype", defaultValue = "fp16", description = "Weight/KV dtype: fp32, fp16, bf16, int8, int4.")
  String dtype;

  @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt tokens per sequence, 0 to " + MAX_TOKENS + ".")
  long promptTokens;

  @Option(names = "--new-tokens", defaultValue = "128", description = "Generated tokens per sequence, 0 to " + MAX_TOKENS + ".")
  long newTokens;

  @Option(names = "--batch", defaultValue = "1", description = "Sequences decoded together, 1 to " + MAX_BATCH + ".")
  int batch;

  @Option(names = "--context", description = "Context length for the per-token FLOPs, 0 to " + MAX_TOKENS
      + ". Default: the model's full context.")
  Long context;

  @Option(names = "--devices", defaultValue = "1", description = "Devices per replica, 1 to " + MAX_DEVICES + ".")
  int devices;

  @Option(names = "--mfu", paramLabel = "X", description = "Model FLOP utilisation in (0, 1]. Default: "
      + RooflineModel.DEFAULT_COMPUTE_EFFICIENCY + ".")
  Double mfu;

  @Option(names = "--bandwidth-efficiency", paramLabel = "X",
      description = "Achieved fraction of peak memory bandwidth in (0, 1]. Default: "
      + RooflineModel.DEFAULT_BANDWIDTH_EFFICIENCY + ".")
  Double bandwidthEfficiency;

  @Option(names = "--training-tokens", paramLabel = "N", description = "Also estimate training compute for this many"
      + " tokens (6·N·D), (0, " + MAX_TRAINING_TOKENS + "]. Default: no training estimate.")
  Double trainingTokens;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    OptionChecks.range("--prompt-tokens", promptTokens, 0, MAX_TOKENS, null);
    OptionChecks.range("--new-tokens", newTokens, 0, MAX_TOKENS, null);
    OptionChecks.range("--batch", batch, 1, MAX_BATCH, null);
    OptionChecks.range("--devices", devices, 1, MAX_DEVICES, null);
    if (context != null) {
      OptionChecks.range("--context", context, 0, MAX_TOKENS, null);
    }
    if (mfu != null) {
      OptionChecks.range("--mfu", mfu, 0, true, 1);
    }
    if (bandwidthEfficiency != null) {
      OptionChecks.range("--bandwidth-efficiency", bandwidthEfficiency, 0, true, 1);
    }
    if (trainingTokens != null) {
      OptionChecks.range("--training-tokens", trainingTokens, 0, true, MAX_TRAINING_TOKENS);
    }
    HardwareProfile hw = OptionChecks.hardware("--hardware", hardware);
    DType dt = OptionChecks.dtype("--dtype", dtype);
    ModelShape shape = ModelSources.shape(modelChoice.preset, modelChoice.config, modelChoice.model);
    long ctx = context == null ? shape.contextLength() : context;
    RooflineModel.Builder rb = RooflineModel.builder(hw).devices(devices).weightDtype(dt).kvCacheDtype(dt)
        .computeDtype(hw.supports(dt) ? dt : DType.FP16);
    if (mfu != null) {
      rb.computeEfficiency(mfu);
    }
    if (bandwidthEfficiency != null) {
      rb.bandwidthEfficiency(bandwidthEfficiency);
    }
    RooflineModel roofline = rb.build();
    LatencyEstimate latency = roofline.predict(shape, promptTokens, newTokens, batch);
    CostModel.Builder cmb = CostModel.builder().targetHardware(roofline).energy();
    if (hw.price().isPresent()) {
      cmb.perDeviceHour();
    }
    CostReport cost = cmb.build().estimate(shape, promptTokens * batch, newTokens, batch);

    ObjectNode root = Json.object();
    ObjectNode m = root.putObject("model");
    m.put("name", shape.name());
    m.put("parameters", shape.parameters());
    m.put("nonEmbeddingParameters", shape.nonEmbeddingParameters());
    ObjectNode pt = root.putObject("perToken");
    pt.put("kaplanForwardFlops", shape.kaplanForwardFlopsPerToken(ctx));
    pt.put("forwardFlops", shape.forwardFlopsPerToken(ctx));
    pt.put("kvCacheBytes", shape.kvCacheBytesPerToken(dt));
    pt.put("weightBytes", shape.weightBytes(dt));
    ObjectNode rq = root.putObject("request");
    rq.put("prefillFlops", shape.prefillFlops(promptTokens, batch));
    rq.put("decodeFlops", shape.decodeFlops(promptTokens, newTokens, batch));
    rq.put("prefillSeconds", latency.prefillSeconds());
    rq.put("decodeSecondsPerToken", latency.decodeSecondsPerToken());
    rq.put("totalSeconds", latency.totalSeconds());
    rq.put("bound", (newTokens > 0 ? latency.decodeBound() : latency.prefillBound()).name().toLowerCase(Locale.ROOT));
    if (trainingTokens != null) {
      if (!(trainingTokens > 0)) {
        throw new IllegalArgumentException("--training-tokens: " + trainingTokens + " must be > 0");
      }
      ObjectNode tr = root.putObject("training");
      double flops = shape.trainingFlops(trainingTokens);
      tr.put("flops", flops);
      tr.put("petaflopDays", TrainingCompute.petaflopSDays(flops));
    }
    ObjectNode c = root.putObject("cost");
    c.put("deviceSeconds", cost.deviceSeconds());
    c.put("energyJoules", cost.energyJoules());
    c.put("co2eGrams", cost.co2eGrams());
    c.put("money", cost.money().toPlainString());
    c.put("currency", cost.money().currency().getCurrencyCode());
    c.put("pricing", cost.pricing());

    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(root));
    } else {
      out.printf(Locale.ROOT, "model %s: %,d parameters (%,d non-embedding)%n", shape.name(),
          shape.parameters(), shape.nonEmbeddingParameters());
      out.printf(Locale.ROOT, "per token at context %d: %.3e FLOPs (Kaplan %.3e), KV %.0f bytes, weights %.3e bytes (%s)%n",
          ctx, shape.forwardFlopsPerToken(ctx), shape.kaplanForwardFlopsPerToken(ctx),
          shape.kvCacheBytesPerToken(dt), shape.weightBytes(dt), dt.name().toLowerCase(Locale.ROOT));
      out.printf(Locale.ROOT, "request on %d x %s (batch %d, %d+%d tokens): prefill %.4f s, decode %.5f s/token, total %.4f s, %s-bound%n",
          devices, hw.name(), batch, promptTokens, newTokens, latency.prefillSeconds(),
          latency.decodeSecondsPerToken(), latency.totalSeconds(),
          rq.get("bound").asText());
      if (root.has("training")) {
        out.printf(Locale.ROOT, "training on %.3e tokens: %.3e FLOPs = %.3f petaflop/s-days%n", trainingTokens,
            root.get("training").get("flops").asDouble(), root.get("training").get("petaflopDays").asDouble());
      }
      out.printf(Locale.ROOT, "cost: %s device-seconds, %s J, %s gCO2e, %s (%s)%n",
          Readable.significant(cost.deviceSeconds(), 3), Readable.significant(cost.energyJoules(), 3),
          Readable.significant(cost.co2eGrams(), 3), cost.money(), cost.pricing());
    }
    return 0;
  }

}

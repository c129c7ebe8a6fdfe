package io.costgen.samples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.core.EarlyStopping;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.Tokenizer;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostComparison;
import io.costgen.cost.CostModel;
import io.costgen.cost.DeviceCalibration;
import io.costgen.cost.OnlineCorrection;
import io.costgen.cost.CostReport;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.Money;
import io.costgen.cost.RemoteModelPrices;
import io.costgen.cost.Usage;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.onnx.ExecutionProvider;
import io.costgen.onnx.OnnxBackend;
import io.costgen.onnx.OnnxCalibration;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code costgen generate}: runs a model on prompts (or raw token ids) and prints the text with
 * its usage, timing and cost; {@code --json} prints one JSON object.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Generate text with an ONNX decoder and report usage and cost.")
final class GenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR|hf:ORG/NAME[@REV]",
      description = "Model folder or Hugging Face repo (default " + ModelLocator.DEFAULT_MODEL
          + "; when the hub is unreachable, the built-in demo model).")
  String model;

  static final class Input {
    @Option(names = "--prompt", description = "Prompt text; repeat for a batch.", required = true)
    List<String> prompts;

    @Option(names = "--input-ids", paramLabel = "\"1,2,3;4,5,6\"", required = true,
        description = "Raw token ids: rows separated by ';', ids by ','.")
    String inputIds;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Input input;

  @Option(names = "--max-length", description = "Total length, prompt included.") Integer maxLength;
  @Option(names = "--max-new-tokens", description = "New tokens per sequence (wins over --max-length).") Integer maxNewTokens;
  @Option(names = "--min-new-tokens") Integer minNewTokens;
  @Option(names = "--do-sample", description = "Sample instead of greedy decoding.") boolean doSample;
  @Option(names = "--temperature") Double temperature;
  @Option(names = "--top-k") Integer topK;
  @Option(names = "--top-p") Double topP;
  @Option(names = "--min-p") Double minP;
  @Option(names = "--seed") Long seed;
  @Option(names = "--num-beams") Integer numBeams;
  @Option(names = "--length-penalty") Double lengthPenalty;
  @Option(names = "--early-stopping", paramLabel = "true|false|never") String earlyStopping;
  @Option(names = "--num-return-sequences") Integer numReturnSequences;
  @Option(names = "--repetition-penalty") Double repetitionPenalty;
  @Option(names = "--no-repeat-ngram-size") Integer noRepeatNgramSize;
  @Option(names = "--stop", description = "Stop string; repeatable.") List<String> stop;
  @Option(names = "--threads", description = "ONNX Runtime intra-op threads.") Integer threads;
  @Option(names = "--provider", defaultValue = "cpu", paramLabel = "cpu|cuda") String provider;
  @Option(names = "--stream", description = "Print tokens as they are generated.") boolean stream;
  @Option(names = "--json", description = "Print one JSON object.") boolean json;

  @Option(names = "--hardware", paramLabel = "NAME",
      description = "Price as if on this hardware profile (roofline-predicted time; see `costgen hardware`).")
  String hardware;
  @Option(names = "--price-per-hour", paramLabel = "USD",
      description = "Amortized hardware price per device-hour, added to energy.") BigDecimal pricePerHour;
  @Option(names = "--price-kwh", paramLabel = "USD",
      description = "Electricity price per kWh (default 0.1545: US average residential, EIA, January 2024).")
  BigDecimal priceKwh;
  @Option(names = "--compare", paramLabel = "TARGETS", split = ",",
      description = "Also price the call on these targets: catalogue hardware (roofline, e.g. H100-SXM,L4) "
          + "or remote models (per-token prices, e.g. gpt-4o-mini).")
  List<String> compare;
  @Option(names = "--price-per-1m-input", paramLabel = "USD") BigDecimal pricePerMillionInput;
  @Option(names = "--price-per-1m-output", paramLabel = "USD") BigDecimal pricePerMillionOutput;
  @Option(names = "--pue", description = "Power usage effectiveness (>= 1).") Double pue;
  @Option(names = "--grid-gco2-per-kwh", description = "Grid carbon intensity, gCO2e/kWh.") Double gridIntensity;

  @Option(names = "--tenant", description = "Tenant the call is for (its budgets apply).") String tenant;
  @Option(names = "--budget", paramLabel = "SPEC",
      description = "Budget, e.g. money:0.05/day, tokens:1000/call,shrink, flops:1e15/rolling:1h; repeatable.")
  List<String> budgets;
  @Option(names = "--ledger", paramLabel = "DIR",
      description = "Append a usage record per call to a JSON-lines ledger here (and count its spend in budgets).")
  Path ledger;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GenerationConfig config = config();
    if (compare != null) {
      CostComparison.validate(compare, RemoteModelPrices.starter());
    }
    CostModel costModel = costModel(io.costgen.cost.DType.FP32); // validates the pricing flags early
    Path dir = ModelLocator.locate(model, err);
    OnnxBackend.Builder bb = OnnxBackend.builder().modelDir(dir).executionProvider(provider());
    if (threads != null) {
      bb.intraOpThreads(threads);
    }
    CallContext context = tenant == null ? CallContext.anonymous() : CallContext.forTenant(tenant);
    try (OnnxBackend backend = bb.build();
        Tokenizer tokenizer = openTokenizer(dir);
        JsonLinesLedger ledgerMeter = ledger == null ? null : JsonLinesLedger.open(ledger)) {
      costModel = costModel(backend.modelInfo().weightDtype()); // measured rates of the model's format
      TextGenerator.Builder gb = TextGenerator.builder(backend).costModel(costModel);
      if (tokenizer != null) {
        gb.tokenizer(tokenizer);
      }
      if (budgets != null && !budgets.isEmpty()) {
        gb.budgets(CliBudgets.create(budgets, ledger, context, backend.modelInfo().name(), Clock.systemUTC()));
      }
      if (ledgerMeter != null) {
        gb.meter(ledgerMeter);
      }
      // The estimate the call started with (expected device time), for predicted ÷ measured.
      CostReport[] started = new CostReport[1];
      gb.addListener(new io.costgen.core.CostListener() {
        @Override
        public void onStart(CallContext c, CostReport estimate) {
          started[0] = estimate;
        }
      });
      TextGenerator generator = gb.build();
      GenerationRequest.Builder rb = GenerationRequest.builder().config(config).context(context);
      if (input != null && input.inputIds != null) {
        rb.tokenIds(parseIds(input.inputIds));
      } else {
        if (tokenizer == null) {
          throw new IllegalArgumentException("--prompt: " + dir + " has no tokenizer.json; pass --input-ids");
        }
        rb.prompts(input == null ? List.of("The weather today is") : input.prompts);
      }
      if (stream && !json) {
        // One sequence streams inline; several stream one line per token, prefixed by sequence.
        boolean single = (input == null || input.inputIds == null ? (input == null ? 1 : input.prompts.size())
            : parseIds(input.inputIds).length) == 1 && (numReturnSequences == null || numReturnSequences == 1);
        rb.onToken(t -> {
          if (single) {
            out.print(t.text());
          } else if (!t.text().isEmpty()) {
            out.printf(Locale.ROOT, "[%d] %s%n", t.sequenceIndex(), t.text().replace("\n", "\\n"));
          }
          out.flush();
        });
      }
      GenerationResult result;
      try {
        result = generator.generate(rb.build());
      } finally {
        saveCorrections();
      }
      List<CostComparison.Entry> compared = compare == null ? List.of()
          : CostComparison.compare(result.usage(), compare, RemoteModelPrices.starter(), electricityPrice());
      if (json) {
        ObjectNode root = toJson(result);
        ObjectNode cost = (ObjectNode) root.get("cost");
        cost.put("electricityPricePerKwh", electricityPrice().toPlainString());
        if (started[0] != null) {
          Usage u = result.usage();
          cost.put("estimatedDeviceSeconds", started[0].deviceSeconds());
          cost.put("boundDeviceSeconds", costModel.bound(backend.modelInfo().shape(), u.promptTokens(),
              started[0].usage().decodeSteps(), Math.max(1, started[0].usage().sequences()), true).deviceSeconds());
        }
        cost.put("electricityPriceSource", priceKwh != null ? "--price-kwh"
            : CostModel.Builder.DEFAULT_ELECTRICITY_PRICE_SOURCE);
        if (compare != null) {
          ArrayNode list = root.putArray("compare");
          for (CostComparison.Entry e : compared) {
            ObjectNode n = list.addObject();
            n.put("target", e.target());
            n.put("basis", e.basis());
            n.put("amount", e.amount().amount().toPlainString());
            n.put("currency", e.amount().currency().getCurrencyCode());
          }
        }
        out.println(Json.write(root));
      } else {
        printText(out, result);
        if (priceKwh == null && hardware == null) {
          out.printf(Locale.ROOT, "        electricity %s USD/kWh by default (%s); set --price-kwh%n",
              electricityPrice().toPlainString(), CostModel.Builder.DEFAULT_ELECTRICITY_PRICE_SOURCE);
        }
        for (CostComparison.Entry e : compared) {
          out.printf(Locale.ROOT, "compare: %s %s (%s)%n", e.target(), e.amount(), e.basis());
        }
      }
    }
    return 0;
  }

  private GenerationConfig config() {
    GenerationConfig.Builder b = GenerationConfig.builder();
    if (maxLength != null) b.maxLength(maxLength);
    if (maxNewTokens != null) b.maxNewTokens(maxNewTokens);
    if (minNewTokens != null) b.minNewTokens(minNewTokens);
    if (doSample) b.doSample(true);
    if (temperature != null) b.temperature(temperature);
    if (topK != null) b.topK(topK);
    if (topP != null) b.topP(topP);
    if (minP != null) b.minP(minP);
    if (seed != null) b.seed(seed);
    if (numBeams != null) b.numBeams(numBeams);
    if (lengthPenalty != null) b.lengthPenalty(lengthPenalty);
    if (earlyStopping != null) b.earlyStopping(parseEarlyStopping(earlyStopping));
    if (numReturnSequences != null) b.numReturnSequences(numReturnSequences);
    if (repetitionPenalty != null) b.repetitionPenalty(repetitionPenalty);
    if (noRepeatNgramSize != null) b.noRepeatNgramSize(noRepeatNgramSize);
    if (stop != null) b.stopStrings(stop);
    return b.build();
  }

  private static EarlyStopping parseEarlyStopping(String v) {
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true": return EarlyStopping.TRUE;
      case "false": return EarlyStopping.FALSE;
      case "never": return EarlyStopping.NEVER;
      default:
        throw new IllegalArgumentException("--early-stopping: '" + v + "' is not one of true, false, never");
    }
  }

  private ExecutionProvider provider() {
    switch (provider.toLowerCase(Locale.ROOT)) {
      case "cpu": return ExecutionProvider.CPU;
      case "cuda": return ExecutionProvider.CUDA;
      default:
        throw new IllegalArgumentException("--provider: '" + provider + "' is not one of cpu, cuda");
    }
  }

  /** Learned corrections of measured time, kept beside the calibration cache; loaded once per run. */
  private OnlineCorrection corrections;

  static Path correctionsFile() {
    return OnnxCalibration.defaultCacheFile().resolveSibling("corrections.json");
  }

  private OnlineCorrection corrections() {
    if (corrections == null) {
      try {
        corrections = OnlineCorrection.load(correctionsFile());
      } catch (java.io.UncheckedIOException e) {
        corrections = new OnlineCorrection(); // an unreadable file is replaced after the call
      }
    }
    return corrections;
  }

  /** Saves what this run learned; a cache that cannot be written never fails the call. */
  private void saveCorrections() {
    if (corrections != null) {
      try {
        corrections.save(correctionsFile());
      } catch (java.io.UncheckedIOException e) {
        spec.commandLine().getErr().println("warning: " + e.getMessage());
      }
    }
  }

  CostModel costModel() {
    return costModel(io.costgen.cost.DType.FP32);
  }

  /**
   * The cost model of this run. Local calls use the cached calibration for the backend's threads
   * ({@code costgen calibrate}) when there is one, else the uncalibrated cpu profile; the pricing
   * string names which.
   */
  CostModel costModel(io.costgen.cost.DType weights) {
    CostModel.Builder b = CostModel.builder().energy();
    if (hardware != null) {
      HardwareProfile target = HardwareProfile.named(hardware);
      b.targetHardware(target);
      if (pricePerHour != null) {
        b.perDeviceHour(Money.usd(pricePerHour));
      } else if (target.price().isPresent()) {
        b.perDeviceHour();
      }
    } else {
      java.util.Optional<DeviceCalibration> calibration =
          OnnxCalibration.load(OnnxCalibration.defaultCacheFile(), threads == null ? 0 : threads);
      if (calibration.isPresent()) {
        b.calibration(calibration.get(), weights);
      } else {
        b.localHardware(HardwareProfile.cpu());
      }
      b.corrections(corrections());
      if (pricePerHour != null) {
        b.perDeviceHour(Money.usd(pricePerHour));
      }
      // A local call is never free: its measured energy at the electricity price.
      b.electricityPrice(electricityPrice());
    }
    if (hardware != null && priceKwh != null) {
      b.electricityPrice(electricityPrice());
    }
    if (pricePerMillionInput != null || pricePerMillionOutput != null) {
      b.perMillionTokens(Money.usd(orZero(pricePerMillionInput)), Money.usd(orZero(pricePerMillionOutput)));
    }
    if (pue != null) b.pue(pue);
    if (gridIntensity != null) b.gridCarbonIntensity(gridIntensity);
    return b.build();
  }

  /** {@code --price-kwh}, else the documented default. */
  Money electricityPrice() {
    if (priceKwh != null) {
      if (priceKwh.signum() < 0) {
        throw new IllegalArgumentException("--price-kwh: " + priceKwh + " must be >= 0");
      }
      return Money.usd(priceKwh);
    }
    return CostModel.Builder.DEFAULT_ELECTRICITY_PRICE_PER_KWH;
  }

  private static BigDecimal orZero(BigDecimal v) {
    return v == null ? BigDecimal.ZERO : v;
  }

  private static Tokenizer openTokenizer(Path dir) {
    Path file = Files.isRegularFile(dir) ? dir.resolveSibling("tokenizer.json") : dir.resolve("tokenizer.json");
    return Files.isRegularFile(file) ? HuggingFaceTokenizer.open(file.getParent()) : null;
  }

  static long[][] parseIds(String spec) {
    String[] rows = spec.split(";", -1);
    long[][] ids = new long[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      String row = rows[r].trim();
      if (row.isEmpty()) {
        throw new IllegalArgumentException("--input-ids: row " + r + " is empty (rows are separated by ';', ids by ',')");
      }
      String[] parts = row.split(",", -1);
      ids[r] = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          ids[r][i] = Long.parseLong(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--input-ids: row " + r + ", position " + i + ": '" + parts[i].trim()
              + "' is not an integer token id");
        }
      }
    }
    return ids;
  }

  private void printText(PrintWriter out, GenerationResult result) {
    if (stream) {
      out.println();
    } else {
      for (GeneratedSequence s : result.sequences()) {
        if (result.sequences().size() > 1) {
          out.printf(Locale.ROOT, "[input %d, rank %d, %s]%n", s.inputIndex(), s.rank(), s.finishReason().wireName());
        }
        out.println(s.text().isEmpty() ? ids(s.tokenIds()) : s.text());
      }
    }
    Usage u = result.usage();
    CostReport c = result.cost();
    out.println();
    out.printf(Locale.ROOT, "usage:  %d prompt + %d completion tokens, %.3e FLOPs, %s finish%n", u.promptTokens(),
        u.completionTokens(), u.totalFlops(), result.first().finishReason().wireName());
    out.printf(Locale.ROOT, "timing: first token %.1f ms, total %.1f ms, %.1f tokens/s%n",
        result.timings().timeToFirstToken().toNanos() / 1e6, result.timings().total().toNanos() / 1e6,
        tokensPerSecond(result));
    out.printf(Locale.ROOT, "cost:   %s, %.4f device-s, %.3f J, %.6f gCO2e (%s)%n", c.cost(), c.deviceSeconds(),
        c.energyJoules(), c.co2eGrams(), c.pricing());
  }

  private static String ids(long[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ids.length; i++) {
      sb.append(i == 0 ? "" : ",").append(ids[i]);
    }
    return sb.toString();
  }

  static double tokensPerSecond(GenerationResult r) {
    double seconds = r.timings().total().toNanos() / 1e9;
    return seconds > 0 ? r.usage().completionTokens() / seconds : 0;
  }

  static ObjectNode toJson(GenerationResult result) {
    ObjectNode root = Json.object();
    ArrayNode seqs = root.putArray("sequences");
    for (GeneratedSequence s : result.sequences()) {
      ObjectNode n = seqs.addObject();
      n.put("input", s.inputIndex());
      ArrayNode all = n.putArray("tokenIds");
      for (long id : s.tokenIds()) all.add(id);
      ArrayNode gen = n.putArray("generatedTokenIds");
      for (long id : s.generatedTokenIds()) gen.add(id);
      n.put("text", s.text());
      n.put("completion", s.completion());
      n.put("finishReason", s.finishReason().wireName());
      s.score().ifPresent(v -> n.put("score", v));
    }
    Usage u = result.usage();
    ObjectNode usage = root.putObject("usage");
    usage.put("promptTokens", u.promptTokens());
    usage.put("completionTokens", u.completionTokens());
    ObjectNode timing = root.putObject("timing");
    timing.put("timeToFirstTokenMs", result.timings().timeToFirstToken().toNanos() / 1e6);
    timing.put("totalMs", result.timings().total().toNanos() / 1e6);
    timing.put("tokensPerSecond", tokensPerSecond(result));
    CostReport c = result.cost();
    ObjectNode cost = root.putObject("cost");
    cost.put("flops", u.totalFlops());
    cost.put("deviceSeconds", c.deviceSeconds());
    cost.put("energyJoules", c.energyJoules());
    cost.put("co2eGrams", c.co2eGrams());
    cost.put("amount", c.cost().toPlainString());
    cost.put("currency", c.cost().currency().getCurrencyCode());
    cost.put("pricing", c.pricing());
    return root;
  }

}

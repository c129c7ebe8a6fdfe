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

  static final int MAX_STOP_CHARS = 1000;
  static final String DEFAULT_PROMPT = "The weather today is";
  static final double MIN_PUE = 1.0;
  static final double MAX_PUE = 3.0;
  static final double MAX_GRID = 2000;

  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR|hf:ORG/NAME[@REV]",
      description = "Model folder or Hugging Face repo. Default: " + ModelLocator.DEFAULT_MODEL
          + " (when the hub is unreachable, the built-in demo model).")
  String model;

  static final class Input {
    @Option(names = "--prompt", paramLabel = "TEXT", required = true,
        description = "Prompt text; repeat for a batch. Default: \"The weather today is\".")
    List<String> prompts;

    @Option(names = "--input-ids", paramLabel = "\"1,2,3;4,5,6\"", required = true,
        description = "Raw token ids instead of --prompt: rows separated by ';', ids by ','. Default: none.")
    String inputIds;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Input input;

  private static final String FROM_MODEL = " Default: the model's generation_config.json, else Hugging Face's";

  @Option(names = "--max-length", paramLabel = "N",
      description = "Total length in tokens, prompt included (1 to the model's context)." + FROM_MODEL + " (20).")
  Integer maxLength;
  @Option(names = "--max-new-tokens", paramLabel = "N",
      description = "New tokens per sequence, 0 or more; wins over --max-length." + FROM_MODEL + " (unset).")
  Integer maxNewTokens;
  @Option(names = "--min-new-tokens", paramLabel = "N",
      description = "EOS is suppressed until this many new tokens, 0 to --max-new-tokens." + FROM_MODEL + " (unset).")
  Integer minNewTokens;
  @Option(names = "--do-sample", description = "Sample instead of greedy decoding." + FROM_MODEL + " (false).")
  boolean doSample;
  @Option(names = "--temperature", paramLabel = "T",
      description = "Sampling temperature, > 0 when sampling." + FROM_MODEL + " (1.0).")
  Double temperature;
  @Option(names = "--top-k", paramLabel = "K",
      description = "Keep the K most likely tokens, 0 = off." + FROM_MODEL + " (50).")
  Integer topK;
  @Option(names = "--top-p", paramLabel = "P",
      description = "Nucleus sampling mass in (0, 1]." + FROM_MODEL + " (1.0).")
  Double topP;
  @Option(names = "--min-p", paramLabel = "P",
      description = "Drop tokens below P x the top probability, [0, 1]." + FROM_MODEL + " (unset).")
  Double minP;
  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the sampling random generator (any whole number). Default: a random seed per call.")
  Long seed;
  @Option(names = "--num-beams", paramLabel = "N",
      description = "Beam search width, 1 = no beam search." + FROM_MODEL + " (1).")
  Integer numBeams;
  @Option(names = "--length-penalty", paramLabel = "L",
      description = "Beam score exponent on length." + FROM_MODEL + " (1.0).")
  Double lengthPenalty;
  @Option(names = "--early-stopping", paramLabel = "true|false|never",
      description = "When beam search stops." + FROM_MODEL + " (false).")
  String earlyStopping;
  @Option(names = "--num-return-sequences", paramLabel = "N",
      description = "Sequences returned per prompt (<= --num-beams with beams)." + FROM_MODEL + " (1).")
  Integer numReturnSequences;
  @Option(names = "--repetition-penalty", paramLabel = "R",
      description = "Penalty > 0 on tokens already present, 1 = off." + FROM_MODEL + " (1.0).")
  Double repetitionPenalty;
  @Option(names = "--no-repeat-ngram-size", paramLabel = "N",
      description = "Never repeat an n-gram of this size, 0 = off." + FROM_MODEL + " (0).")
  Integer noRepeatNgramSize;
  @Option(names = "--stop", paramLabel = "TEXT",
      description = "Stop when the text contains this string (1 to " + MAX_STOP_CHARS + " characters); repeatable."
          + " Default: none.")
  List<String> stop;
  @Option(names = "--threads", paramLabel = "N",
      description = "ONNX Runtime intra-op threads, 1 to this machine's available processors."
          + " Default: ONNX Runtime's choice (one per physical core).")
  Integer threads;
  @Option(names = "--provider", defaultValue = "cpu", paramLabel = "cpu|cuda",
      description = "Execution provider (cuda needs the onnxruntime_gpu artifact and an NVIDIA GPU).")
  String provider;
  @Option(names = "--stream", description = "Print tokens as they are generated (after the prompt, like the"
      + " non-streamed output).")
  boolean stream;
  @Option(names = "--json", description = "Print one JSON object instead of text.") boolean json;

  @Option(names = "--hardware", paramLabel = "NAME",
      description = "Price as if on this hardware profile (roofline-predicted time; see `costgen hardware`)."
          + " Default: this machine (measured time).")
  String hardware;
  @Option(names = "--price-per-hour", paramLabel = "USD",
      description = "Amortized hardware price per device-hour, added to energy; 0 to 1000000."
          + " Default: the hardware profile's catalog price, else none.")
  BigDecimal pricePerHour;
  @Option(names = "--price-kwh", paramLabel = "USD",
      description = "Electricity price per kWh, 0 to 1000 (default 0.1545: US average residential, EIA, January 2024).")
  BigDecimal priceKwh;
  @Option(names = "--compare", paramLabel = "TARGETS", split = ",",
      description = "Also price the call on these targets: catalogue hardware (roofline, e.g. H100-SXM,L4) "
          + "or remote models (per-token prices, e.g. gpt-4o-mini). Default: none.")
  List<String> compare;
  @Option(names = "--price-per-1m-input", paramLabel = "USD",
      description = "Price per million prompt tokens, 0 to 1000000. Default: no per-token price.")
  BigDecimal pricePerMillionInput;
  @Option(names = "--price-per-1m-output", paramLabel = "USD",
      description = "Price per million generated tokens, 0 to 1000000. Default: no per-token price.")
  BigDecimal pricePerMillionOutput;
  @Option(names = "--pue", paramLabel = "X",
      description = "Power usage effectiveness, " + MIN_PUE + " to " + MAX_PUE + ". Default: " + CostModel.Builder.DEFAULT_PUE + ".")
  Double pue;
  @Option(names = "--grid-gco2-per-kwh", paramLabel = "G",
      description = "Grid carbon intensity in gCO2e/kWh, 0 to " + MAX_GRID + ". Default: "
          + CostModel.Builder.DEFAULT_GRID_GRAMS_CO2E_PER_KWH + " (world average).")
  Double gridIntensity;

  @Option(names = "--tenant", paramLabel = "ID",
      description = "Tenant the call is for (its budgets apply). Default: anonymous.") String tenant;
  @Option(names = "--budget", paramLabel = "SPEC",
      description = "Budget, e.g. money:0.05/day, tokens:1000/call,shrink, flops:1e15/rolling:1h; repeatable."
          + " Default: none.")
  List<String> budgets;
  @Option(names = "--ledger", paramLabel = "DIR",
      description = "Append a usage record per call to a JSON-lines ledger here (and count its spend in budgets)."
          + " Default: no ledger.")
  Path ledger;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    checkOptions();
    GenerationConfig config = config();
    if (compare != null) {
      try {
        CostComparison.validate(compare, RemoteModelPrices.starter());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(OptionNames.cliMessage(e.getMessage(), spec), e);
      }
    }
    CostModel costModel = costModel();
    long[][] ids = input != null && input.inputIds != null ? parseIds(input.inputIds) : null;
    List<String> prompts = ids != null ? null : input == null ? List.of(DEFAULT_PROMPT) : input.prompts;
    Path dir = ModelLocator.locate(model, err);
    OnnxBackend.Builder bb = OnnxBackend.builder().modelDir(dir).executionProvider(provider());
    if (threads != null) {
      bb.intraOpThreads(threads);
    }
    CallContext context = tenant == null ? CallContext.anonymous() : CallContext.forTenant(tenant);
    try (OnnxBackend backend = openBackend(bb, dir);
        Tokenizer tokenizer = openTokenizer(dir)) {
      if (ids != null) {
        checkIds(ids, backend.modelInfo().vocabSize());
      } else if (tokenizer == null) {
        throw new IllegalArgumentException("--prompt: " + dir + " has no tokenizer.json; allowed: --input-ids");
      }
      try (JsonLinesLedger ledgerMeter = ledger == null ? null : JsonLinesLedger.open(ledger)) {
        CostModel model = costModel(backend.modelInfo().weightDtype()); // measured rates of its format
        TextGenerator.Builder gb = TextGenerator.builder(backend).costModel(model);
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
        if (ids != null) {
          rb.tokenIds(ids);
        } else {
          rb.prompts(prompts);
        }
        if (stream && !json) {
          streamTo(out, rb, ids, prompts, tokenizer);
        }
        GenerationResult result;
        try {
          result = generator.generate(rb.build());
        } catch (io.costgen.core.PromptTooLongException e) {
          saveCorrections();
          throw new IllegalArgumentException((ids != null ? "--input-ids" : "--prompt") + ", --max-new-tokens: "
              + e.getMessage() + "; allowed: prompt tokens + new tokens up to " + e.contextLength(), e);
        } catch (IllegalArgumentException e) {
          // Bad input only the model can judge (--max-length beyond the context).
          throw new IllegalArgumentException(OptionNames.cliMessage(e.getMessage(), spec), e);
        }
        saveCorrections();
        List<CostComparison.Entry> compared = compare == null ? List.of()
            : CostComparison.compare(result.usage(), compare, RemoteModelPrices.starter(), electricityPrice());
        if (json) {
          ObjectNode root = toJson(result);
          ObjectNode cost = (ObjectNode) root.get("cost");
          cost.put("electricityPricePerKwh", electricityPrice().toPlainString());
          cost.put("electricityPriceSource", priceKwh != null ? "--price-kwh"
              : CostModel.Builder.DEFAULT_ELECTRICITY_PRICE_SOURCE);
          if (started[0] != null) {
            Usage u = result.usage();
            cost.put("estimatedDeviceSeconds", started[0].deviceSeconds());
            cost.put("boundDeviceSeconds", model.bound(backend.modelInfo().shape(), u.promptTokens(),
                started[0].usage().decodeSteps(), Math.max(1, started[0].usage().sequences()), true)
                .deviceSeconds());
          }
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
    }
    return 0;
  }

  /**
   * Streams tokens to {@code out}. One sequence streams inline after its prompt, as the
   * non-streamed output prints it (prompt, then completion); several stream one line per token,
   * prefixed by sequence index.
   */
  private void streamTo(PrintWriter out, GenerationRequest.Builder rb, long[][] ids, List<String> prompts,
      Tokenizer tokenizer) {
    int rows = ids != null ? ids.length : prompts.size();
    boolean single = rows == 1 && (numReturnSequences == null || numReturnSequences == 1);
    if (single) {
      out.print(ids == null ? prompts.get(0) : tokenizer != null ? tokenizer.decode(ids[0]) : ids(ids[0]));
      out.flush();
    }
    rb.onToken(t -> {
      if (single) {
        out.print(t.text().isEmpty() && tokenizer == null ? "," + t.tokenId() : t.text());
      } else if (!t.text().isEmpty()) {
        out.printf(Locale.ROOT, "[%d] %s%n", t.sequenceIndex(), t.text().replace("\n", "\\n"));
      }
      out.flush();
    });
  }

  private static OnnxBackend openBackend(OnnxBackend.Builder bb, Path dir) {
    try {
      return bb.build();
    } catch (io.costgen.core.ModelLoadException e) {
      throw new IllegalArgumentException("--model: " + e.getMessage() + "; allowed: a folder with a valid ONNX"
          + " decoder model", e);
    }
  }

  private static void checkIds(long[][] ids, int vocab) {
    for (int r = 0; r < ids.length; r++) {
      for (int i = 0; i < ids[r].length; i++) {
        if (ids[r][i] < 0 || ids[r][i] >= vocab) {
          throw new IllegalArgumentException("--input-ids: row " + r + ", position " + i + ": " + ids[r][i]
              + " is out of range; allowed 0 to " + (vocab - 1) + " (the model's vocabulary)");
        }
      }
    }
  }


  /** Range checks that need no model: all before any work, so bad input never loads a model. */
  private void checkOptions() {
    if (model != null && model.isBlank()) {
      throw new IllegalArgumentException("--model: empty; allowed: a model folder or hf:ORG/NAME[@REV]");
    }
    if (threads != null) {
      int cpus = Runtime.getRuntime().availableProcessors();
      OptionChecks.range("--threads", threads, 1, cpus, "this machine's available processors");
    }
    if (minNewTokens != null && maxNewTokens != null && minNewTokens > maxNewTokens) {
      throw new IllegalArgumentException("--min-new-tokens: " + minNewTokens + " exceeds --max-new-tokens "
          + maxNewTokens + "; allowed 0 to " + maxNewTokens);
    }
    if (stop != null) {
      for (String s : stop) {
        OptionChecks.text("--stop", s, MAX_STOP_CHARS);
      }
    }
    if (input != null && input.prompts != null) {
      for (String p : input.prompts) {
        if (p.isEmpty()) {
          throw new IllegalArgumentException("--prompt: empty; allowed: at least one character");
        }
      }
    }
    OptionChecks.price("--price-per-hour", pricePerHour);
    if (priceKwh != null && (priceKwh.signum() < 0 || priceKwh.compareTo(java.math.BigDecimal.valueOf(1000)) > 0)) {
      throw new IllegalArgumentException("--price-kwh: " + OptionChecks.clip(priceKwh.toString())
          + " is out of range; allowed 0 to 1000 USD");
    }
    OptionChecks.price("--price-per-1m-input", pricePerMillionInput);
    OptionChecks.price("--price-per-1m-output", pricePerMillionOutput);
    if (pue != null) {
      OptionChecks.range("--pue", pue, MIN_PUE, false, MAX_PUE);
    }
    if (gridIntensity != null) {
      OptionChecks.range("--grid-gco2-per-kwh", gridIntensity, 0, false, MAX_GRID);
    }
    if (tenant != null) {
      OptionChecks.text("--tenant", tenant, 256);
    }
    if (ledger != null && Files.exists(ledger) && !Files.isDirectory(ledger)) {
      throw new IllegalArgumentException("--ledger: " + ledger + " is a file; allowed: a directory (created if missing)");
    }
    provider();
    if (budgets != null) {
      for (String b : budgets) {
        try {
          io.costgen.cost.budget.Budget.parse(b);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--budget: " + e.getMessage(), e);
        }
      }
    }
  }

  private GenerationConfig config() {
    try {
      return buildConfig();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(OptionNames.cliMessage(e.getMessage(), spec), e);
    }
  }

  private GenerationConfig buildConfig() {
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
        throw new IllegalArgumentException("--early-stopping: '" + OptionChecks.clip(v)
            + "' is not allowed; allowed: one of true, false, never");
    }
  }

  private ExecutionProvider provider() {
    switch (provider.toLowerCase(Locale.ROOT)) {
      case "cpu": return ExecutionProvider.CPU;
      case "cuda": return ExecutionProvider.CUDA;
      default:
        throw new IllegalArgumentException("--provider: '" + OptionChecks.clip(provider)
            + "' is not allowed; allowed: one of cpu, cuda");
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
      HardwareProfile target = OptionChecks.hardware("--hardware", hardware);
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
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return HuggingFaceTokenizer.open(file.getParent());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--model: " + file + " is not a valid tokenizer.json ("
          + CostgenCli.oneLine(e.getMessage()) + "); allowed: a Hugging Face tokenizer.json", e);
    }
  }

  static long[][] parseIds(String spec) {
    String[] rows = spec.split(";", -1);
    long[][] ids = new long[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      String row = rows[r].trim();
      if (row.isEmpty()) {
        throw new IllegalArgumentException("--input-ids: row " + r + " is empty; allowed: rows of comma-separated"
            + " token ids separated by ';'");
      }
      String[] parts = row.split(",", -1);
      ids[r] = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          ids[r][i] = Long.parseLong(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--input-ids: row " + r + ", position " + i + ": '"
              + OptionChecks.clip(parts[i].trim()) + "' is not a token id; allowed: whole numbers from 0 to the"
              + " vocabulary size - 1");
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
    usage.put("totalTokens", u.promptTokens() + u.completionTokens());
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

package io.costgen.samples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.Tokenizer;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostComparison;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.RemoteModelPrices;
import io.costgen.cost.Usage;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.onnx.OnnxBackend;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  static final String DEFAULT_PROMPT = "The weather today is";

  @Spec CommandSpec spec;

  @Mixin ModelOption modelOption;

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

  @Mixin GenerationOptions generation;
  @Mixin RuntimeOptions runtime;
  @Mixin CostOptions costs;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    checkOptions();
    GenerationConfig config = generation.config(spec);
    if (costs.compare != null) {
      try {
        CostComparison.validate(costs.compare, RemoteModelPrices.starter());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(OptionNames.cliMessage(e.getMessage(), spec), e);
      }
    }
    CostModel costModel = costs.costModel();
    long[][] ids = input != null && input.inputIds != null ? parseIds(input.inputIds) : null;
    List<String> prompts = ids != null ? null : input == null ? List.of(DEFAULT_PROMPT) : input.prompts;
    Path dir = ModelLocator.locate(modelOption.model, err);
    CallContext context = costs.context();
    try (OnnxBackend backend = RuntimeOptions.openBackend(runtime.backendBuilder(dir), dir);
        Tokenizer tokenizer = RuntimeOptions.openTokenizer(dir)) {
      if (ids != null) {
        checkIds(ids, backend.modelInfo().vocabSize());
      } else if (tokenizer == null) {
        throw new IllegalArgumentException("--prompt: " + dir + " has no tokenizer.json; allowed: --input-ids");
      }
      try (JsonLinesLedger ledgerMeter = costs.ledger == null ? null : JsonLinesLedger.open(costs.ledger)) {
        TextGenerator.Builder gb = TextGenerator.builder(backend).costModel(costModel);
        if (tokenizer != null) {
          gb.tokenizer(tokenizer);
        }
        if (costs.budgets != null && !costs.budgets.isEmpty()) {
          gb.budgets(CliBudgets.create(costs.budgets, costs.ledger, context, backend.modelInfo().name(), Clock.systemUTC()));
        }
        if (ledgerMeter != null) {
          gb.meter(ledgerMeter);
        }
        // The estimate the call starts with (expected device time) and the bound a hard budget
        // reserves for it (cold start: the CLI's one call is its generator's first).
        CostReport[] started = new CostReport[2];
        gb.addListener(new io.costgen.core.CostListener() {
          @Override
          public void onStart(CallContext c, CostReport estimate) {
            started[0] = estimate;
            Usage u = estimate.usage();
            started[1] = costModel.bound(backend.modelInfo().shape(), u.promptTokens(),
                u.decodeSteps(), Math.max(1, u.sequences()), true);
          }
        });
        TextGenerator generator = gb.build();
        GenerationRequest.Builder rb = GenerationRequest.builder().config(config).context(context);
        if (ids != null) {
          rb.tokenIds(ids);
        } else {
          rb.prompts(prompts);
        }
        if (runtime.stream && !runtime.json) {
          streamTo(out, rb, ids, prompts, tokenizer);
        }
        GenerationResult result;
        try {
          result = generator.generate(rb.build());
        } catch (io.costgen.core.PromptTooLongException e) {
          throw new IllegalArgumentException((ids != null ? "--input-ids" : "--prompt") + ", --max-new-tokens: "
              + e.getMessage() + "; allowed: prompt tokens + new tokens up to " + e.contextLength(), e);
        } catch (IllegalArgumentException e) {
          // Bad input only the model can judge (--max-length beyond the context).
          throw new IllegalArgumentException(OptionNames.cliMessage(e.getMessage(), spec), e);
        }
        costs.saveCorrections();
        List<CostComparison.Entry> compared = costs.compared(result.usage());
        if (runtime.json) {
          ObjectNode root = toJson(result);
          addEstimateAndBound(root, started[0], started[1]);
          costs.addToJson(root, compared);
          out.println(Json.write(root));
        } else {
          printText(out, result);
          costs.printText(out, compared);
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
    boolean single = rows == 1 && (generation.numReturnSequences == null || generation.numReturnSequences == 1);
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
    modelOption.check();
    runtime.check();
    generation.check();
    if (input != null && input.prompts != null) {
      for (String p : input.prompts) {
        if (p.isEmpty()) {
          throw new IllegalArgumentException("--prompt: empty; allowed: at least one character");
        }
      }
    }
    costs.check();
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
    if (runtime.stream) {
      out.println();
    } else {
      for (GeneratedSequence s : result.sequences()) {
        if (result.sequences().size() > 1) {
          out.printf(Locale.ROOT, "[input %d, rank %d, %s]%n", s.inputIndex(), s.rank(), s.finishReason().wireName());
        }
        out.println(s.text().isEmpty() ? ids(s.tokenIds()) : s.text());
      }
    }
    out.println();
    printUsage(out, result);
  }

  /** The usage, timing and cost lines of a result. */
  static void printUsage(PrintWriter out, GenerationResult result) {
    Usage u = result.usage();
    CostReport c = result.cost();
    out.printf(Locale.ROOT, "usage:  %d prompt + %d completion tokens, %.3e FLOPs, %s finish%n", u.promptTokens(),
        u.completionTokens(), u.totalFlops(), result.first().finishReason().wireName());
    out.printf(Locale.ROOT, "timing: first token %.1f ms, total %.1f ms, %.1f tokens/s%n",
        result.timings().timeToFirstToken().toNanos() / 1e6, result.timings().total().toNanos() / 1e6,
        tokensPerSecond(result));
    out.printf(Locale.ROOT, "cost:   %s, %s device-s, %s J, %s gCO2e (%s)%n", c.money(),
        Readable.significant(c.deviceSeconds(), 3), Readable.significant(c.energyJoules(), 3),
        Readable.significant(c.co2eGrams(), 3), c.pricing());
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

  /**
   * Adds the start estimate and the bound beside the measured cost: {@code estimatedDeviceSeconds},
   * {@code estimatedAmount}, {@code boundDeviceSeconds}, {@code boundAmount}.
   */
  static void addEstimateAndBound(ObjectNode root, CostReport estimate, CostReport bound) {
    ObjectNode cost = (ObjectNode) root.get("cost");
    if (estimate != null) {
      cost.put("estimatedDeviceSeconds", estimate.deviceSeconds());
      cost.put("estimatedAmount", estimate.money().toPlainString());
    }
    if (bound != null) {
      cost.put("boundDeviceSeconds", bound.deviceSeconds());
      cost.put("boundAmount", bound.money().toPlainString());
    }
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
    cost.put("money", c.money().toPlainString());
    cost.put("currency", c.money().currency().getCurrencyCode());
    cost.put("pricing", c.pricing());
    return root;
  }

}

package io.costgen.samples.cli;

import io.costgen.core.EarlyStopping;
import io.costgen.core.GenerationConfig;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The generation options shared by {@code costgen generate} and {@code costgen chat} (a picocli
 * mixin): lengths, sampling, beams, penalties and stop strings, turned into a
 * {@link GenerationConfig} holding only what was given (the rest comes from the model).
 */
final class GenerationOptions {
  static final int MAX_STOP_CHARS = 1000;

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

  /** Range checks that need no model. */
  void check() {
    if (minNewTokens != null && maxNewTokens != null && minNewTokens > maxNewTokens) {
      throw new IllegalArgumentException("--min-new-tokens: " + minNewTokens + " exceeds --max-new-tokens "
          + maxNewTokens + "; allowed 0 to " + maxNewTokens);
    }
    if (stop != null) {
      for (String s : stop) {
        OptionChecks.text("--stop", s, MAX_STOP_CHARS);
      }
    }
  }

  GenerationConfig config(CommandSpec spec) {
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

}

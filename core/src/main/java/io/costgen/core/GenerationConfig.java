package io.costgen.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How to generate: the Hugging Face {@code GenerationConfig} fields that costgen supports, with
 * the same names (camel-cased) and the same defaults (transformers
 * {@code generation/configuration_utils.py}).
 *
 * <p>Mode: greedy when {@code numBeams == 1 && !doSample}; multinomial sampling when
 * {@code numBeams == 1 && doSample}; beam search when {@code numBeams > 1 && !doSample}; beam
 * sampling when {@code numBeams > 1 && doSample}. As in Hugging Face, the sampling settings
 * (temperature, top-k, top-p, min-p, typical-p, epsilon, eta) are ignored unless
 * {@code doSample}.
 *
 * <p>Lengths are in tokens. {@code maxLength} counts prompt plus new tokens; when it is not set
 * a call generates up to {@value #DEFAULT_MAX_LENGTH} <em>new</em> tokens, capped at the model's
 * context length (Hugging Face {@code _prepare_generated_length}). {@code maxNewTokens} wins over
 * {@code maxLength}. Lengths are counted per prompt, without padding (each row of a batch behaves
 * as if generated alone).
 *
 * <p>The config records which fields were set explicitly ({@link #explicitFields()}):
 * {@link #withDefaultsFrom(GenerationConfig)} and {@link #withModelDefaults(ModelInfo)} fill only
 * the fields that were not set. Build with {@link #builder()}; immutable and thread-safe.
 *
 * <p>Single-field range errors are {@link IllegalArgumentException}s naming the field, the value
 * and the allowed range, thrown by the builder setter; conflicting settings (e.g.
 * {@code numReturnSequences > numBeams}) are {@link IllegalStateException}s thrown by
 * {@link Builder#build()}.
 */
public final class GenerationConfig {

  /** Hugging Face's model-agnostic default {@code max_length}, in tokens. */
  public static final int DEFAULT_MAX_LENGTH = 20;

  private static final GenerationConfig DEFAULTS = new Builder().build();

  /** The fields, with their Hugging Face {@code generation_config.json} names. */
  enum Field {
    MAX_LENGTH("max_length"),
    MAX_NEW_TOKENS("max_new_tokens"),
    MIN_LENGTH("min_length"),
    MIN_NEW_TOKENS("min_new_tokens"),
    DO_SAMPLE("do_sample"),
    TEMPERATURE("temperature"),
    TOP_K("top_k"),
    TOP_P("top_p"),
    MIN_P("min_p"),
    TYPICAL_P("typical_p"),
    EPSILON_CUTOFF("epsilon_cutoff"),
    ETA_CUTOFF("eta_cutoff"),
    REPETITION_PENALTY("repetition_penalty"),
    NO_REPEAT_NGRAM_SIZE("no_repeat_ngram_size"),
    BAD_WORDS_IDS("bad_words_ids"),
    NUM_BEAMS("num_beams"),
    LENGTH_PENALTY("length_penalty"),
    EARLY_STOPPING("early_stopping"),
    NUM_RETURN_SEQUENCES("num_return_sequences"),
    EOS_TOKEN_ID("eos_token_id"),
    PAD_TOKEN_ID("pad_token_id"),
    STOP_STRINGS("stop_strings"),
    SEED("seed"),
    MAX_TIME("max_time"),
    SUPPRESS_TOKENS("suppress_tokens"),
    BEGIN_SUPPRESS_TOKENS("begin_suppress_tokens"),
    FORCED_BOS_TOKEN_ID("forced_bos_token_id"),
    FORCED_EOS_TOKEN_ID("forced_eos_token_id"),
    SEQUENCE_BIAS("sequence_bias"),
    EXPONENTIAL_DECAY_LENGTH_PENALTY("exponential_decay_length_penalty"),
    RENORMALIZE_LOGITS("renormalize_logits"),
    REMOVE_INVALID_VALUES("remove_invalid_values");

    final String hfName;

    Field(String hfName) {
      this.hfName = hfName;
    }
  }

  private final int maxLength;
  private final Integer maxNewTokens;
  private final int minLength;
  private final Integer minNewTokens;
  private final boolean doSample;
  private final double temperature;
  private final int topK;
  private final double topP;
  private final Double minP;
  private final double typicalP;
  private final double epsilonCutoff;
  private final double etaCutoff;
  private final double repetitionPenalty;
  private final int noRepeatNgramSize;
  private final List<List<Long>> badWordsIds;
  private final int numBeams;
  private final double lengthPenalty;
  private final EarlyStopping earlyStopping;
  private final int numReturnSequences;
  private final List<Long> eosTokenIds;
  private final Long padTokenId;
  private final List<String> stopStrings;
  private final Long seed;
  private final Duration maxTime;
  private final List<Long> suppressTokens;
  private final List<Long> beginSuppressTokens;
  private final Long forcedBosTokenId;
  private final List<Long> forcedEosTokenIds;
  private final Map<List<Long>, Double> sequenceBias;
  private final ExponentialDecayLengthPenalty exponentialDecayLengthPenalty;
  private final boolean renormalizeLogits;
  private final boolean removeInvalidValues;
  private final Set<Field> explicit;

  private GenerationConfig(Builder b) {
    this.maxLength = b.maxLength;
    this.maxNewTokens = b.maxNewTokens;
    this.minLength = b.minLength;
    this.minNewTokens = b.minNewTokens;
    this.doSample = b.doSample;
    this.temperature = b.temperature;
    this.topK = b.topK;
    this.topP = b.topP;
    this.minP = b.minP;
    this.typicalP = b.typicalP;
    this.epsilonCutoff = b.epsilonCutoff;
    this.etaCutoff = b.etaCutoff;
    this.repetitionPenalty = b.repetitionPenalty;
    this.noRepeatNgramSize = b.noRepeatNgramSize;
    this.badWordsIds = b.badWordsIds;
    this.numBeams = b.numBeams;
    this.lengthPenalty = b.lengthPenalty;
    this.earlyStopping = b.earlyStopping;
    this.numReturnSequences = b.numReturnSequences;
    this.eosTokenIds = b.eosTokenIds;
    this.padTokenId = b.padTokenId;
    this.stopStrings = b.stopStrings;
    this.seed = b.seed;
    this.maxTime = b.maxTime;
    this.suppressTokens = b.suppressTokens;
    this.beginSuppressTokens = b.beginSuppressTokens;
    this.forcedBosTokenId = b.forcedBosTokenId;
    this.forcedEosTokenIds = b.forcedEosTokenIds;
    this.sequenceBias = b.sequenceBias;
    this.exponentialDecayLengthPenalty = b.exponentialDecayLengthPenalty;
    this.renormalizeLogits = b.renormalizeLogits;
    this.removeInvalidValues = b.removeInvalidValues;
    this.explicit = Collections.unmodifiableSet(EnumSet.copyOf(b.explicit.isEmpty()
        ? EnumSet.noneOf(Field.class) : b.explicit));
  }

  /** All Hugging Face defaults, nothing set explicitly. */
  public static GenerationConfig defaults() {
    return DEFAULTS;
  }

  /** A builder holding the Hugging Face defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values and explicit-field marks. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxLength = maxLength;
    b.maxNewTokens = maxNewTokens;
    b.minLength = minLength;
    b.minNewTokens = minNewTokens;
    b.doSample = doSample;
    b.temperature = temperature;
    b.topK = topK;
    b.topP = topP;
    b.minP = minP;
    b.typicalP = typicalP;
    b.epsilonCutoff = epsilonCutoff;
    b.etaCutoff = etaCutoff;
    b.repetitionPenalty = repetitionPenalty;
    b.noRepeatNgramSize = noRepeatNgramSize;
    b.badWordsIds = badWordsIds;
    b.numBeams = numBeams;
    b.lengthPenalty = lengthPenalty;
    b.earlyStopping = earlyStopping;
    b.numReturnSequences = numReturnSequences;
    b.eosTokenIds = eosTokenIds;
    b.padTokenId = padTokenId;
    b.stopStrings = stopStrings;
    b.seed = seed;
    b.maxTime = maxTime;
    b.suppressTokens = suppressTokens;
    b.beginSuppressTokens = beginSuppressTokens;
    b.forcedBosTokenId = forcedBosTokenId;
    b.forcedEosTokenIds = forcedEosTokenIds;
    b.sequenceBias = sequenceBias;
    b.exponentialDecayLengthPenalty = exponentialDecayLengthPenalty;
    b.renormalizeLogits = renormalizeLogits;
    b.removeInvalidValues = removeInvalidValues;
    b.explicit.addAll(explicit);
    return b;
  }

  /**
   * Reads the keys of a Hugging Face {@code generation_config.json} (snake_case names, e.g.
   * {@code "max_new_tokens"}, {@code "eos_token_id"} as a number or a list, {@code "early_stopping"}
   * as a boolean or {@code "never"}, {@code "max_time"} in seconds, {@code "sequence_bias"} as a
   * list of {@code [[ids], bias]} pairs or an object keyed by id lists). Keys present with a
   * non-null value are marked explicit; {@code "top_k": null} means no top-k filter (as in
   * transformers), i.e. {@code topK = 0}; other nulls leave the default. Metadata keys (e.g.
   * {@code "bos_token_id"}, {@code "transformers_version"}) are ignored; generation keys costgen
   * does not implement (e.g. {@code "diversity_penalty"}) are logged once per key as a warning. A
   * {@code "max_length"} equal to the global default {@value #DEFAULT_MAX_LENGTH} is treated as
   * unset, as Hugging Face's {@code _prepare_generated_length} does.
   *
   * @throws IllegalArgumentException naming the key when a value has the wrong type or range
   */
  public static GenerationConfig fromHuggingFace(Map<String, ?> json) {
    Objects.requireNonNull(json, "json");
    Builder b = new Builder();
    for (Map.Entry<String, ?> e : json.entrySet()) {
      Object v = e.getValue();
      String key = e.getKey();
      if (v == null) {
        if (key.equals("top_k")) {
          b.topK(0); // transformers: top_k=None disables the top-k warper
        }
        continue;
      }
      switch (key) {
        case "max_length": {
          int n = intValue(key, v);
          if (n != DEFAULT_MAX_LENGTH) {
            b.maxLength(n);
          }
          break;
        }
        case "max_new_tokens": b.maxNewTokens(intValue(key, v)); break;
        case "min_length": b.minLength(intValue(key, v)); break;
        case "min_new_tokens": b.minNewTokens(intValue(key, v)); break;
        case "do_sample": b.doSample(boolValue(key, v)); break;
        case "temperature": b.temperature(doubleValue(key, v)); break;
        case "top_k": b.topK(intValue(key, v)); break;
        case "top_p": b.topP(doubleValue(key, v)); break;
        case "min_p": b.minP(doubleValue(key, v)); break;
        case "typical_p": b.typicalP(doubleValue(key, v)); break;
        case "epsilon_cutoff": b.epsilonCutoff(doubleValue(key, v)); break;
        case "eta_cutoff": b.etaCutoff(doubleValue(key, v)); break;
        case "repetition_penalty": b.repetitionPenalty(doubleValue(key, v)); break;
        case "no_repeat_ngram_size": b.noRepeatNgramSize(intValue(key, v)); break;
        case "bad_words_ids": b.badWordsIds(nestedLongLists(key, v)); break;
        case "num_beams": b.numBeams(intValue(key, v)); break;
        case "length_penalty": b.lengthPenalty(doubleValue(key, v)); break;
        case "early_stopping": b.earlyStopping(EarlyStopping.fromHuggingFace(v)); break;
        case "num_return_sequences": b.numReturnSequences(intValue(key, v)); break;
        case "eos_token_id": b.eosTokenIds(longList(key, v)); break;
        case "pad_token_id": b.padTokenId(longValue(key, v)); break;
        case "stop_strings": b.stopStrings(stringList(key, v)); break;
        case "seed": b.seed(longValue(key, v)); break;
        case "max_time": {
          double seconds = doubleValue(key, v);
          if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException(
                "maxTime (max_time): " + seconds + " seconds must be finite and > 0");
          }
          b.maxTime(Duration.ofNanos(Math.round(seconds * 1e9)));
          break;
        }
        case "suppress_tokens": b.suppressTokens(longList(key, v)); break;
        case "begin_suppress_tokens": b.beginSuppressTokens(longList(key, v)); break;
        case "forced_bos_token_id": b.forcedBosTokenId(longValue(key, v)); break;
        case "forced_eos_token_id": b.forcedEosTokenIds(longList(key, v)); break;
        case "sequence_bias": b.sequenceBias(sequenceBiasValue(key, v)); break;
        case "exponential_decay_length_penalty": {
          if (!(v instanceof List<?> pair) || pair.size() != 2) {
            throw new IllegalArgumentException(key + ": " + v + " is not a [start_index, decay_factor] pair");
          }
          b.exponentialDecayLengthPenalty(
              new ExponentialDecayLengthPenalty(intValue(key, pair.get(0)), doubleValue(key, pair.get(1))));
          break;
        }
        case "renormalize_logits": b.renormalizeLogits(boolValue(key, v)); break;
        case "remove_invalid_values": b.removeInvalidValues(boolValue(key, v)); break;
        default:
          UnsupportedKeys.check(key, v);
          break;
      }
    }
    return b.build();
  }

  /**
   * This config with every field it did not set explicitly taken from {@code base} (values and
   * explicit marks). Fields explicitly set here always win.
   */
  public GenerationConfig withDefaultsFrom(GenerationConfig base) {
    Objects.requireNonNull(base, "base");
    Builder b = base.toBuilder();
    for (Field f : explicit) {
      copyField(f, this, b);
    }
    return b.build();
  }

  /**
   * Resolves against a model: fields not set here come from the model's
   * {@link ModelInfo#generationDefaults()} ({@code generation_config.json}); then, if still unset,
   * {@code eosTokenIds} from {@link ModelInfo#specialTokens()}, and {@code padTokenId} from the
   * special tokens or else the first EOS id (Hugging Face {@code _prepare_special_tokens}).
   */
  public GenerationConfig withModelDefaults(ModelInfo model) {
    Objects.requireNonNull(model, "model");
    GenerationConfig merged = withDefaultsFrom(fromHuggingFace(model.generationDefaults()));
    Builder b = merged.toBuilder();
    if (!merged.explicit.contains(Field.EOS_TOKEN_ID) && !model.specialTokens().eosTokenIds().isEmpty()) {
      b.eosTokenIds(model.specialTokens().eosTokenIds());
    }
    if (!merged.explicit.contains(Field.PAD_TOKEN_ID)) {
      if (model.specialTokens().padTokenId().isPresent()) {
        b.padTokenId(model.specialTokens().padTokenId().getAsLong());
      } else if (!b.eosTokenIds.isEmpty()) {
        b.padTokenId(b.eosTokenIds.get(0));
      }
    }
    return b.build();
  }

  /** Hugging Face names ({@code generation_config.json} keys) of the fields set explicitly. */
  public Set<String> explicitFields() {
    Set<String> names = new LinkedHashSet<>();
    for (Field f : explicit) {
      names.add(f.hfName);
    }
    return Collections.unmodifiableSet(names);
  }

  /** Whether the field with this Hugging Face name (e.g. {@code "top_k"}) was set explicitly. */
  public boolean isExplicit(String huggingFaceName) {
    for (Field f : explicit) {
      if (f.hfName.equals(huggingFaceName)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this is beam search or beam sampling ({@code numBeams > 1}). */
  public boolean isBeamSearch() {
    return numBeams > 1;
  }

  /** Total length in tokens (prompt + new); meaningful when explicitly set. Default 20. */
  public int maxLength() { return maxLength; }

  /** New tokens to generate at most; wins over {@link #maxLength()}. */
  public OptionalInt maxNewTokens() { return maxNewTokens == null ? OptionalInt.empty() : OptionalInt.of(maxNewTokens); }

  /** EOS is banned while the sequence (prompt included) is shorter than this, in tokens. Default 0. */
  public int minLength() { return minLength; }

  /** EOS is banned until this many new tokens were generated; wins over {@link #minLength()}. */
  public OptionalInt minNewTokens() { return minNewTokens == null ? OptionalInt.empty() : OptionalInt.of(minNewTokens); }

  /** Sample (true) or pick the most likely token (false, default). */
  public boolean doSample() { return doSample; }

  /** Softmax temperature (sampling only). Default 1.0. */
  public double temperature() { return temperature; }

  /** Keep only the k most likely tokens (sampling only); 0 disables. Default 50. */
  public int topK() { return topK; }

  /** Nucleus: keep the smallest set of tokens with probability mass >= topP (sampling only). Default 1.0. */
  public double topP() { return topP; }

  /** Drop tokens with probability &lt; minP × the top probability (sampling only). Default unset. */
  public OptionalDouble minP() { return minP == null ? OptionalDouble.empty() : OptionalDouble.of(minP); }

  /** Typical decoding mass (sampling only); 1.0 disables. Default 1.0. */
  public double typicalP() { return typicalP; }

  /** Epsilon sampling cutoff (probability; sampling only); active in (0, 1). Default 0. */
  public double epsilonCutoff() { return epsilonCutoff; }

  /** Eta sampling cutoff (sampling only); active in (0, 1). Default 0. */
  public double etaCutoff() { return etaCutoff; }

  /** Repetition penalty (> 0; 1.0 = none): positive scores divided, negative multiplied. Default 1.0. */
  public double repetitionPenalty() { return repetitionPenalty; }

  /** n-grams of this size (prompt included) may occur only once; 0 disables. Default 0. */
  public int noRepeatNgramSize() { return noRepeatNgramSize; }

  /** Token sequences that must not be generated. Default empty. */
  public List<List<Long>> badWordsIds() { return badWordsIds; }

  /** Beams; 1 = no beam search. Default 1. */
  public int numBeams() { return numBeams; }

  /** Beam scores are divided by (generated length)^lengthPenalty. Default 1.0. */
  public double lengthPenalty() { return lengthPenalty; }

  /** Beam-search stopping rule. Default {@link EarlyStopping#FALSE}. */
  public EarlyStopping earlyStopping() { return earlyStopping; }

  /** Sequences returned per prompt. Default 1. */
  public int numReturnSequences() { return numReturnSequences; }

  /** Token ids that end a sequence (any of them). Default empty (then the model's). */
  public List<Long> eosTokenIds() { return eosTokenIds; }

  /** Padding token id. Default unset (then the model's, or the first EOS id). */
  public OptionalLong padTokenId() { return padTokenId == null ? OptionalLong.empty() : OptionalLong.of(padTokenId); }

  /** Texts that end a sequence when generated (needs a tokenizer). Default empty. */
  public List<String> stopStrings() { return stopStrings; }

  /** Seed of the sampling random generator; unset = a fresh random seed per call. */
  public OptionalLong seed() { return seed == null ? OptionalLong.empty() : OptionalLong.of(seed); }

  /** Wall-time limit of a call, checked after each forward pass. Default unset. */
  public Optional<Duration> maxTime() { return Optional.ofNullable(maxTime); }

  /** Token ids never generated ({@code SuppressTokensLogitsProcessor}). Default empty. */
  public List<Long> suppressTokens() { return suppressTokens; }

  /** Token ids not generated as the first new token ({@code SuppressTokensAtBeginLogitsProcessor}). Default empty. */
  public List<Long> beginSuppressTokens() { return beginSuppressTokens; }

  /** Token forced when the sequence holds exactly one token ({@code ForcedBOSTokenLogitsProcessor}). Default unset. */
  public OptionalLong forcedBosTokenId() {
    return forcedBosTokenId == null ? OptionalLong.empty() : OptionalLong.of(forcedBosTokenId);
  }

  /**
   * Tokens forced as the last token the length limit allows ({@code ForcedEOSTokenLogitsProcessor});
   * with several ids, each of them stays allowed. Default empty.
   */
  public List<Long> forcedEosTokenIds() { return forcedEosTokenIds; }

  /**
   * Biases added to the score of a sequence's last token when the tokens before it were just
   * generated ({@code SequenceBiasLogitsProcessor}); single-token sequences always. Default empty.
   */
  public Map<List<Long>, Double> sequenceBias() { return sequenceBias; }

  /** Raises the EOS scores exponentially after a number of new tokens. Default unset. */
  public Optional<ExponentialDecayLengthPenalty> exponentialDecayLengthPenalty() {
    return Optional.ofNullable(exponentialDecayLengthPenalty);
  }

  /** Log-softmax the scores after all processors ({@code LogitNormalization}). Default false. */
  public boolean renormalizeLogits() { return renormalizeLogits; }

  /** Replace NaN and ±infinity scores by 0 and ±float max ({@code InfNanRemoveLogitsProcessor}). Default false. */
  public boolean removeInvalidValues() { return removeInvalidValues; }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GenerationConfig c)) {
      return false;
    }
    return maxLength == c.maxLength && Objects.equals(maxNewTokens, c.maxNewTokens)
        && minLength == c.minLength && Objects.equals(minNewTokens, c.minNewTokens)
        && doSample == c.doSample && temperature == c.temperature && topK == c.topK
        && topP == c.topP && Objects.equals(minP, c.minP) && typicalP == c.typicalP
        && epsilonCutoff == c.epsilonCutoff && etaCutoff == c.etaCutoff
        && repetitionPenalty == c.repetitionPenalty && noRepeatNgramSize == c.noRepeatNgramSize
        && badWordsIds.equals(c.badWordsIds) && numBeams == c.numBeams
        && lengthPenalty == c.lengthPenalty && earlyStopping == c.earlyStopping
        && numReturnSequences == c.numReturnSequences && eosTokenIds.equals(c.eosTokenIds)
        && Objects.equals(padTokenId, c.padTokenId) && stopStrings.equals(c.stopStrings)
        && Objects.equals(seed, c.seed) && Objects.equals(maxTime, c.maxTime)
        && suppressTokens.equals(c.suppressTokens) && beginSuppressTokens.equals(c.beginSuppressTokens)
        && Objects.equals(forcedBosTokenId, c.forcedBosTokenId) && forcedEosTokenIds.equals(c.forcedEosTokenIds)
        && sequenceBias.equals(c.sequenceBias)
        && Objects.equals(exponentialDecayLengthPenalty, c.exponentialDecayLengthPenalty)
        && renormalizeLogits == c.renormalizeLogits && removeInvalidValues == c.removeInvalidValues
        && explicit.equals(c.explicit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxLength, maxNewTokens, minLength, minNewTokens, doSample, temperature,
        topK, topP, minP, typicalP, epsilonCutoff, etaCutoff, repetitionPenalty,
        noRepeatNgramSize, badWordsIds, numBeams, lengthPenalty, earlyStopping,
        numReturnSequences, eosTokenIds, padTokenId, stopStrings, seed, maxTime, suppressTokens,
        beginSuppressTokens, forcedBosTokenId, forcedEosTokenIds, sequenceBias, exponentialDecayLengthPenalty,
        renormalizeLogits, removeInvalidValues, explicit);
  }

  /** The explicitly set fields, with Hugging Face names, e.g. {@code GenerationConfig{max_new_tokens=32}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GenerationConfig{");
    String sep = "";
    for (Field f : explicit) {
      sb.append(sep).append(f.hfName).append('=').append(valueOf(f));
      sep = ", ";
    }
    return sb.append('}').toString();
  }

  private Object valueOf(Field f) {
    switch (f) {
      case MAX_LENGTH: return maxLength;
      case MAX_NEW_TOKENS: return maxNewTokens;
      case MIN_LENGTH: return minLength;
      case MIN_NEW_TOKENS: return minNewTokens;
      case DO_SAMPLE: return doSample;
      case TEMPERATURE: return temperature;
      case TOP_K: return topK;
      case TOP_P: return topP;
      case MIN_P: return minP;
      case TYPICAL_P: return typicalP;
      case EPSILON_CUTOFF: return epsilonCutoff;
      case ETA_CUTOFF: return etaCutoff;
      case REPETITION_PENALTY: return repetitionPenalty;
      case NO_REPEAT_NGRAM_SIZE: return noRepeatNgramSize;
      case BAD_WORDS_IDS: return badWordsIds;
      case NUM_BEAMS: return numBeams;
      case LENGTH_PENALTY: return lengthPenalty;
      case EARLY_STOPPING: return earlyStopping;
      case NUM_RETURN_SEQUENCES: return numReturnSequences;
      case EOS_TOKEN_ID: return eosTokenIds;
      case PAD_TOKEN_ID: return padTokenId;
      case STOP_STRINGS: return stopStrings;
      case SEED: return seed;
      case MAX_TIME: return maxTime;
      case SUPPRESS_TOKENS: return suppressTokens;
      case BEGIN_SUPPRESS_TOKENS: return beginSuppressTokens;
      case FORCED_BOS_TOKEN_ID: return forcedBosTokenId;
      case FORCED_EOS_TOKEN_ID: return forcedEosTokenIds;
      case SEQUENCE_BIAS: return sequenceBias;
      case EXPONENTIAL_DECAY_LENGTH_PENALTY: return exponentialDecayLengthPenalty;
      case RENORMALIZE_LOGITS: return renormalizeLogits;
      case REMOVE_INVALID_VALUES: return removeInvalidValues;
      default: throw new AssertionError(f);
    }
  }

  private static void copyField(Field f, GenerationConfig from, Builder to) {
    switch (f) {
      case MAX_LENGTH: to.maxLength(from.maxLength); break;
      case MAX_NEW_TOKENS: to.maxNewTokens(from.maxNewTokens); break;
      case MIN_LENGTH: to.minLength(from.minLength); break;
      case MIN_NEW_TOKENS: to.minNewTokens(from.minNewTokens); break;
      case DO_SAMPLE: to.doSample(from.doSample); break;
      case TEMPERATURE: to.temperature(from.temperature); break;
      case TOP_K: to.topK(from.topK); break;
      case TOP_P: to.topP(from.topP); break;
      case MIN_P: to.minP(from.minP); break;
      case TYPICAL_P: to.typicalP(from.typicalP); break;
      case EPSILON_CUTOFF: to.epsilonCutoff(from.epsilonCutoff); break;
      case ETA_CUTOFF: to.etaCutoff(from.etaCutoff); break;
      case REPETITION_PENALTY: to.repetitionPenalty(from.repetitionPenalty); break;
      case NO_REPEAT_NGRAM_SIZE: to.noRepeatNgramSize(from.noRepeatNgramSize); break;
      case BAD_WORDS_IDS: to.badWordsIds(from.badWordsIds); break;
      case NUM_BEAMS: to.numBeams(from.numBeams); break;
      case LENGTH_PENALTY: to.lengthPenalty(from.lengthPenalty); break;
      case EARLY_STOPPING: to.earlyStopping(from.earlyStopping); break;
      case NUM_RETURN_SEQUENCES: to.numReturnSequences(from.numReturnSequences); break;
      case EOS_TOKEN_ID: to.eosTokenIds(from.eosTokenIds); break;
      case PAD_TOKEN_ID: to.padTokenId(from.padTokenId); break;
      case STOP_STRINGS: to.stopStrings(from.stopStrings); break;
      case SEED: to.seed(from.seed); break;
      case MAX_TIME: to.maxTime(from.maxTime); break;
      case SUPPRESS_TOKENS: to.suppressTokens(from.suppressTokens); break;
      case BEGIN_SUPPRESS_TOKENS: to.beginSuppressTokens(from.beginSuppressTokens); break;
      case FORCED_BOS_TOKEN_ID: to.forcedBosTokenId(from.forcedBosTokenId); break;
      case FORCED_EOS_TOKEN_ID: to.forcedEosTokenIds(from.forcedEosTokenIds); break;
      case SEQUENCE_BIAS: to.sequenceBias(from.sequenceBias); break;
      case EXPONENTIAL_DECAY_LENGTH_PENALTY: to.exponentialDecayLengthPenalty(from.exponentialDecayLengthPenalty); break;
      case RENORMALIZE_LOGITS: to.renormalizeLogits(from.renormalizeLogits); break;
      case REMOVE_INVALID_VALUES: to.removeInvalidValues(from.removeInvalidValues); break;
      default: throw new AssertionError(f);
    }
  }

  // ---- JSON value coercion (Jackson gives Integer/Long/Double/Boolean/String/List) ----

  private static int intValue(String key, Object v) {
    long l = longValue(key, v);
    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + ": " + v + " does not fit in an int");
    }
    return (int) l;
  }

  private static long longValue(String key, Object v) {
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (n instanceof Double || n instanceof Float) {
        if (d != Math.rint(d) || Double.isInfinite(d)) {
          throw new IllegalArgumentException(key + ": " + v + " is not an integer");
        }
        return (long) d;
      }
      return n.longValue();
    }
    throw new IllegalArgumentException(key + ": " + v + " is not an integer");
  }

  private static double doubleValue(String key, Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a number");
  }

  private static boolean boolValue(String key, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a boolean");
  }

  private static List<Long> longList(String key, Object v) {
    if (v instanceof Number) {
      return List.of(longValue(key, v));
    }
    if (v instanceof List<?> list) {
      List<Long> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(longValue(key, o));
      }
      return out;
    }
    throw new IllegalArgumentException(key + ": " + v + " is neither an integer nor a list of integers");
  }

  /** {@code [[ids], bias]} pairs (transformers' serialized form) or {@code {"[1, 2]": bias}} / {@code {"(1, 2)": bias}}. */
  private static Map<List<Long>, Double> sequenceBiasValue(String key, Object v) {
    Map<List<Long>, Double> out = new java.util.LinkedHashMap<>();
    if (v instanceof List<?> list) {
      for (Object o : list) {
        if (!(o instanceof List<?> pair) || pair.size() != 2) {
          throw new IllegalArgumentException(key + ": " + v + " is not a list of [[token ids], bias] pairs");
        }
        out.put(longList(key, pair.get(0)), doubleValue(key, pair.get(1)));
      }
      return out;
    }
    if (v instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = String.valueOf(e.getKey()).trim().replaceAll("^[\\[(]|[\\])]$", "");
        List<Long> ids = new ArrayList<>();
        for (String part : k.split(",")) {
          if (!part.isBlank()) {
            try {
              ids.add(Long.parseLong(part.trim()));
            } catch (NumberFormatException ex) {
              throw new IllegalArgumentException(key + ": key " + e.getKey() + " is not a list of token ids");
            }
          }
        }
        out.put(ids, doubleValue(key, e.getValue()));
      }
      return out;
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a list of [[token ids], bias] pairs");
  }

  private static List<List<Long>> nestedLongLists(String key, Object v) {
    if (!(v instanceof List<?> list)) {
      throw new IllegalArgumentException(key + ": " + v + " is not a list of lists of integers");
    }
    List<List<Long>> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof List<?>)) {
        throw new IllegalArgumentException(key + ": " + v + " is not a list of lists of integers");
      }
      out.add(longList(key, o));
    }
    return out;
  }

  private static List<String> stringList(String key, Object v) {
    if (v instanceof String s) {
      return List.of(s);
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>(list.size());
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new IllegalArgumentException(key + ": " + v + " is not a string or a list of strings");
        }
        out.add(s);
      }
      return out;
    }
    throw new IllegalArgumentException(key + ": " + v + " is not a string or a list of strings");
  }

  /**
   * Builder for {@link GenerationConfig}, starting from the Hugging Face defaults. Every setter
   * marks its field explicit and checks its range at once ({@link IllegalArgumentException} naming
   * the field, the value and the allowed range); {@link #build()} checks settings that conflict
   * ({@link IllegalStateException}). Not thread-safe.
   */
  public static final class Builder {
    private int maxLength = DEFAULT_MAX_LENGTH;
    private Integer maxNewTokens;
    private int minLength;
    private Integer minNewTokens;
    private boolean doSample;
    private double temperature = 1.0;
    private int topK = 50;
    private double topP = 1.0;
    private Double minP;
    private double typicalP = 1.0;
    private double epsilonCutoff;
    private double etaCutoff;
    private double repetitionPenalty = 1.0;
    private int noRepeatNgramSize;
    private List<List<Long>> badWordsIds = List.of();
    private int numBeams = 1;
    private double lengthPenalty = 1.0;
    private EarlyStopping earlyStopping = EarlyStopping.FALSE;
    private int numReturnSequences = 1;
    private List<Long> eosTokenIds = List.of();
    private Long padTokenId;
    private List<String> stopStrings = List.of();
    private Long seed;
    private Duration maxTime;
    private List<Long> suppressTokens = List.of();
    private List<Long> beginSuppressTokens = List.of();
    private Long forcedBosTokenId;
    private List<Long> forcedEosTokenIds = List.of();
    private Map<List<Long>, Double> sequenceBias = Map.of();
    private ExponentialDecayLengthPenalty exponentialDecayLengthPenalty;
    private boolean renormalizeLogits;
    private boolean removeInvalidValues;
    private final EnumSet<Field> explicit = EnumSet.noneOf(Field.class);

    private Builder() {}

    /** Total length, prompt + new tokens; >= 1. */
    public Builder maxLength(int tokens) {
      requireAtLeast("maxLength", "max_length", tokens, 1);
      this.maxLength = tokens;
      return mark(Field.MAX_LENGTH);
    }

    /** New tokens at most; >= 1. Wins over {@link #maxLength(int)}. */
    public Builder maxNewTokens(int tokens) {
      requireAtLeast("maxNewTokens", "max_new_tokens", tokens, 1);
      this.maxNewTokens = tokens;
      return mark(Field.MAX_NEW_TOKENS);
    }

    private Builder maxNewTokens(Integer tokens) {
      return tokens == null ? unset(Field.MAX_NEW_TOKENS) : maxNewTokens((int) tokens);
    }

    /** Minimum total length before EOS is allowed; >= 0. */
    public Builder minLength(int tokens) {
      requireAtLeast("minLength", "min_length", tokens, 0);
      this.minLength = tokens;
      return mark(Field.MIN_LENGTH);
    }

    /** Minimum new tokens before EOS is allowed; >= 0. */
    public Builder minNewTokens(int tokens) {
      requireAtLeast("minNewTokens", "min_new_tokens", tokens, 0);
      this.minNewTokens = tokens;
      return mark(Field.MIN_NEW_TOKENS);
    }

    private Builder minNewTokens(Integer tokens) {
      return tokens == null ? unset(Field.MIN_NEW_TOKENS) : minNewTokens((int) tokens);
    }

    public Builder doSample(boolean v) {
      this.doSample = v;
      return mark(Field.DO_SAMPLE);
    }

    /** Finite and >= 0; must be > 0 when sampling (checked by {@link #build()}). */
    public Builder temperature(double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("temperature (temperature): " + v
            + " is outside the allowed range [0, +inf) (must be > 0 when doSample)");
      }
      this.temperature = v;
      return mark(Field.TEMPERATURE);
    }

    /** >= 0; 0 disables top-k. */
    public Builder topK(int v) {
      requireAtLeast("topK", "top_k", v, 0);
      this.topK = v;
      return mark(Field.TOP_K);
    }

    /** In (0, 1]; 1 disables top-p. */
    public Builder topP(double v) {
      if (!(v > 0 && v <= 1)) {
        throw new IllegalArgumentException("topP (top_p): " + v + " is outside the allowed range (0, 1]");
      }
      this.topP = v;
      return mark(Field.TOP_P);
    }

    /** In [0, 1]. */
    public Builder minP(double v) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException("minP (min_p): " + v + " is outside the allowed range [0, 1]");
      }
      this.minP = v;
      return mark(Field.MIN_P);
    }

    private Builder minP(Double v) {
      return v == null ? unset(Field.MIN_P) : minP((double) v);
    }

    /** In (0, 1]; 1 disables typical decoding. */
    public Builder typicalP(double v) {
      if (!(v > 0 && v <= 1)) {
        throw new IllegalArgumentException("typicalP (typical_p): " + v + " is outside the allowed range (0, 1]");
      }
      this.typicalP = v;
      return mark(Field.TYPICAL_P);
    }

    /** In [0, 1); 0 disables epsilon sampling. */
    public Builder epsilonCutoff(double v) {
      if (!(v >= 0 && v < 1)) {
        throw new IllegalArgumentException(
            "epsilonCutoff (epsilon_cutoff): " + v + " is outside the allowed range [0, 1)");
      }
      this.epsilonCutoff = v;
      return mark(Field.EPSILON_CUTOFF);
    }

    /** In [0, 1); 0 disables eta sampling. */
    public Builder etaCutoff(double v) {
      if (!(v >= 0 && v < 1)) {
        throw new IllegalArgumentException("etaCutoff (eta_cutoff): " + v + " is outside the allowed range [0, 1)");
      }
      this.etaCutoff = v;
      return mark(Field.ETA_CUTOFF);
    }

    /** Finite and > 0; 1 = no penalty. */
    public Builder repetitionPenalty(double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(
            "repetitionPenalty (repetition_penalty): " + v + " is outside the allowed range (0, +inf)");
      }
      this.repetitionPenalty = v;
      return mark(Field.REPETITION_PENALTY);
    }

    /** >= 0; 0 disables. */
    public Builder noRepeatNgramSize(int v) {
      requireAtLeast("noRepeatNgramSize", "no_repeat_ngram_size", v, 0);
      this.noRepeatNgramSize = v;
      return mark(Field.NO_REPEAT_NGRAM_SIZE);
    }

    /** Banned token sequences, each non-empty with ids >= 0. */
    public Builder badWordsIds(List<? extends List<Long>> sequences) {
      Objects.requireNonNull(sequences, "badWordsIds");
      List<List<Long>> copy = new ArrayList<>(sequences.size());
      for (int i = 0; i < sequences.size(); i++) {
        List<Long> seq = List.copyOf(sequences.get(i));
        if (seq.isEmpty()) {
          throw new IllegalArgumentException("badWordsIds (bad_words_ids)[" + i + "]: must not be empty");
        }
        for (Long id : seq) {
          if (id < 0) {
            throw new IllegalArgumentException(
                "badWordsIds (bad_words_ids)[" + i + "]: token id " + id + " must be >= 0");
          }
        }
        copy.add(seq);
      }
      this.badWordsIds = List.copyOf(copy);
      return mark(Field.BAD_WORDS_IDS);
    }

    /** Adds one banned token sequence. */
    public Builder addBadWords(long... sequence) {
      List<List<Long>> list = new ArrayList<>(badWordsIds);
      List<Long> seq = new ArrayList<>(sequence.length);
      for (long id : sequence) {
        seq.add(id);
      }
      list.add(seq);
      return badWordsIds(list);
    }

    /** >= 1. */
    public Builder numBeams(int v) {
      requireAtLeast("numBeams", "num_beams", v, 1);
      this.numBeams = v;
      return mark(Field.NUM_BEAMS);
    }

    /** Finite. */
    public Builder lengthPenalty(double v) {
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("lengthPenalty (length_penalty): " + v + " must be finite");
      }
      this.lengthPenalty = v;
      return mark(Field.LENGTH_PENALTY);
    }

    public Builder earlyStopping(EarlyStopping v) {
      this.earlyStopping = Objects.requireNonNull(v, "earlyStopping");
      return mark(Field.EARLY_STOPPING);
    }

    /** At least 1; at most numBeams with beams; 1 for greedy (checked by {@link #build()}). */
    public Builder numReturnSequences(int v) {
      requireAtLeast("numReturnSequences", "num_return_sequences", v, 1);
      this.numReturnSequences = v;
      return mark(Field.NUM_RETURN_SEQUENCES);
    }

    /** End-of-sequence ids, each >= 0; any of them ends a sequence. */
    public Builder eosTokenIds(List<Long> ids) {
      List<Long> copy = List.copyOf(ids);
      for (Long id : copy) {
        if (id < 0) {
          throw new IllegalArgumentException("eosTokenIds (eos_token_id): " + id + " must be >= 0");
        }
      }
      this.eosTokenIds = copy;
      return mark(Field.EOS_TOKEN_ID);
    }

    /** End-of-sequence ids, each >= 0. */
    public Builder eosTokenId(long... ids) {
      List<Long> list = new ArrayList<>(ids.length);
      for (long id : ids) {
        list.add(id);
      }
      return eosTokenIds(list);
    }

    /** >= 0. */
    public Builder padTokenId(long id) {
      if (id < 0) {
        throw new IllegalArgumentException("padTokenId (pad_token_id): " + id + " must be >= 0");
      }
      this.padTokenId = id;
      return mark(Field.PAD_TOKEN_ID);
    }

    private Builder padTokenId(Long id) {
      return id == null ? unset(Field.PAD_TOKEN_ID) : padTokenId((long) id);
    }

    /** Non-empty stop texts. */
    public Builder stopStrings(List<String> texts) {
      List<String> copy = List.copyOf(texts);
      for (int i = 0; i < copy.size(); i++) {
        if (copy.get(i).isEmpty()) {
          throw new IllegalArgumentException("stopStrings (stop_strings)[" + i + "]: must not be empty");
        }
      }
      this.stopStrings = copy;
      return mark(Field.STOP_STRINGS);
    }

    public Builder stopStrings(String... texts) {
      return stopStrings(List.of(texts));
    }

    /** Seed of the per-call sampling random generator (any value). */
    public Builder seed(long v) {
      this.seed = v;
      return mark(Field.SEED);
    }

    private Builder seed(Long v) {
      return v == null ? unset(Field.SEED) : seed((long) v);
    }

    /** Wall-time limit, > 0. */
    public Builder maxTime(Duration v) {
      Objects.requireNonNull(v, "maxTime");
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("maxTime (max_time): " + v + " must be > 0");
      }
      this.maxTime = v;
      return mark(Field.MAX_TIME);
    }

    /** Token ids never generated, each >= 0. */
    public Builder suppressTokens(List<Long> ids) {
      this.suppressTokens = nonNegativeIds("suppressTokens (suppress_tokens)", ids);
      return mark(Field.SUPPRESS_TOKENS);
    }

    /** Token ids not generated as the first new token, each >= 0. */
    public Builder beginSuppressTokens(List<Long> ids) {
      this.beginSuppressTokens = nonNegativeIds("beginSuppressTokens (begin_suppress_tokens)", ids);
      return mark(Field.BEGIN_SUPPRESS_TOKENS);
    }

    /** Token forced when the sequence holds exactly one token; >= 0. */
    public Builder forcedBosTokenId(long id) {
      if (id < 0) {
        throw new IllegalArgumentException("forcedBosTokenId (forced_bos_token_id): " + id + " must be >= 0");
      }
      this.forcedBosTokenId = id;
      return mark(Field.FORCED_BOS_TOKEN_ID);
    }

    private Builder forcedBosTokenId(Long id) {
      return id == null ? unset(Field.FORCED_BOS_TOKEN_ID) : forcedBosTokenId((long) id);
    }

    /** Tokens forced as the last token the length limit allows, each >= 0. */
    public Builder forcedEosTokenIds(List<Long> ids) {
      this.forcedEosTokenIds = nonNegativeIds("forcedEosTokenIds (forced_eos_token_id)", ids);
      return mark(Field.FORCED_EOS_TOKEN_ID);
    }

    /** Score biases per token sequence (each non-empty, ids >= 0; biases finite). */
    public Builder sequenceBias(Map<List<Long>, Double> biases) {
      Objects.requireNonNull(biases, "sequenceBias");
      Map<List<Long>, Double> copy = new java.util.LinkedHashMap<>();
      for (Map.Entry<List<Long>, Double> e : biases.entrySet()) {
        List<Long> seq = nonNegativeIds("sequenceBias (sequence_bias) key", e.getKey());
        if (seq.isEmpty()) {
          throw new IllegalArgumentException("sequenceBias (sequence_bias): a token sequence must not be empty");
        }
        Double bias = e.getValue();
        if (bias == null || bias.isNaN() || bias.isInfinite()) {
          throw new IllegalArgumentException("sequenceBias (sequence_bias) " + seq + ": bias " + bias + " must be finite");
        }
        copy.put(seq, bias);
      }
      this.sequenceBias = java.util.Collections.unmodifiableMap(copy);
      return mark(Field.SEQUENCE_BIAS);
    }

    /** Raises the EOS scores exponentially after {@code startIndex} new tokens. */
    public Builder exponentialDecayLengthPenalty(ExponentialDecayLengthPenalty p) {
      if (p == null) {
        return unset(Field.EXPONENTIAL_DECAY_LENGTH_PENALTY);
      }
      this.exponentialDecayLengthPenalty = p;
      return mark(Field.EXPONENTIAL_DECAY_LENGTH_PENALTY);
    }

    /** Log-softmax the scores after all processors. */
    public Builder renormalizeLogits(boolean v) {
      this.renormalizeLogits = v;
      return mark(Field.RENORMALIZE_LOGITS);
    }

    /** Replace NaN and ±infinity scores by finite values. */
    public Builder removeInvalidValues(boolean v) {
      this.removeInvalidValues = v;
      return mark(Field.REMOVE_INVALID_VALUES);
    }

    private static List<Long> nonNegativeIds(String field, List<Long> ids) {
      Objects.requireNonNull(ids, field);
      List<Long> copy = List.copyOf(ids);
      for (Long id : copy) {
        if (id < 0) {
          throw new IllegalArgumentException(field + ": token id " + id + " must be >= 0");
        }
      }
      return copy;
    }

    /**
     * Checks conflicting settings and builds.
     *
     * @throws IllegalStateException when {@code doSample} is set with {@code temperature == 0};
     *     when {@code numReturnSequences > numBeams} with beams; when {@code numReturnSequences > 1}
     *     with greedy decoding (Hugging Face raises for both)
     */
    public GenerationConfig build() {
      if (doSample && temperature == 0) {
        throw new IllegalStateException("temperature (temperature): 0.0 with doSample=true; allowed range"
            + " (0, +inf) when sampling; for greedy decoding set doSample=false");
      }
      if (numBeams > 1 && numReturnSequences > numBeams) {
        throw new IllegalStateException("numReturnSequences (num_return_sequences): " + numReturnSequences
            + " exceeds numBeams " + numBeams + "; allowed range [1, numBeams] with beam search");
      }
      if (numBeams == 1 && !doSample && numReturnSequences > 1) {
        throw new IllegalStateException("numReturnSequences (num_return_sequences): " + numReturnSequences
            + " with greedy decoding; allowed only 1 (set doSample=true or numBeams >= "
            + numReturnSequences + ")");
      }
      return new GenerationConfig(this);
    }

    private Builder mark(Field f) {
      explicit.add(f);
      return this;
    }

    private Builder unset(Field f) {
      switch (f) {
        case MAX_NEW_TOKENS: maxNewTokens = null; break;
        case MIN_NEW_TOKENS: minNewTokens = null; break;
        case MIN_P: minP = null; break;
        case PAD_TOKEN_ID: padTokenId = null; break;
        case SEED: seed = null; break;
        case MAX_TIME: maxTime = null; break;
        case FORCED_BOS_TOKEN_ID: forcedBosTokenId = null; break;
        case EXPONENTIAL_DECAY_LENGTH_PENALTY: exponentialDecayLengthPenalty = null; break;
        default: throw new AssertionError(f);
      }
      explicit.remove(f);
      return this;
    }

    private static void requireAtLeast(String field, String hf, long value, long min) {
      if (value < min) {
        throw new IllegalArgumentException(
            field + " (" + hf + "): " + value + " is outside the allowed range [" + min + ", " + Integer.MAX_VALUE + "]");
      }
    }
  }
}

package io.costgen.core;

import static io.costgen.core.GenerationConfigChecks.any;
import static io.costgen.core.GenerationConfigChecks.atLeast;
import static io.costgen.core.GenerationConfigChecks.eosIds;
import static io.costgen.core.GenerationConfigChecks.finite;
import static io.costgen.core.GenerationConfigChecks.nonEmptyTexts;
import static io.costgen.core.GenerationConfigChecks.positiveDuration;
import static io.costgen.core.GenerationConfigChecks.range;
import static io.costgen.core.GenerationConfigChecks.biases;
import static io.costgen.core.GenerationConfigChecks.tokenId;
import static io.costgen.core.GenerationConfigChecks.tokenIds;
import static io.costgen.core.GenerationConfigChecks.tokenSequences;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

  /**
   * The fields: the one table a field is written in. Each row: the Java name (builder setter and
   * getter), the Hugging Face {@code generation_config.json} key, the type of the stored value,
   * the default, how a JSON value is read ({@link HuggingFaceGenerationConfig}) and the range
   * check ({@link GenerationConfigChecks}, which also makes lists and maps immutable). A null
   * default means "unset" (the getter returns an empty {@code Optional}). Adding a field: a row
   * here, a getter and a one-line builder setter.
   */
  enum Field {
    MAX_LENGTH("maxLength", "max_length", Integer.class, DEFAULT_MAX_LENGTH, HuggingFaceGenerationConfig::intValue, atLeast(1)),
    MAX_NEW_TOKENS("maxNewTokens", "max_new_tokens", Integer.class, null, HuggingFaceGenerationConfig::intValue, atLeast(1)),
    MIN_LENGTH("minLength", "min_length", Integer.class, 0, HuggingFaceGenerationConfig::intValue, atLeast(0)),
    MIN_NEW_TOKENS("minNewTokens", "min_new_tokens", Integer.class, null, HuggingFaceGenerationConfig::intValue, atLeast(0)),
    DO_SAMPLE("doSample", "do_sample", Boolean.class, false, HuggingFaceGenerationConfig::boolValue, any()),
    TEMPERATURE("temperature", "temperature", Double.class, 1.0, HuggingFaceGenerationConfig::doubleValue,
        range(v -> v >= 0 && !Double.isInfinite(v), "[0, +inf) (must be > 0 when doSample)")),
    TOP_K("topK", "top_k", Integer.class, 50, HuggingFaceGenerationConfig::intValue, atLeast(0)),
    TOP_P("topP", "top_p", Double.class, 1.0, HuggingFaceGenerationConfig::doubleValue, range(v -> v > 0 && v <= 1, "(0, 1]")),
    MIN_P("minP", "min_p", Double.class, null, HuggingFaceGenerationConfig::doubleValue, range(v -> v >= 0 && v <= 1, "[0, 1]")),
    TYPICAL_P("typicalP", "typical_p", Double.class, 1.0, HuggingFaceGenerationConfig::doubleValue, range(v -> v > 0 && v <= 1, "(0, 1]")),
    EPSILON_CUTOFF("epsilonCutoff", "epsilon_cutoff", Double.class, 0.0, HuggingFaceGenerationConfig::doubleValue,
        range(v -> v >= 0 && v < 1, "[0, 1)")),
    ETA_CUTOFF("etaCutoff", "eta_cutoff", Double.class, 0.0, HuggingFaceGenerationConfig::doubleValue, range(v -> v >= 0 && v < 1, "[0, 1)")),
    REPETITION_PENALTY("repetitionPenalty", "repetition_penalty", Double.class, 1.0, HuggingFaceGenerationConfig::doubleValue,
        range(v -> v > 0 && !Double.isInfinite(v), "(0, +inf)")),
    NO_REPEAT_NGRAM_SIZE("noRepeatNgramSize", "no_repeat_ngram_size", Integer.class, 0, HuggingFaceGenerationConfig::intValue, atLeast(0)),
    BAD_WORDS_IDS("badWordsIds", "bad_words_ids", List.class, List.of(), HuggingFaceGenerationConfig::nestedLongLists, tokenSequences()),
    NUM_BEAMS("numBeams", "num_beams", Integer.class, 1, HuggingFaceGenerationConfig::intValue, atLeast(1)),
    LENGTH_PENALTY("lengthPenalty", "length_penalty", Double.class, 1.0, HuggingFaceGenerationConfig::doubleValue, finite()),
    EARLY_STOPPING("earlyStopping", "early_stopping", EarlyStopping.class, EarlyStopping.FALSE, HuggingFaceGenerationConfig::earlyStopping,
        any()),
    NUM_RETURN_SEQUENCES("numReturnSequences", "num_return_sequences", Integer.class, 1, HuggingFaceGenerationConfig::intValue, atLeast(1)),
    EOS_TOKEN_ID("eosTokenIds", "eos_token_id", List.class, List.of(), HuggingFaceGenerationConfig::longList, eosIds()),
    PAD_TOKEN_ID("padTokenId", "pad_token_id", Long.class, null, HuggingFaceGenerationConfig::longValue, tokenId()),
    STOP_STRINGS("stopStrings", "stop_strings", List.class, List.of(), HuggingFaceGenerationConfig::stringList, nonEmptyTexts()),
    SEED("seed", "seed", Long.class, null, HuggingFaceGenerationConfig::longValue, any()),
    MAX_TIME("maxTime", "max_time", Duration.class, null, HuggingFaceGenerationConfig::seconds, positiveDuration()),
    SUPPRESS_TOKENS("suppressTokens", "suppress_tokens", List.class, List.of(), HuggingFaceGenerationConfig::longList, tokenIds()),
    BEGIN_SUPPRESS_TOKENS("beginSuppressTokens", "begin_suppress_tokens", List.class, List.of(), HuggingFaceGenerationConfig::longList,
        tokenIds()),
    FORCED_BOS_TOKEN_ID("forcedBosTokenId", "forced_bos_token_id", Long.class, null, HuggingFaceGenerationConfig::longValue, tokenId()),
    FORCED_EOS_TOKEN_ID("forcedEosTokenIds", "forced_eos_token_id", List.class, List.of(), HuggingFaceGenerationConfig::longList, tokenIds()),
    SEQUENCE_BIAS("sequenceBias", "sequence_bias", Map.class, Map.of(), HuggingFaceGenerationConfig::sequenceBias, biases()),
    EXPONENTIAL_DECAY_LENGTH_PENALTY("exponentialDecayLengthPenalty", "exponential_decay_length_penalty",
        ExponentialDecayLengthPenalty.class, null, HuggingFaceGenerationConfig::decayPair, any()),
    RENORMALIZE_LOGITS("renormalizeLogits", "renormalize_logits", Boolean.class, false, HuggingFaceGenerationConfig::boolValue, any()),
    REMOVE_INVALID_VALUES("removeInvalidValues", "remove_invalid_values", Boolean.class, false, HuggingFaceGenerationConfig::boolValue, any());

    final String javaName;
    final String hfName;
    final Class<?> type;
    final Object defaultValue;
    final HuggingFaceGenerationConfig.Reader json;
    final GenerationConfigChecks.Check check;

    Field(String javaName, String hfName, Class<?> type, Object defaultValue, HuggingFaceGenerationConfig.Reader json,
        GenerationConfigChecks.Check check) {
      this.javaName = javaName;
      this.hfName = hfName;
      this.type = type;
      this.defaultValue = defaultValue;
      this.json = json;
      this.check = check;
    }

    /** {@code javaName (hf_name)}, as error messages name the field. */
    String label() {
      return javaName + " (" + hfName + ")";
    }

    /** The field with this {@code generation_config.json} key, or null. */
    static Field byHuggingFaceName(String key) {
      return BY_HF_NAME.get(key);
    }

    private static final Map<String, Field> BY_HF_NAME = new java.util.HashMap<>();

    static {
      for (Field f : values()) {
        BY_HF_NAME.put(f.hfName, f);
      }
    }

    /** Checks {@code value} (null: unset, allowed only where the default is null) and returns what to store. */
    Object checked(Object value) {
      if (value == null) {
        if (defaultValue != null) {
          throw new NullPointerException(javaName);
        }
        return null;
      }
      return type.cast(check.apply(this, value));
    }
  }

  private static final GenerationConfig DEFAULTS = new Builder().build();

  /** One value per {@link Field}, by ordinal (null: unset). */
  private final Object[] values;
  private final Set<Field> explicit;

  private GenerationConfig(Builder b) {
    this.values = b.values.clone();
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
    System.arraycopy(values, 0, b.values, 0, values.length);
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
    return HuggingFaceGenerationConfig.read(json);
  }

  /**
   * This config with every field it did not set explicitly taken from {@code base} (values and
   * explicit marks). Fields explicitly set here always win.
   */
  public GenerationConfig withDefaultsFrom(GenerationConfig base) {
    Objects.requireNonNull(base, "base");
    Builder b = base.toBuilder();
    for (Field f : explicit) {
      b.set(f, values[f.ordinal()]);
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
      } else if (!((List<?>) b.get(Field.EOS_TOKEN_ID)).isEmpty()) {
        b.padTokenId((Long) ((List<?>) b.get(Field.EOS_TOKEN_ID)).get(0));
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
    return numBeams() > 1;
  }

  /** Total length in tokens (prompt + new); meaningful when explicitly set. Default 20. */
  public int maxLength() {
    return (Integer) get(Field.MAX_LENGTH);
  }

  /** New tokens to generate at most; wins over {@link #maxLength()}. */
  public OptionalInt maxNewTokens() {
    Integer v = (Integer) get(Field.MAX_NEW_TOKENS);
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  /** EOS is banned while the sequence (prompt included) is shorter than this, in tokens. Default 0. */
  public int minLength() {
    return (Integer) get(Field.MIN_LENGTH);
  }

  /** EOS is banned until this many new tokens were generated; wins over {@link #minLength()}. */
  public OptionalInt minNewTokens() {
    Integer v = (Integer) get(Field.MIN_NEW_TOKENS);
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  /** Sample (true) or pick the most likely token (false, default). */
  public boolean doSample() {
    return (Boolean) get(Field.DO_SAMPLE);
  }

  /** Softmax temperature (sampling only). Default 1.0. */
  public double temperature() {
    return (Double) get(Field.TEMPERATURE);
  }

  /** Keep only the k most likely tokens (sampling only); 0 disables. Default 50. */
  public int topK() {
    return (Integer) get(Field.TOP_K);
  }

  /** Nucleus: keep the smallest set of tokens with probability mass >= topP (sampling only). Default 1.0. */
  public double topP() {
    return (Double) get(Field.TOP_P);
  }

  /** Drop tokens with probability &lt; minP × the top probability (sampling only). Default unset. */
  public OptionalDouble minP() {
    Double v = (Double) get(Field.MIN_P);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** Typical decoding mass (sampling only); 1.0 disables. Default 1.0. */
  public double typicalP() {
    return (Double) get(Field.TYPICAL_P);
  }

  /** Epsilon sampling cutoff (probability; sampling only); active in (0, 1). Default 0. */
  public double epsilonCutoff() {
    return (Double) get(Field.EPSILON_CUTOFF);
  }

  /** Eta sampling cutoff (sampling only); active in (0, 1). Default 0. */
  public double etaCutoff() {
    return (Double) get(Field.ETA_CUTOFF);
  }

  /** Repetition penalty (> 0; 1.0 = none): positive scores divided, negative multiplied. Default 1.0. */
  public double repetitionPenalty() {
    return (Double) get(Field.REPETITION_PENALTY);
  }

  /** n-grams of this size (prompt included) may occur only once; 0 disables. Default 0. */
  public int noRepeatNgramSize() {
    return (Integer) get(Field.NO_REPEAT_NGRAM_SIZE);
  }

  /** Token sequences that must not be generated. Default empty. */
  public List<List<Long>> badWordsIds() {
    return cast(get(Field.BAD_WORDS_IDS));
  }

  /** Beams; 1 = no beam search. Default 1. */
  public int numBeams() {
    return (Integer) get(Field.NUM_BEAMS);
  }

  /** Beam scores are divided by (generated length)^lengthPenalty. Default 1.0. */
  public double lengthPenalty() {
    return (Double) get(Field.LENGTH_PENALTY);
  }

  /** Beam-search stopping rule. Default {@link EarlyStopping#FALSE}. */
  public EarlyStopping earlyStopping() {
    return cast(get(Field.EARLY_STOPPING));
  }

  /** Sequences returned per prompt. Default 1. */
  public int numReturnSequences() {
    return (Integer) get(Field.NUM_RETURN_SEQUENCES);
  }

  /** Token ids that end a sequence (any of them). Default empty (then the model's). */
  public List<Long> eosTokenIds() {
    return cast(get(Field.EOS_TOKEN_ID));
  }

  /** Padding token id. Default unset (then the model's, or the first EOS id). */
  public OptionalLong padTokenId() {
    Long v = (Long) get(Field.PAD_TOKEN_ID);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** Texts that end a sequence when generated (needs a tokenizer). Default empty. */
  public List<String> stopStrings() {
    return cast(get(Field.STOP_STRINGS));
  }

  /** Seed of the sampling random generator; unset = a fresh random seed per call. */
  public OptionalLong seed() {
    Long v = (Long) get(Field.SEED);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** Wall-time limit of a call, checked after each forward pass. Default unset. */
  public Optional<Duration> maxTime() {
    return Optional.ofNullable((Duration) get(Field.MAX_TIME));
  }

  /** Token ids never generated ({@code SuppressTokensLogitsProcessor}). Default empty. */
  public List<Long> suppressTokens() {
    return cast(get(Field.SUPPRESS_TOKENS));
  }

  /** Token ids not generated as the first new token ({@code SuppressTokensAtBeginLogitsProcessor}). Default empty. */
  public List<Long> beginSuppressTokens() {
    return cast(get(Field.BEGIN_SUPPRESS_TOKENS));
  }

  /** Token forced when the sequence holds exactly one token ({@code ForcedBOSTokenLogitsProcessor}). Default unset. */
  public OptionalLong forcedBosTokenId() {
    Long v = (Long) get(Field.FORCED_BOS_TOKEN_ID);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /**
   * Tokens forced as the last token the length limit allows ({@code ForcedEOSTokenLogitsProcessor});
   * with several ids, each of them stays allowed. Default empty.
   */
  public List<Long> forcedEosTokenIds() {
    return cast(get(Field.FORCED_EOS_TOKEN_ID));
  }

  /**
   * Biases added to the score of a sequence's last token when the tokens before it were just
   * generated ({@code SequenceBiasLogitsProcessor}); single-token sequences always. Default empty.
   */
  public Map<List<Long>, Double> sequenceBias() {
    return cast(get(Field.SEQUENCE_BIAS));
  }

  /** Raises the EOS scores exponentially after a number of new tokens. Default unset. */
  public Optional<ExponentialDecayLengthPenalty> exponentialDecayLengthPenalty() {
    return Optional.ofNullable((ExponentialDecayLengthPenalty) get(Field.EXPONENTIAL_DECAY_LENGTH_PENALTY));
  }

  /** Log-softmax the scores after all processors ({@code LogitNormalization}). Default false. */
  public boolean renormalizeLogits() {
    return (Boolean) get(Field.RENORMALIZE_LOGITS);
  }

  /** Replace NaN and ±infinity scores by 0 and ±float max ({@code InfNanRemoveLogitsProcessor}). Default false. */
  public boolean removeInvalidValues() {
    return (Boolean) get(Field.REMOVE_INVALID_VALUES);
  }

  private Object get(Field f) {
    return values[f.ordinal()];
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof GenerationConfig c && Arrays.equals(values, c.values) && explicit.equals(c.explicit);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(values) + explicit.hashCode();
  }

  /** The explicitly set fields, with Hugging Face names, e.g. {@code GenerationConfig{max_new_tokens=32}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GenerationConfig{");
    String sep = "";
    for (Field f : explicit) {
      sb.append(sep).append(f.hfName).append('=').append(get(f));
      sep = ", ";
    }
    return sb.append('}').toString();
  }

  /**
   * Builder for {@link GenerationConfig}, starting from the Hugging Face defaults. Every setter
   * marks its field explicit and checks its range at once ({@link IllegalArgumentException} naming
   * the field, the value and the allowed range); {@link #build()} checks settings that conflict
   * ({@link IllegalStateException}). Not thread-safe.
   */
  public static final class Builder {
    private final Object[] values = new Object[Field.values().length];
    private final EnumSet<Field> explicit = EnumSet.noneOf(Field.class);

    private Builder() {
      for (Field f : Field.values()) {
        values[f.ordinal()] = f.defaultValue;
      }
    }

    /** Total length, prompt + new tokens; >= 1. */
    public Builder maxLength(int tokens) {
      return set(Field.MAX_LENGTH, tokens);
    }

    /** New tokens at most; >= 1. Wins over {@link #maxLength(int)}. */
    public Builder maxNewTokens(int tokens) {
      return set(Field.MAX_NEW_TOKENS, tokens);
    }

    /** Minimum total length before EOS is allowed; >= 0. */
    public Builder minLength(int tokens) {
      return set(Field.MIN_LENGTH, tokens);
    }

    /** Minimum new tokens before EOS is allowed; >= 0. */
    public Builder minNewTokens(int tokens) {
      return set(Field.MIN_NEW_TOKENS, tokens);
    }

    public Builder doSample(boolean v) {
      return set(Field.DO_SAMPLE, v);
    }

    /** Finite and >= 0; must be > 0 when sampling (checked by {@link #build()}). */
    public Builder temperature(double v) {
      return set(Field.TEMPERATURE, v);
    }

    /** >= 0; 0 disables top-k. */
    public Builder topK(int v) {
      return set(Field.TOP_K, v);
    }

    /** In (0, 1]; 1 disables top-p. */
    public Builder topP(double v) {
      return set(Field.TOP_P, v);
    }

    /** In [0, 1]. */
    public Builder minP(double v) {
      return set(Field.MIN_P, v);
    }

    /** In (0, 1]; 1 disables typical decoding. */
    public Builder typicalP(double v) {
      return set(Field.TYPICAL_P, v);
    }

    /** In [0, 1); 0 disables epsilon sampling. */
    public Builder epsilonCutoff(double v) {
      return set(Field.EPSILON_CUTOFF, v);
    }

    /** In [0, 1); 0 disables eta sampling. */
    public Builder etaCutoff(double v) {
      return set(Field.ETA_CUTOFF, v);
    }

    /** Finite and > 0; 1 = no penalty. */
    public Builder repetitionPenalty(double v) {
      return set(Field.REPETITION_PENALTY, v);
    }

    /** >= 0; 0 disables. */
    public Builder noRepeatNgramSize(int v) {
      return set(Field.NO_REPEAT_NGRAM_SIZE, v);
    }

    /** Banned token sequences, each non-empty with ids >= 0. */
    public Builder badWordsIds(List<? extends List<Long>> sequences) {
      return set(Field.BAD_WORDS_IDS, sequences);
    }

    /** Adds one banned token sequence. */
    public Builder addBadWords(long... sequence) {
      List<List<Long>> list = new ArrayList<>(GenerationConfig.<List<List<Long>>>cast(get(Field.BAD_WORDS_IDS)));
      List<Long> seq = new ArrayList<>(sequence.length);
      for (long id : sequence) {
        seq.add(id);
      }
      list.add(seq);
      return badWordsIds(list);
    }

    /** >= 1. */
    public Builder numBeams(int v) {
      return set(Field.NUM_BEAMS, v);
    }

    /** Finite. */
    public Builder lengthPenalty(double v) {
      return set(Field.LENGTH_PENALTY, v);
    }

    public Builder earlyStopping(EarlyStopping v) {
      return set(Field.EARLY_STOPPING, v);
    }

    /** At least 1; at most numBeams with beams; 1 for greedy (checked by {@link #build()}). */
    public Builder numReturnSequences(int v) {
      return set(Field.NUM_RETURN_SEQUENCES, v);
    }

    /** End-of-sequence ids, each >= 0; any of them ends a sequence. */
    public Builder eosTokenIds(List<Long> ids) {
      return set(Field.EOS_TOKEN_ID, ids);
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
      return set(Field.PAD_TOKEN_ID, id);
    }

    /** Non-empty stop texts. */
    public Builder stopStrings(List<String> texts) {
      return set(Field.STOP_STRINGS, texts);
    }

    public Builder stopStrings(String... texts) {
      return stopStrings(List.of(texts));
    }

    /** Seed of the per-call sampling random generator (any value). */
    public Builder seed(long v) {
      return set(Field.SEED, v);
    }

    /** Wall-time limit, > 0. */
    public Builder maxTime(Duration v) {
      return set(Field.MAX_TIME, v);
    }

    /** Token ids never generated, each >= 0. */
    public Builder suppressTokens(List<Long> ids) {
      return set(Field.SUPPRESS_TOKENS, ids);
    }

    /** Token ids not generated as the first new token, each >= 0. */
    public Builder beginSuppressTokens(List<Long> ids) {
      return set(Field.BEGIN_SUPPRESS_TOKENS, ids);
    }

    /** Token forced when the sequence holds exactly one token; >= 0. */
    public Builder forcedBosTokenId(long id) {
      return set(Field.FORCED_BOS_TOKEN_ID, id);
    }

    /** Tokens forced as the last token the length limit allows, each >= 0. */
    public Builder forcedEosTokenIds(List<Long> ids) {
      return set(Field.FORCED_EOS_TOKEN_ID, ids);
    }

    /** Score biases per token sequence (each non-empty, ids >= 0; biases finite). */
    public Builder sequenceBias(Map<List<Long>, Double> biases) {
      return set(Field.SEQUENCE_BIAS, biases);
    }

    /** Raises the EOS scores exponentially after {@code startIndex} new tokens; null unsets it. */
    public Builder exponentialDecayLengthPenalty(ExponentialDecayLengthPenalty p) {
      return set(Field.EXPONENTIAL_DECAY_LENGTH_PENALTY, p);
    }

    /** Log-softmax the scores after all processors. */
    public Builder renormalizeLogits(boolean v) {
      return set(Field.RENORMALIZE_LOGITS, v);
    }

    /** Replace NaN and ±infinity scores by finite values. */
    public Builder removeInvalidValues(boolean v) {
      return set(Field.REMOVE_INVALID_VALUES, v);
    }

    /**
     * Checks conflicting settings and builds.
     *
     * @throws IllegalStateException when {@code doSample} is set with {@code temperature == 0};
     *     when {@code numReturnSequences > numBeams} with beams; when {@code numReturnSequences > 1}
     *     with greedy decoding (Hugging Face raises for both)
     */
    public GenerationConfig build() {
      boolean doSample = (Boolean) get(Field.DO_SAMPLE);
      double temperature = (Double) get(Field.TEMPERATURE);
      int numBeams = (Integer) get(Field.NUM_BEAMS);
      int numReturnSequences = (Integer) get(Field.NUM_RETURN_SEQUENCES);
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

    /** Sets one field through its row's check, marking it explicit; null unsets a field whose default is unset. */
    Builder set(Field f, Object value) {
      Object v = f.checked(value);
      values[f.ordinal()] = v;
      if (v == null) {
        explicit.remove(f);
      } else {
        explicit.add(f);
      }
      return this;
    }

    Object get(Field f) {
      return values[f.ordinal()];
    }
  }
}

package io.costgen.core.processor;

import io.costgen.core.GenerationConfig;
import io.costgen.core.internal.ScoreMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The built-in logits processors (exact Hugging Face rules, transformers
 * {@code generation/logits_process.py}) and {@link #forConfig}, which builds the list for a
 * {@link GenerationConfig} in Hugging Face's order.
 *
 * <p>Every processor here is stateless and thread-safe and does not allocate per call (working
 * memory is per-thread scratch). EOS and banned ids at or above the vocabulary size are ignored
 * (such tokens cannot be generated). Ties: top-k keeps every token equal to the k-th largest
 * score; where Hugging Face sorts (top-p, typical) equal scores are ordered so that the lower
 * token id is kept first.
 */
public final class LogitsProcessors {
  private LogitsProcessors() {}

  /**
   * The processors for {@code config} in Hugging Face's order ({@code _get_logits_processor}):
   * repetition penalty, no-repeat n-gram, bad words, min length / min new tokens (only with EOS
   * ids), then the user's processors merged as {@code _merge_criteria_processor_list} does (a
   * user processor of the same class as a default one replaces it in place, others are
   * appended), then — only when {@code doSample} — temperature, top-k, top-p, min-p, typical,
   * epsilon, eta; then log-softmax when {@code renormalizeLogits}. Sequence bias runs first;
   * forced BOS/EOS, invalid-value removal, exponential decay length penalty and suppressed tokens
   * run after min length, as in transformers ({@link TokenRuleProcessors}).
   * {@code min_tokens_to_keep} is 1, or {@code eosTokenIds.size() + 1} with beams.
   *
   * <p>As in Hugging Face, a user processor is merged before the sampling processors are added,
   * so e.g. a user {@link #topK} does not replace the config's top-k (both run).
   * {@code minNewTokens}, when set, replaces {@code minLength} (Hugging Face turns it into an
   * equivalent min length, so one processor suffices).
   *
   * @param config a config resolved against the model (EOS ids known)
   * @param userProcessors extra processors, possibly empty
   */
  public static List<LogitsProcessor> forConfig(GenerationConfig config, List<LogitsProcessor> userProcessors) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(userProcessors, "userProcessors");
    List<Long> eos = config.eosTokenIds();
    List<LogitsProcessor> defaults = new ArrayList<>();
    if (!config.sequenceBias().isEmpty()) {
      defaults.add(TokenRuleProcessors.sequenceBias(config.sequenceBias()));
    }
    if (config.repetitionPenalty() != 1.0) {
      defaults.add(repetitionPenalty(config.repetitionPenalty()));
    }
    if (config.noRepeatNgramSize() > 0) {
      defaults.add(noRepeatNgram(config.noRepeatNgramSize()));
    }
    if (!config.badWordsIds().isEmpty()) {
      defaults.add(badWords(config.badWordsIds(), eos));
    }
    if (!eos.isEmpty()) {
      if (config.minNewTokens().isPresent()) {
        if (config.minNewTokens().getAsInt() > 0) {
          defaults.add(minNewTokens(config.minNewTokens().getAsInt(), eos));
        }
      } else if (config.minLength() > 0) {
        defaults.add(minLength(config.minLength(), eos));
      }
    }
    if (config.forcedBosTokenId().isPresent()) {
      defaults.add(TokenRuleProcessors.forcedBos(config.forcedBosTokenId().getAsLong()));
    }
    if (!config.forcedEosTokenIds().isEmpty()) {
      int maxNew = config.maxNewTokens().orElse(config.isExplicit("max_length") ? 0 : GenerationConfig.DEFAULT_MAX_LENGTH);
      defaults.add(TokenRuleProcessors.forcedEos(config.forcedEosTokenIds(), maxNew, config.maxLength()));
    }
    if (config.removeInvalidValues()) {
      defaults.add(TokenRuleProcessors.removeInvalidValues());
    }
    if (config.exponentialDecayLengthPenalty().isPresent() && !eos.isEmpty()) {
      var p = config.exponentialDecayLengthPenalty().get();
      defaults.add(TokenRuleProcessors.exponentialDecay(p.startIndex(), p.decayFactor(), eos));
    }
    if (!config.suppressTokens().isEmpty()) {
      defaults.add(TokenRuleProcessors.suppress(config.suppressTokens()));
    }
    if (!config.beginSuppressTokens().isEmpty()) {
      defaults.add(TokenRuleProcessors.suppressAtBegin(config.beginSuppressTokens(),
          config.forcedBosTokenId().isPresent() ? 1 : 0));
    }
    List<LogitsProcessor> list = merge(defaults, userProcessors);
    if (config.doSample()) {
      int keep = config.numBeams() > 1 ? eos.size() + 1 : 1;
      if (config.temperature() != 1.0) {
        list.add(temperature(config.temperature()));
      }
      if (config.topK() != 0) {
        list.add(topK(config.topK(), keep));
      }
      if (config.topP() < 1.0) {
        list.add(topP(config.topP(), keep));
      }
      if (config.minP().isPresent()) {
        list.add(minP(config.minP().getAsDouble(), keep));
      }
      if (config.typicalP() < 1.0) {
        list.add(typical(config.typicalP(), keep));
      }
      if (config.epsilonCutoff() > 0 && config.epsilonCutoff() < 1) {
        list.add(epsilon(config.epsilonCutoff(), keep));
      }
      if (config.etaCutoff() > 0 && config.etaCutoff() < 1) {
        list.add(eta(config.etaCutoff(), keep));
      }
    }
    if (config.renormalizeLogits()) {
      list.add(TokenRuleProcessors.renormalize());
    }
    return list;
  }

  /** Hugging Face {@code _merge_criteria_processor_list}: same class replaces in place, others appended. */
  static <T> List<T> merge(List<T> defaults, List<T> custom) {
    List<T> out = new ArrayList<>(defaults.size() + custom.size());
    for (T d : defaults) {
      T replacement = d;
      for (T c : custom) {
        if (c.getClass() == d.getClass()) {
          replacement = c;
          break;
        }
      }
      out.add(replacement);
    }
    for (T c : custom) {
      boolean present = false;
      for (T o : out) {
        if (o == c) {
          present = true;
          break;
        }
      }
      if (!present) {
        out.add(c);
      }
    }
    return out;
  }

  /** Runs {@code processors} in order on one row. */
  public static void applyAll(List<LogitsProcessor> processors, long[] tokens, int length, int promptLength,
      float[] scores) {
    for (int i = 0, n = processors.size(); i < n; i++) {
      processors.get(i).process(tokens, length, promptLength, scores);
    }
  }

  // ------------------------------------------------------------------ factories

  /**
   * {@code RepetitionPenaltyLogitsProcessor}: every distinct token id in the sequence (prompt
   * included) gets {@code score < 0 ? score × penalty : score / penalty}, once.
   *
   * @param penalty > 0 (1 = no effect)
   */
  public static LogitsProcessor repetitionPenalty(double penalty) {
    if (!(penalty > 0) || Double.isInfinite(penalty)) {
      throw new IllegalArgumentException("repetitionPenalty: " + penalty + " is outside the allowed range (0, +inf)");
    }
    return new RepetitionPenalty((float) penalty);
  }

  /**
   * {@code NoRepeatNGramLogitsProcessor}: with {@code n−1} last tokens as prefix, bans the token
   * that followed that prefix in every earlier n-gram of the sequence (prompt included).
   *
   * @param n >= 1
   */
  public static LogitsProcessor noRepeatNgram(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("noRepeatNgramSize: " + n + " is outside the allowed range [1, " + Integer.MAX_VALUE + "]");
    }
    return new NoRepeatNgram(n);
  }

  /**
   * {@code NoBadWordsLogitsProcessor}: a length-1 sequence is always banned; a length-k sequence
   * bans its last token when the sequence (prompt included) ends with its first k−1 tokens.
   * Entries equal to a single EOS id are dropped, as in Hugging Face.
   */
  public static LogitsProcessor badWords(List<? extends List<Long>> sequences, List<Long> eosTokenIds) {
    List<long[]> kept = new ArrayList<>();
    for (List<Long> seq : sequences) {
      if (seq.isEmpty()) {
        throw new IllegalArgumentException("badWordsIds: empty sequence");
      }
      if (seq.size() == 1 && eosTokenIds.contains(seq.get(0))) {
        continue;
      }
      long[] a = new long[seq.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = seq.get(i);
      }
      kept.add(a);
    }
    return new BadWords(kept);
  }

  /** {@code MinLengthLogitsProcessor}: bans every EOS id while {@code length < minLength} (prompt included). */
  public static LogitsProcessor minLength(int minLength, List<Long> eosTokenIds) {
    return new MinLength(minLength, toArray(eosTokenIds));
  }

  /** {@code MinNewTokensLengthLogitsProcessor}: bans every EOS id while fewer than {@code minNewTokens} were generated. */
  public static LogitsProcessor minNewTokens(int minNewTokens, List<Long> eosTokenIds) {
    return new MinNewTokens(minNewTokens, toArray(eosTokenIds));
  }

  /** {@code TemperatureLogitsWarper}: {@code scores / temperature}; temperature > 0. */
  public static LogitsProcessor temperature(double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature: " + temperature
          + " is outside the allowed range (0, +inf); for greedy decoding set doSample=false");
    }
    return new Temperature((float) temperature);
  }

  /**
   * {@code TopKLogitsWarper}: removes scores below the k-th largest, {@code k = max(topK,
   * minTokensToKeep)}; ties with the k-th survive.
   */
  public static LogitsProcessor topK(int topK, int minTokensToKeep) {
    if (topK < 1) {
      throw new IllegalArgumentException("topK: " + topK + " is outside the allowed range [1, " + Integer.MAX_VALUE + "]");
    }
    requireKeep(minTokensToKeep);
    return new TopK(Math.max(topK, minTokensToKeep));
  }

  /**
   * {@code TopPLogitsWarper}: sorts ascending, removes tokens whose cumulative probability is
   * {@code <= 1 − topP}, always keeping the {@code minTokensToKeep} most likely; i.e. keeps the
   * smallest set of most likely tokens with mass >= topP.
   */
  public static LogitsProcessor topP(double topP, int minTokensToKeep) {
    if (!(topP >= 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP: " + topP + " is outside the allowed range [0, 1]");
    }
    requireKeep(minTokensToKeep);
    return new TopP(topP, minTokensToKeep);
  }

  /**
   * {@code MinPLogitsWarper}: removes tokens with probability {@code < minP × max probability},
   * keeping the {@code minTokensToKeep} most likely.
   */
  public static LogitsProcessor minP(double minP, int minTokensToKeep) {
    if (!(minP >= 0 && minP <= 1)) {
      throw new IllegalArgumentException("minP: " + minP + " is outside the allowed range [0, 1]");
    }
    requireKeep(minTokensToKeep);
    return new MinP((float) minP, minTokensToKeep);
  }

  /**
   * {@code TypicalLogitsWarper}: ranks tokens by {@code |−log p − H|} (H = entropy), keeps ranks up
   * to the first whose cumulative probability reaches {@code mass} (and all tokens tied with it),
   * at least {@code minTokensToKeep}.
   */
  public static LogitsProcessor typical(double mass, int minTokensToKeep) {
    if (!(mass > 0 && mass < 1)) {
      throw new IllegalArgumentException("typicalP: " + mass + " is outside the allowed range (0, 1)");
    }
    requireKeep(minTokensToKeep);
    return new Typical(mass, minTokensToKeep);
  }

  /** {@code EpsilonLogitsWarper}: removes tokens with probability {@code < epsilon}, keeping the {@code minTokensToKeep} highest scores. */
  public static LogitsProcessor epsilon(double epsilon, int minTokensToKeep) {
    if (!(epsilon > 0 && epsilon < 1)) {
      throw new IllegalArgumentException("epsilonCutoff: " + epsilon + " is outside the allowed range (0, 1)");
    }
    requireKeep(minTokensToKeep);
    return new Epsilon((float) epsilon, minTokensToKeep);
  }

  /**
   * {@code EtaLogitsWarper}: {@code eta = min(epsilon, sqrt(epsilon) × exp(−H))}; removes tokens
   * with probability {@code < eta}, keeping the {@code minTokensToKeep} highest scores.
   */
  public static LogitsProcessor eta(double epsilon, int minTokensToKeep) {
    if (!(epsilon > 0 && epsilon < 1)) {
      throw new IllegalArgumentException("etaCutoff: " + epsilon + " is outside the allowed range (0, 1)");
    }
    requireKeep(minTokensToKeep);
    return new Eta(epsilon, minTokensToKeep);
  }

  private static void requireKeep(int minTokensToKeep) {
    if (minTokensToKeep < 1) {
      throw new IllegalArgumentException(
          "minTokensToKeep: " + minTokensToKeep + " is outside the allowed range [1, " + Integer.MAX_VALUE + "]");
    }
  }

  private static long[] toArray(List<Long> ids) {
    long[] a = new long[ids.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = ids.get(i);
    }
    return a;
  }

  private static void ban(float[] scores, long id) {
    if (id >= 0 && id < scores.length) {
      scores[(int) id] = Float.NEGATIVE_INFINITY;
    }
  }

  // ------------------------------------------------------------------ implementations

  private static final class RepetitionPenalty implements LogitsProcessor {
    private final float penalty;

    RepetitionPenalty(float penalty) {
      this.penalty = penalty;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      int v = scores.length;
      long[] seen = ScoreMath.scratch().bits(v);
      for (int i = 0; i < length; i++) {
        long id = tokens[i];
        if (id < 0 || id >= v) {
          continue;
        }
        int t = (int) id;
        long mask = 1L << (t & 63);
        if ((seen[t >>> 6] & mask) != 0) {
          continue;
        }
        seen[t >>> 6] |= mask;
        float s = scores[t];
        scores[t] = s < 0 ? s * penalty : s / penalty;
      }
      for (int i = 0; i < length; i++) {
        long id = tokens[i];
        if (id >= 0 && id < v) {
          seen[(int) id >>> 6] = 0;
        }
      }
    }

    @Override
    public String toString() {
      return "RepetitionPenalty(" + penalty + ")";
    }
  }

  private static final class NoRepeatNgram implements LogitsProcessor {
    private final int n;

    NoRepeatNgram(int n) {
      this.n = n;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      if (length < n) {
        return;
      }
      int prefixStart = length - n + 1; // the last n-1 tokens
      for (int start = 0; start + n <= length; start++) {
        boolean match = true;
        for (int j = 0; j < n - 1; j++) {
          if (tokens[start + j] != tokens[prefixStart + j]) {
            match = false;
            break;
          }
        }
        if (match) {
          ban(scores, tokens[start + n - 1]);
        }
      }
    }

    @Override
    public String toString() {
      return "NoRepeatNgram(" + n + ")";
    }
  }

  private static final class BadWords implements LogitsProcessor {
    private final long[][] sequences;

    BadWords(List<long[]> sequences) {
      this.sequences = sequences.toArray(new long[0][]);
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      for (long[] seq : sequences) {
        int k = seq.length;
        if (k == 1) {
          ban(scores, seq[0]);
          continue;
        }
        if (k > length) {
          continue; // longer than the context (Hugging Face skips it)
        }
        boolean match = true;
        for (int j = 0; j < k - 1; j++) {
          if (tokens[length - (k - 1) + j] != seq[j]) {
            match = false;
            break;
          }
        }
        if (match) {
          ban(scores, seq[k - 1]);
        }
      }
    }

    @Override
    public String toString() {
      return "BadWords(" + sequences.length + " sequences)";
    }
  }

  private static final class MinLength implements LogitsProcessor {
    private final int minLength;
    private final long[] eos;

    MinLength(int minLength, long[] eos) {
      this.minLength = minLength;
      this.eos = eos;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      if (length < minLength) {
        for (long id : eos) {
          ban(scores, id);
        }
      }
    }

    @Override
    public String toString() {
      return "MinLength(" + minLength + ", eos=" + Arrays.toString(eos) + ")";
    }
  }

  private static final class MinNewTokens implements LogitsProcessor {
    private final int minNewTokens;
    private final long[] eos;

    MinNewTokens(int minNewTokens, long[] eos) {
      this.minNewTokens = minNewTokens;
      this.eos = eos;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      if (length - promptLength < minNewTokens) {
        for (long id : eos) {
          ban(scores, id);
        }
      }
    }

    @Override
    public String toString() {
      return "MinNewTokens(" + minNewTokens + ", eos=" + Arrays.toString(eos) + ")";
    }
  }

  private static final class Temperature implements LogitsProcessor {
    private final float temperature;

    Temperature(float temperature) {
      this.temperature = temperature;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      for (int i = 0; i < scores.length; i++) {
        scores[i] = scores[i] / temperature;
      }
    }

    @Override
    public String toString() {
      return "Temperature(" + temperature + ")";
    }
  }

  private static final class TopK implements LogitsProcessor {
    private final int k;

    TopK(int k) {
      this.k = k;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      int n = scores.length;
      if (k >= n) {
        return;
      }
      float kth = ScoreMath.kthLargest(scores, n, k);
      for (int i = 0; i < n; i++) {
        if (scores[i] < kth) {
          scores[i] = Float.NEGATIVE_INFINITY;
        }
      }
    }

    @Override
    public String toString() {
      return "TopK(" + k + ")";
    }
  }

  /** Sorts the finite scores ascending into keys (ties: higher id first); returns their count. */
  private static int sortFiniteAscending(float[] values, long[] keys) {
    int m = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] != Float.NEGATIVE_INFINITY) {
        keys[m++] = ScoreMath.ascendingKey(values[i], Integer.MAX_VALUE - i);
      }
    }
    Arrays.sort(keys, 0, m);
    return m;
  }

  private static int indexOfKey(long key) {
    return Integer.MAX_VALUE - ScoreMath.keyIndex(key);
  }

  private static final class TopP implements LogitsProcessor {
    private final double topP;
    private final int minKeep;

    TopP(double topP, int minKeep) {
      this.topP = topP;
      this.minKeep = minKeep;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      int n = scores.length;
      ScoreMath.Scratch s = ScoreMath.scratch();
      long[] keys = s.longs(n);
      float[] probs = s.floats(n);
      int m = sortFiniteAscending(scores, keys);
      if (m == 0) {
        return;
      }
      ScoreMath.softmax(scores, n, probs);
      float threshold = (float) (1 - topP);
      double cumulative = 0;
      int protectFrom = m - minKeep; // the last minKeep sorted entries are always kept
      for (int j = 0; j < m; j++) {
        int idx = indexOfKey(keys[j]);
        cumulative += probs[idx];
        if ((float) cumulative <= threshold && j < protectFrom) {
          scores[idx] = Float.NEGATIVE_INFINITY;
        } else {
          break; // cumulative is non-decreasing: nothing later is removed
        }
      }
    }

    @Override
    public String toString() {
      return "TopP(" + topP + ", minKeep=" + minKeep + ")";
    }
  }

  /** Marks (in {@code keep}, a bit set) the {@code k} largest of {@code values}, ties to the lower index. */
  private static void markTopK(float[] values, int k, long[] keep) {
    int n = values.length;
    k = Math.min(k, n);
    for (int r = 0; r < k; r++) {
      int best = -1;
      float bv = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        if ((keep[i >>> 6] & (1L << (i & 63))) != 0) {
          continue;
        }
        if (best < 0 || values[i] > bv) {
          best = i;
          bv = values[i];
        }
      }
      keep[best >>> 6] |= 1L << (best & 63);
    }
  }

  private static void clearTopK(float[] values, int k, long[] keep) {
    Arrays.fill(keep, 0, Math.min(keep.length, (values.length + 63) >>> 6), 0L);
  }

  private static final class MinP implements LogitsProcessor {
    private final float minP;
    private final int minKeep;

    MinP(float minP, int minKeep) {
      this.minP = minP;
      this.minKeep = minKeep;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      int n = scores.length;
      ScoreMath.Scratch s = ScoreMath.scratch();
      float[] probs = s.floats(n);
      ScoreMath.softmax(scores, n, probs);
      float top = ScoreMath.max(probs, n);
      float threshold = minP * top;
      long[] keep = s.bits(n);
      markTopK(probs, minKeep, keep);
      for (int i = 0; i < n; i++) {
        if (probs[i] < threshold && (keep[i >>> 6] & (1L << (i & 63))) == 0) {
          scores[i] = Float.NEGATIVE_INFINITY;
        }
      }
      clearTopK(probs, minKeep, keep);
    }

    @Override
    public String toString() {
      return "MinP(" + minP + ", minKeep=" + minKeep + ")";
    }
  }

  private static final class Typical implements LogitsProcessor {
    private final double mass;
    private final int minKeep;

    Typical(double mass, int minKeep) {
      this.mass = mass;
      this.minKeep = minKeep;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      int n = scores.length;
      ScoreMath.Scratch s = ScoreMath.scratch();
      float[] shifted = s.floats(n);
      float[] probs = s.floats2(n);
      long[] keys = s.longs(n);
      double lse = ScoreMath.logSumExp(scores, n);
      if (Double.isInfinite(lse)) {
        return;
      }
      double entropy = 0;
      for (int i = 0; i < n; i++) {
        if (scores[i] != Float.NEGATIVE_INFINITY) {
          float logp = (float) (scores[i] - lse);
          float p = (float) Math.exp(logp);
          probs[i] = p;
          entropy -= (double) logp * p;
        } else {
          probs[i] = 0f;
        }
      }
      float ent = (float) entropy;
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (scores[i] != Float.NEGATIVE_INFINITY) {
          float logp = (float) (scores[i] - lse);
          shifted[i] = Math.abs(-logp - ent);
          keys[m++] = ScoreMath.ascendingKey(shifted[i], i);
        }
      }
      Arrays.sort(keys, 0, m);
      // last_ind = number of sorted entries whose cumulative probability is < mass
      double cumulative = 0;
      int lastInd = 0;
      for (int j = 0; j < m; j++) {
        cumulative += probs[ScoreMath.keyIndex(keys[j])];
        if ((float) cumulative < (float) mass) {
          lastInd++;
        } else {
          break;
        }
      }
      if (lastInd >= m) {
        return; // the cut falls among the -inf entries: nothing finite is removed
      }
      float cut = shifted[ScoreMath.keyIndex(keys[lastInd])];
      for (int j = minKeep; j < m; j++) {
        int idx = ScoreMath.keyIndex(keys[j]);
        if (shifted[idx] > cut) {
          scores[idx] = Float.NEGATIVE_INFINITY;
        }
      }
    }

    @Override
    public String toString() {
      return "Typical(" + mass + ", minKeep=" + minKeep + ")";
    }
  }

  private static final class Epsilon implements LogitsProcessor {
    private final float epsilon;
    private final int minKeep;

    Epsilon(float epsilon, int minKeep) {
      this.epsilon = epsilon;
      this.minKeep = minKeep;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      cutBelow(scores, epsilon, minKeep);
    }

    @Override
    public String toString() {
      return "Epsilon(" + epsilon + ", minKeep=" + minKeep + ")";
    }
  }

  /** Removes tokens with probability < cutoff unless their score reaches the minKeep-th largest. */
  private static void cutBelow(float[] scores, float cutoff, int minKeep) {
    int n = scores.length;
    float[] probs = ScoreMath.scratch().floats(n);
    ScoreMath.softmax(scores, n, probs);
    float kth = ScoreMath.kthLargest(scores, n, minKeep);
    for (int i = 0; i < n; i++) {
      if (probs[i] < cutoff && scores[i] < kth) {
        scores[i] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  private static final class Eta implements LogitsProcessor {
    private final double epsilon;
    private final int minKeep;

    Eta(double epsilon, int minKeep) {
      this.epsilon = epsilon;
      this.minKeep = minKeep;
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      int n = scores.length;
      double lse = ScoreMath.logSumExp(scores, n);
      if (Double.isInfinite(lse)) {
        return;
      }
      double entropy = 0;
      for (int i = 0; i < n; i++) {
        if (scores[i] != Float.NEGATIVE_INFINITY) {
          double logp = scores[i] - lse;
          entropy -= logp * Math.exp(logp);
        }
      }
      float eta = (float) Math.min(epsilon, Math.sqrt(epsilon) * Math.exp(-entropy));
      cutBelow(scores, eta, minKeep);
    }

    @Override
    public String toString() {
      return "Eta(" + epsilon + ", minKeep=" + minKeep + ")";
    }
  }
}

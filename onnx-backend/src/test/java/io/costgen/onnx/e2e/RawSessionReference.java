package io.costgen.onnx.e2e;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.spi.TransformerBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Independent references computed straight from a backend session, without {@code TextGenerator}
 * and without the library's processors: raw logits, a greedy loop with a hand-written score rule,
 * teacher-forced log-probabilities, and hand-written versions of Hugging Face's repetition
 * penalty and no-repeat n-gram rules (transformers {@code generation/logits_process.py}).
 */
public final class RawSessionReference {
  private RawSessionReference() {}

  /** Rewrites the scores of the next token of {@code seq[0, length)} in place. */
  @FunctionalInterface
  interface ScoreRule {
    ScoreRule NONE = (seq, length, promptLength, scores) -> { };

    void apply(long[] seq, int length, int promptLength, float[] scores);
  }

  /** Raw logits of the token after {@code prompt} (one unpadded row). */
  public static float[] nextLogits(TransformerBackend backend, long[] prompt) {
    try (DecoderSession s = backend.openSession()) {
      Logits l = s.prefill(new long[][] {prompt}, new int[] {0});
      float[] row = new float[l.vocabSize()];
      l.copyRow(0, row);
      return row;
    }
  }

  /**
   * Greedy decoding by hand: prefill, then per step apply {@code rule} to a copy of the raw logits
   * and take the argmax (ties to the lowest id, like {@code torch.argmax}); stops after
   * {@code newTokens} tokens or on a token in {@code eos} (kept).
   *
   * @return prompt followed by the generated tokens
   */
  public static long[] greedy(TransformerBackend backend, long[] prompt, int newTokens, Set<Long> eos,
      ScoreRule rule) {
    long[] seq = Arrays.copyOf(prompt, prompt.length + newTokens);
    int length = prompt.length;
    try (DecoderSession s = backend.openSession()) {
      Logits l = s.prefill(new long[][] {prompt}, new int[] {0});
      float[] row = new float[l.vocabSize()];
      while (true) {
        l.copyRow(0, row);
        rule.apply(seq, length, prompt.length, row);
        long next = argmax(row);
        seq[length++] = next;
        if (length == seq.length || eos.contains(next)) {
          return Arrays.copyOf(seq, length);
        }
        l = s.step(new long[] {next});
      }
    }
  }

  /**
   * Sum over the generated tokens {@code seq[promptLength..]} of {@code log softmax(raw logits)}
   * at the token, teacher-forced through one session (in double).
   */
  public static double sumLogProbs(TransformerBackend backend, long[] seq, int promptLength) {
    try (DecoderSession s = backend.openSession()) {
      Logits l = s.prefill(new long[][] {Arrays.copyOf(seq, promptLength)}, new int[] {0});
      float[] row = new float[l.vocabSize()];
      double sum = 0;
      for (int i = promptLength; i < seq.length; i++) {
        l.copyRow(0, row);
        sum += logSoftmax(row)[(int) seq[i]];
        if (i + 1 < seq.length) {
          l = s.step(new long[] {seq[i]});
        }
      }
      return sum;
    }
  }

  /** A beam hypothesis: tokens (prompt included) and the sum of its generated tokens' log-probabilities. */
  record Beam(long[] tokens, double logProb) {}

  /**
   * Plain beam search without EOS, recomputing every hypothesis from scratch: each step expands
   * every running beam by every token with {@code logProb + log softmax(raw logits)}, and keeps the
   * {@code numBeams} best (ties: lower beam, then lower token). Without EOS this is exactly what
   * Hugging Face's {@code _beam_search} keeps: every hypothesis reaches the maximum length, so the
   * finished ones are the last step's best {@code numBeams}.
   *
   * @return the final beams, best first
   */
  public static List<Beam> beamSearchWithoutEos(TransformerBackend backend, long[] prompt, int numBeams,
      int newTokens) {
    List<Beam> running = List.of(new Beam(prompt, 0));
    for (int step = 0; step < newTokens; step++) {
      List<Beam> candidates = new ArrayList<>();
      for (Beam beam : running) {
        double[] logp = logSoftmax(nextLogits(backend, beam.tokens()));
        // a beam contributes at most numBeams survivors: its numBeams best tokens (ties: lower id)
        Integer[] order = new Integer[logp.length];
        for (int v = 0; v < order.length; v++) {
          order[v] = v;
        }
        Arrays.sort(order, (a, b) -> Double.compare(logp[b], logp[a]));
        for (int i = 0; i < numBeams; i++) {
          int v = order[i];
          long[] tokens = Arrays.copyOf(beam.tokens(), beam.tokens().length + 1);
          tokens[tokens.length - 1] = v;
          candidates.add(new Beam(tokens, beam.logProb() + logp[v]));
        }
      }
      // stable sort: equal scores keep beam-then-token order
      candidates.sort(Comparator.comparingDouble(Beam::logProb).reversed());
      running = List.copyOf(candidates.subList(0, numBeams));
    }
    return running;
  }

  /** Lowest index of the largest value. */
  public static int argmax(float[] scores) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return best;
  }

  /** {@code softmax(logits / temperature)} in double. */
  public static double[] softmax(float[] logits, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float f : logits) {
      max = Math.max(max, f / temperature);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] / temperature - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  public static double[] logSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float f : logits) {
      max = Math.max(max, f);
    }
    double sum = 0;
    for (float f : logits) {
      sum += Math.exp(f - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = logits[i] - log;
    }
    return out;
  }

  /**
   * Hugging Face {@code RepetitionPenaltyLogitsProcessor}: each distinct id of the sequence
   * (prompt included) gets {@code score < 0 ? score * penalty : score / penalty}, once.
   */
  public static ScoreRule repetitionPenalty(float penalty) {
    return (seq, length, promptLength, scores) -> {
      boolean[] seen = new boolean[scores.length];
      for (int i = 0; i < length; i++) {
        int id = (int) seq[i];
        if (!seen[id]) {
          seen[id] = true;
          scores[id] = scores[id] < 0 ? scores[id] * penalty : scores[id] / penalty;
        }
      }
    };
  }

  /**
   * Hugging Face {@code NoRepeatNGramLogitsProcessor}: bans every token that would complete an
   * n-gram already present in the sequence (prompt included).
   */
  public static ScoreRule noRepeatNgram(int n) {
    return (seq, length, promptLength, scores) -> {
      if (length + 1 < n) {
        return;
      }
      for (int start = 0; start + n <= length; start++) {
        boolean match = true;
        for (int j = 0; j < n - 1 && match; j++) {
          match = seq[start + j] == seq[length - (n - 1) + j];
        }
        if (match) {
          scores[(int) seq[start + n - 1]] = Float.NEGATIVE_INFINITY;
        }
      }
    };
  }

  /**
   * Hugging Face {@code NoBadWordsLogitsProcessor} (a {@code SequenceBiasLogitsProcessor} since
   * transformers 4.33): a 1-token sequence is always banned; a k-token one bans its last token
   * when the sequence ends with its first k-1 tokens, and is ignored while k exceeds the length.
   */
  public static ScoreRule badWords(long[]... sequences) {
    return (seq, length, promptLength, scores) -> {
      for (long[] bad : sequences) {
        int k = bad.length;
        if (k > length && k > 1) {
          continue;
        }
        boolean match = true;
        for (int j = 0; j < k - 1 && match; j++) {
          match = seq[length - (k - 1) + j] == bad[j];
        }
        if (match) {
          scores[(int) bad[k - 1]] = Float.NEGATIVE_INFINITY;
        }
      }
    };
  }

  /** Hugging Face {@code MinNewTokensLengthLogitsProcessor}: bans {@code eos} until {@code n} tokens are new. */
  public static ScoreRule minNewTokens(int n, long eos) {
    return (seq, length, promptLength, scores) -> {
      if (length - promptLength < n) {
        scores[(int) eos] = Float.NEGATIVE_INFINITY;
      }
    };
  }

  /** The rules in order. */
  public static ScoreRule all(ScoreRule... rules) {
    return (seq, length, promptLength, scores) -> {
      for (ScoreRule r : rules) {
        r.apply(seq, length, promptLength, scores);
      }
    };
  }

  /** Whether some n-gram occurs twice in {@code seq}. */
  public static boolean hasRepeatedNgram(long[] seq, int n) {
    java.util.Set<java.util.List<Long>> seen = new java.util.HashSet<>();
    for (int start = 0; start + n <= seq.length; start++) {
      java.util.List<Long> gram = new java.util.ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        gram.add(seq[start + j]);
      }
      if (!seen.add(gram)) {
        return true;
      }
    }
    return false;
  }
}

package io.costgen.core.processor;

import io.costgen.core.internal.ScoreMath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hugging Face's token-rule logits processors that {@code generation_config.json} can switch on:
 * sequence bias, forced BOS/EOS, suppressed tokens (always / at the first new token), exponential
 * decay length penalty, invalid-value removal and log-softmax renormalization. Each is stateless
 * and thread-safe; {@link LogitsProcessors#forConfig} places them in transformers' order.
 */
public final class TokenRuleProcessors {
  private TokenRuleProcessors() {}

  /**
   * {@code SequenceBiasLogitsProcessor}: adds {@code bias} to the score of each sequence's last
   * token when the tokens before it end the current sequence (single-token sequences: always).
   */
  public static LogitsProcessor sequenceBias(Map<List<Long>, Double> biases) {
    Objects.requireNonNull(biases, "biases");
    List<long[]> seqs = new ArrayList<>();
    List<Float> values = new ArrayList<>();
    biases.forEach((k, v) -> {
      long[] a = new long[k.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = k.get(i);
      }
      seqs.add(a);
      values.add(v.floatValue());
    });
    return new SequenceBias(seqs.toArray(new long[0][]), values);
  }

  /** {@code ForcedBOSTokenLogitsProcessor}: when the sequence holds one token, only {@code id} may follow. */
  public static LogitsProcessor forcedBos(long id) {
    return (tokens, length, promptLength, scores) -> {
      if (length == 1) {
        forceOnly(scores, new long[] {id});
      }
    };
  }

  /**
   * {@code ForcedEOSTokenLogitsProcessor}: at the last position the length limit allows, only the
   * EOS ids may follow.
   *
   * @param maxNewTokens when > 0, the limit is {@code promptLength + maxNewTokens}; else
   *     {@code maxLength} (total length)
   */
  public static LogitsProcessor forcedEos(List<Long> ids, int maxNewTokens, int maxLength) {
    long[] eos = toArray(ids);
    return (tokens, length, promptLength, scores) -> {
      int limit = maxNewTokens > 0 ? promptLength + maxNewTokens : maxLength;
      if (length == limit - 1) {
        forceOnly(scores, eos);
      }
    };
  }

  /** {@code SuppressTokensLogitsProcessor}: the ids never follow. */
  public static LogitsProcessor suppress(List<Long> ids) {
    long[] banned = toArray(ids);
    return (tokens, length, promptLength, scores) -> {
      for (long id : banned) {
        ban(scores, id);
      }
    };
  }

  /**
   * {@code SuppressTokensAtBeginLogitsProcessor}: the ids do not start the generation (at new
   * token {@code offset}: 0, or 1 when a forced BOS follows a one-token prompt).
   */
  public static LogitsProcessor suppressAtBegin(List<Long> ids, int offset) {
    long[] banned = toArray(ids);
    return (tokens, length, promptLength, scores) -> {
      if (length - promptLength == offset) {
        for (long id : banned) {
          ban(scores, id);
        }
      }
    };
  }

  /**
   * {@code ExponentialDecayLengthPenalty}: after {@code startIndex} new tokens, each EOS score
   * {@code s} becomes {@code s + |s| × (factor^(newTokens − startIndex) − 1)}.
   */
  public static LogitsProcessor exponentialDecay(int startIndex, double factor, List<Long> eosIds) {
    long[] eos = toArray(eosIds);
    return (tokens, length, promptLength, scores) -> {
      int idx = length - promptLength - startIndex;
      if (idx > 0) {
        float growth = (float) (Math.pow(factor, idx) - 1);
        for (long id : eos) {
          if (id >= 0 && id < scores.length) {
            float s = scores[(int) id];
            scores[(int) id] = s + Math.abs(s) * growth;
          }
        }
      }
    };
  }

  /** {@code InfNanRemoveLogitsProcessor}: NaN becomes 0, ±infinity ± the largest float. */
  public static LogitsProcessor removeInvalidValues() {
    return (tokens, length, promptLength, scores) -> {
      for (int i = 0; i < scores.length; i++) {
        float s = scores[i];
        if (Float.isNaN(s)) {
          scores[i] = 0f;
        } else if (s == Float.POSITIVE_INFINITY) {
          scores[i] = Float.MAX_VALUE;
        } else if (s == Float.NEGATIVE_INFINITY) {
          scores[i] = -Float.MAX_VALUE;
        }
      }
    };
  }

  /** {@code LogitNormalization}: log-softmax of the scores. */
  public static LogitsProcessor renormalize() {
    return (tokens, length, promptLength, scores) -> ScoreMath.logSoftmaxInPlace(scores, scores.length);
  }

  private static void forceOnly(float[] scores, long[] allowed) {
    float[] keep = new float[allowed.length];
    for (int i = 0; i < allowed.length; i++) {
      keep[i] = allowed[i] >= 0 && allowed[i] < scores.length ? 0f : Float.NEGATIVE_INFINITY;
    }
    java.util.Arrays.fill(scores, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < allowed.length; i++) {
      if (allowed[i] >= 0 && allowed[i] < scores.length) {
        scores[(int) allowed[i]] = keep[i];
      }
    }
  }

  private static void ban(float[] scores, long id) {
    if (id >= 0 && id < scores.length) {
      scores[(int) id] = Float.NEGATIVE_INFINITY;
    }
  }

  private static long[] toArray(List<Long> ids) {
    long[] a = new long[ids.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = ids.get(i);
    }
    return a;
  }

  private static final class SequenceBias implements LogitsProcessor {
    private final long[][] seqs;
    private final float[] bias;

    SequenceBias(long[][] seqs, List<Float> values) {
      this.seqs = seqs;
      this.bias = new float[values.size()];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = values.get(i);
      }
    }

    @Override
    public void process(long[] tokens, int length, int promptLength, float[] scores) {
      for (int s = 0; s < seqs.length; s++) {
        long[] seq = seqs[s];
        long last = seq[seq.length - 1];
        if (last < 0 || last >= scores.length) {
          continue;
        }
        int prefix = seq.length - 1;
        if (prefix > length) {
          continue;
        }
        boolean match = true;
        for (int i = 0; i < prefix && match; i++) {
          match = tokens[length - prefix + i] == seq[i];
        }
        if (match) {
          scores[(int) last] += bias[s];
        }
      }
    }

    @Override
    public String toString() {
      return "SequenceBias";
    }
  }
}

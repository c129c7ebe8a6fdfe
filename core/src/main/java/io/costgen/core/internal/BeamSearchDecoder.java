package io.costgen.core.internal;

import io.costgen.core.EarlyStopping;
import io.costgen.core.FinishReason;
import io.costgen.core.GenerationCancelledException;
import io.costgen.core.spi.Logits;
import io.costgen.core.processor.LogitsProcessors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search and beam sampling exactly as Hugging Face's {@code _beam_search}
 * (transformers {@code generation/utils.py}: {@code _get_top_k_continuations},
 * {@code _get_running_beams_for_next_iteration}, {@code _update_finished_beams},
 * {@code _check_early_stop_heuristic}), per input:
 *
 * <ol>
 *   <li>Each running beam's logits → {@code log_softmax} → processors → {@code +} the beam's
 *       running score (float32). Initial running scores: beam 0 = 0, the others −1e9.
 *   <li>Keep {@code K = max(2, 1 + nEos) × numBeams} candidates of the {@code numBeams × vocab}
 *       continuations: the K best (ties: lower beam, then lower token id), or with sampling K draws
 *       without replacement from {@code softmax} of the accumulated scores (in draw order).
 *   <li>Every candidate is checked against the stopping rules (EOS, stop strings, user criteria,
 *       max length, and the call's cancellation / deadline, which stop every candidate like
 *       {@code MaxTimeCriteria}).
 *   <li>Next running beams: the best {@code numBeams} candidates by accumulated score, finished
 *       ones penalised by −1e9 (no length penalty).
 *   <li>A candidate is finalised only if it hit a criterion and is among the first
 *       {@code numBeams} candidates; its score is {@code sum_logprobs / generatedLength^lengthPenalty},
 *       generated length counting the final token and excluding the prompt. The best
 *       {@code numBeams} finished hypotheses are kept.
 *   <li>The input is done when no running beam can improve (early stopping {@code FALSE}: best
 *       running score at the current length; {@code NEVER} with a positive length penalty: at the
 *       longest reachable length), when {@code numBeams} hypotheses are finished with
 *       {@code TRUE}, or when every candidate hit a criterion. Its rows then leave the batch.
 * </ol>
 *
 * <p>With sampling every input draws from the stream {@code (seed, 0)}, so batching does not change
 * results. The top {@code numReturnSequences} hypotheses are returned, best first. If the backend
 * aborts a pass (cancellation), the running beams are finalised as they are. Internal; not
 * thread-safe.
 */
public final class BeamSearchDecoder implements Decoder {
  private static final float NEG = -1.0e9f;

  private enum Phase { PREFILL, SELECT, FORWARD, DONE }

  private final DecodeContext ctx;
  private final int nb;
  private final int k;
  private final int returnSequences;
  private final boolean sample;
  private final float lengthPenalty;
  private final EarlyStopping earlyStopping;
  private final int vocab;
  private final Item[] items;

  private final float[][] acc;
  private final float[] candValue;
  private final int[] candFlat;
  private final FinishReason[] candReason;
  private final float[] candAdj;
  private final float[] mergedScore;
  private final boolean[] taken;
  private long[] scratchTokens = new long[0];

  private Logits logits;
  private Phase phase = Phase.PREFILL;
  private boolean afterPrefill;
  private int generated;
  private int[] contexts;
  private long[] next;
  private int activeRows;

  /** Per-input state. */
  private final class Item {
    final int index;
    final int promptLength;
    final int maxLength;
    final SeededRandom rng;
    long[][] beams;
    long[][] spare;
    int length;
    final float[] running = new float[nb];
    final long[][] slotTokens = new long[nb][];
    final float[] slotScore = new float[nb];
    final boolean[] slotFinished = new boolean[nb];
    final FinishReason[] slotReason = new FinishReason[nb];
    boolean heuristicUnsatisfied = true;
    boolean frozen;
    /** Session row of each running beam (its parent's row before selection). */
    final int[] parent = new int[nb];
    int sessionBase;

    Item(int index, long[] prompt, int maxLength, SeededRandom rng) {
      this.index = index;
      this.promptLength = prompt.length;
      this.maxLength = maxLength;
      this.rng = rng;
      this.beams = new long[nb][maxLength];
      this.spare = new long[nb][maxLength];
      for (int j = 0; j < nb; j++) {
        System.arraycopy(prompt, 0, beams[j], 0, prompt.length);
        running[j] = j == 0 ? 0f : NEG;
        slotScore[j] = NEG;
      }
      this.length = prompt.length;
    }
  }

  public BeamSearchDecoder(DecodeContext ctx, int numBeams, int returnSequences, boolean sample,
      double lengthPenalty, EarlyStopping earlyStopping, long seed) {
    this.ctx = ctx;
    this.nb = numBeams;
    this.k = Math.max(2, 1 + ctx.stopRules().eosCount()) * numBeams;
    this.returnSequences = returnSequences;
    this.sample = sample;
    this.lengthPenalty = (float) lengthPenalty;
    this.earlyStopping = earlyStopping;
    this.vocab = ctx.vocabSize();
    int inputs = ctx.prompts().size();
    this.items = new Item[inputs];
    for (int b = 0; b < inputs; b++) {
      items[b] = new Item(b, ctx.prompts().get(b), ctx.maxLengths()[b], sample ? new SeededRandom(seed, 0) : null);
    }
    this.acc = new float[nb][vocab];
    this.candValue = new float[k];
    this.candFlat = new int[k];
    this.candReason = new FinishReason[k];
    this.candAdj = new float[k];
    this.mergedScore = new float[nb + k];
    this.taken = sample ? new boolean[nb * vocab] : null;
    this.contexts = new int[inputs * nb];
    this.next = new long[inputs * nb];
  }

  @Override
  public boolean advance() {
    switch (phase) {
      case PREFILL:
        return prefill();
      case SELECT:
        return select();
      case FORWARD:
        return forward();
      default:
        return false;
    }
  }

  private boolean prefill() {
    FinishReason stop = ctx.hooks().pollStop();
    if (stop != null) {
      stop(stop);
      return false;
    }
    int inputs = items.length;
    int[] leftPadding = new int[inputs];
    long[][] block = ctx.paddedPrompts(leftPadding);
    try {
      logits = ctx.session().prefill(block, leftPadding);
    } catch (GenerationCancelledException e) {
      stop(ctx.hooks().abortReason());
      return false;
    }
    ctx.usage().prefill(ctx.promptLengths(), inputs);
    afterPrefill = true;
    for (int b = 0; b < inputs; b++) {
      items[b].sessionBase = b;
    }
    phase = Phase.SELECT;
    return true;
  }

  private boolean select() {
    FinishReason signal = ctx.hooks().pollStop();
    for (Item item : items) {
      if (!item.frozen) {
        selectFor(item, signal);
      }
    }
    ctx.hooks().onStep(generated);
    // rows of the items still running, beams in order
    int n = 0;
    int[] selection = new int[items.length * nb];
    for (Item item : items) {
      if (item.frozen) {
        continue;
      }
      int oldBase = item.sessionBase;
      item.sessionBase = n;
      for (int j = 0; j < nb; j++) {
        selection[n] = afterPrefill ? oldBase : oldBase + item.parent[j];
        next[n] = item.beams[j][item.length - 1];
        contexts[n] = item.length;
        n++;
      }
    }
    afterPrefill = false;
    activeRows = n;
    if (n == 0) {
      phase = Phase.DONE;
      return false;
    }
    boolean identity = n == ctx.session().rows();
    for (int i = 0; identity && i < n; i++) {
      identity = selection[i] == i;
    }
    if (!identity) {
      ctx.session().selectRows(Arrays.copyOf(selection, n));
    }
    phase = Phase.FORWARD;
    return true;
  }

  private boolean forward() {
    try {
      logits = ctx.session().step(Arrays.copyOf(next, activeRows));
    } catch (GenerationCancelledException e) {
      stop(ctx.hooks().abortReason());
      return false;
    }
    ctx.usage().decodeStep(contexts, activeRows);
    phase = Phase.SELECT;
    return true;
  }

  private void selectFor(Item item, FinishReason signal) {
    int len = item.length;
    // a. log-softmax, processors, + running score
    for (int j = 0; j < nb; j++) {
      float[] s = acc[j];
      logits.copyRow(afterPrefill ? item.sessionBase : item.sessionBase + j, s);
      ScoreMath.logSoftmaxInPlace(s, vocab);
      LogitsProcessors.applyAll(ctx.processors(), item.beams[j], len, item.promptLength, s);
      float run = item.running[j];
      for (int v = 0; v < vocab; v++) {
        s[v] = s[v] + run;
      }
    }
    // b. K candidates
    if (sample) {
      sampleCandidates(item);
    } else {
      topCandidates();
    }
    generated += nb;
    // c. stopping criteria on every candidate
    boolean allHit = true;
    for (int c = 0; c < k; c++) {
      int beam = candFlat[c] / vocab;
      long token = candFlat[c] % vocab;
      FinishReason reason;
      if (ctx.stopRules().isEos(token)) {
        reason = FinishReason.EOS;
      } else {
        long[] seq;
        if (ctx.stopRules().needsSequence()) {
          if (scratchTokens.length < len + 1) {
            scratchTokens = new long[Math.max(len + 1, scratchTokens.length * 2)];
          }
          System.arraycopy(item.beams[beam], 0, scratchTokens, 0, len);
          seq = scratchTokens;
        } else {
          seq = item.beams[beam];
          // EOS and length only need the last token: check() reads tokens[len] after we place it
          if (seq.length <= len) {
            seq = Arrays.copyOf(seq, len + 1);
          }
        }
        long saved = seq[len];
        seq[len] = token;
        reason = ctx.stopRules().check(seq, len + 1, item.promptLength, item.maxLength);
        seq[len] = saved;
      }
      if (reason == null && signal != null) {
        reason = signal;
      }
      candReason[c] = reason;
      allHit &= reason != null;
    }
    // d. next running beams: best nb by accumulated score, finished ones penalised
    for (int c = 0; c < k; c++) {
      candAdj[c] = candValue[c] + (candReason[c] != null ? NEG : 0f);
    }
    int[] chosen = topIndices(candAdj, k, nb);
    long[][] newBeams = item.spare;
    float[] newRunning = new float[nb];
    for (int j = 0; j < nb; j++) {
      int c = chosen[j];
      int beam = candFlat[c] / vocab;
      System.arraycopy(item.beams[beam], 0, newBeams[j], 0, len);
      newBeams[j][len] = candFlat[c] % vocab;
      newRunning[j] = candAdj[c];
      item.parent[j] = beam;
    }
    // e. finished hypotheses
    int genLen = len + 1 - item.promptLength;
    float denom = (float) Math.pow(genLen, lengthPenalty);
    boolean allFinished = true;
    for (int j = 0; j < nb; j++) {
      allFinished &= item.slotFinished[j];
    }
    boolean beamsFull = allFinished && earlyStopping == EarlyStopping.TRUE;
    for (int j = 0; j < nb; j++) {
      mergedScore[j] = item.slotScore[j];
    }
    for (int c = 0; c < k; c++) {
      float s = candValue[c] / denom;
      if (beamsFull) {
        s += NEG;
      }
      if (!item.heuristicUnsatisfied) {
        s += NEG;
      }
      if (!(candReason[c] != null && c < nb)) {
        s += NEG;
      }
      mergedScore[nb + c] = s;
    }
    int[] best = topIndices(mergedScore, nb + k, nb);
    long[][] slotTokens = new long[nb][];
    float[] slotScore = new float[nb];
    boolean[] slotFinished = new boolean[nb];
    FinishReason[] slotReason = new FinishReason[nb];
    for (int j = 0; j < nb; j++) {
      int m = best[j];
      if (m < nb) {
        slotTokens[j] = item.slotTokens[m];
        slotScore[j] = item.slotScore[m];
        slotFinished[j] = item.slotFinished[m];
        slotReason[j] = item.slotReason[m];
      } else {
        int c = m - nb;
        long[] t = Arrays.copyOf(item.beams[candFlat[c] / vocab], len + 1);
        t[len] = candFlat[c] % vocab;
        slotTokens[j] = t;
        slotScore[j] = mergedScore[m];
        slotFinished[j] = candReason[c] != null && c < nb;
        slotReason[j] = candReason[c];
      }
    }
    System.arraycopy(slotTokens, 0, item.slotTokens, 0, nb);
    System.arraycopy(slotScore, 0, item.slotScore, 0, nb);
    System.arraycopy(slotFinished, 0, item.slotFinished, 0, nb);
    System.arraycopy(slotReason, 0, item.slotReason, 0, nb);
    // advance the running beams
    item.spare = item.beams;
    item.beams = newBeams;
    System.arraycopy(newRunning, 0, item.running, 0, nb);
    item.length = len + 1;
    // f. early-stop heuristic at the new length
    int bestLength = earlyStopping == EarlyStopping.NEVER && lengthPenalty > 0
        ? item.maxLength - item.promptLength : item.length - item.promptLength;
    float bestPossible = item.running[0] / (float) Math.pow(bestLength, lengthPenalty);
    float minScore = Float.POSITIVE_INFINITY;
    for (int j = 0; j < nb; j++) {
      minScore = Math.min(minScore, item.slotScore[j]);
    }
    boolean improvable = false;
    boolean full = true;
    for (int j = 0; j < nb; j++) {
      float worst = item.slotFinished[j] ? minScore : NEG;
      improvable |= bestPossible > worst;
      full &= item.slotFinished[j];
    }
    item.heuristicUnsatisfied &= improvable;
    if (!item.heuristicUnsatisfied || (earlyStopping == EarlyStopping.TRUE && full) || allHit) {
      item.frozen = true;
    }
  }

  /** The k best of nb × vocab accumulated scores, best first; ties to the lower flat index. */
  private void topCandidates() {
    int count = 0;
    for (int j = 0; j < nb; j++) {
      float[] s = acc[j];
      int base = j * vocab;
      for (int v = 0; v < vocab; v++) {
        float x = s[v];
        if (count == k && !(x > candValue[k - 1])) {
          continue;
        }
        int pos = count < k ? count : k - 1;
        while (pos > 0 && x > candValue[pos - 1]) {
          candValue[pos] = candValue[pos - 1];
          candFlat[pos] = candFlat[pos - 1];
          pos--;
        }
        candValue[pos] = x;
        candFlat[pos] = base + v;
        if (count < k) {
          count++;
        }
      }
    }
  }

  /** k draws without replacement from softmax over all accumulated scores, in draw order. */
  private void sampleCandidates(Item item) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < nb; j++) {
      max = Math.max(max, ScoreMath.max(acc[j], vocab));
    }
    double total = 0;
    for (int j = 0; j < nb; j++) {
      for (int v = 0; v < vocab; v++) {
        total += weight(acc[j][v], max);
      }
    }
    double remaining = total;
    for (int c = 0; c < k; c++) {
      if (!(remaining > 0)) {
        // torch.multinomial without replacement: once the non-zero probabilities are used up, the
        // remaining draws are zero-probability entries (score -inf), lowest index first
        fillWithZeroProbability(c);
        break;
      }
      double u = item.rng.nextDouble() * remaining;
      double run = 0;
      int pick = -1;
      int lastPositive = -1;
      outer:
      for (int j = 0; j < nb; j++) {
        for (int v = 0; v < vocab; v++) {
          int flat = j * vocab + v;
          if (taken[flat]) {
            continue;
          }
          double w = weight(acc[j][v], max);
          if (w > 0) {
            run += w;
            lastPositive = flat;
            if (u < run) {
              pick = flat;
              break outer;
            }
          }
        }
      }
      if (pick < 0) {
        pick = lastPositive;
      }
      if (pick < 0) {
        clearTaken(c);
        throw new IllegalStateException("beam sampling: no token left to draw");
      }
      taken[pick] = true;
      candFlat[c] = pick;
      candValue[c] = acc[pick / vocab][pick % vocab];
      remaining -= weight(candValue[c], max);
    }
    clearTaken(k);
  }

  /** Candidates {@code from..k-1}: the untaken entries in index order (they carry their -inf scores). */
  private void fillWithZeroProbability(int from) {
    int c = from;
    for (int flat = 0; c < k && flat < nb * vocab; flat++) {
      if (!taken[flat]) {
        taken[flat] = true;
        candFlat[c] = flat;
        candValue[c] = acc[flat / vocab][flat % vocab];
        c++;
      }
    }
  }

  private void clearTaken(int drawn) {
    for (int c = 0; c < drawn; c++) {
      taken[candFlat[c]] = false;
    }
  }

  /** float32 softmax numerator, as {@code softmax} would compute before normalising. */
  private static double weight(float x, float max) {
    return x == Float.NEGATIVE_INFINITY ? 0 : (float) Math.exp((double) x - max);
  }

  /** Indices of the {@code count} largest of {@code values[0, n)}, best first, ties to the lower index. */
  private static int[] topIndices(float[] values, int n, int count) {
    int[] idx = new int[count];
    float[] val = new float[count];
    int filled = 0;
    for (int i = 0; i < n; i++) {
      float x = values[i];
      if (filled == count && !(x > val[count - 1])) {
        continue;
      }
      int pos = filled < count ? filled : count - 1;
      while (pos > 0 && x > val[pos - 1]) {
        val[pos] = val[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
      }
      val[pos] = x;
      idx[pos] = i;
      if (filled < count) {
        filled++;
      }
    }
    return idx;
  }

  @Override
  public int tokensSoFar() {
    return generated;
  }

  /**
   * Finalises every running input as it stands: its running beams become hypotheses scored at
   * their current generated length (no new token), merged with the finished ones.
   */
  @Override
  public void stop(FinishReason reason) {
    for (Item item : items) {
      if (item.frozen) {
        continue;
      }
      item.frozen = true;
      int genLen = item.length - item.promptLength;
      if (genLen == 0) {
        for (int j = 0; j < nb; j++) {
          if (!item.slotFinished[j]) {
            item.slotTokens[j] = Arrays.copyOf(item.beams[0], item.length);
            item.slotScore[j] = Float.NaN;
            item.slotFinished[j] = true;
            item.slotReason[j] = reason;
          }
        }
        continue;
      }
      float denom = (float) Math.pow(genLen, lengthPenalty);
      for (int j = 0; j < nb; j++) {
        mergedScore[j] = item.slotFinished[j] ? item.slotScore[j] : Float.NEGATIVE_INFINITY;
        mergedScore[nb + j] = item.running[j] / denom;
      }
      int[] best = topIndices(mergedScore, 2 * nb, nb);
      long[][] slotTokens = new long[nb][];
      float[] slotScore = new float[nb];
      FinishReason[] slotReason = new FinishReason[nb];
      for (int j = 0; j < nb; j++) {
        int m = best[j];
        if (m < nb) {
          slotTokens[j] = item.slotTokens[m];
          slotScore[j] = item.slotScore[m];
          slotReason[j] = item.slotReason[m];
        } else {
          slotTokens[j] = Arrays.copyOf(item.beams[m - nb], item.length);
          slotScore[j] = mergedScore[m];
          slotReason[j] = reason;
        }
      }
      for (int j = 0; j < nb; j++) {
        item.slotTokens[j] = slotTokens[j];
        item.slotScore[j] = slotScore[j];
        item.slotReason[j] = slotReason[j];
        item.slotFinished[j] = true;
      }
    }
    phase = Phase.DONE;
  }

  @Override
  public List<Hypothesis> results() {
    List<Hypothesis> out = new ArrayList<>(items.length * returnSequences);
    for (Item item : items) {
      for (int j = 0; j < returnSequences; j++) {
        long[] t = item.slotTokens[j] != null ? item.slotTokens[j] : Arrays.copyOf(item.beams[0], item.promptLength);
        FinishReason reason = item.slotReason[j] != null ? item.slotReason[j] : FinishReason.LENGTH;
        double score = Float.isNaN(item.slotScore[j]) ? Double.NaN : item.slotScore[j];
        out.add(new Hypothesis(item.index, j, t.clone(), item.promptLength, reason, score));
      }
    }
    return out;
  }
}

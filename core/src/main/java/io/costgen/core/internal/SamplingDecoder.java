package io.costgen.core.internal;

import io.costgen.core.FinishReason;
import io.costgen.core.GenerationCancelledException;
import io.costgen.core.spi.Logits;
import io.costgen.core.processor.LogitsProcessors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding and multinomial sampling (Hugging Face {@code _sample}): per row, the float32
 * logits go through the processors, then the next token is the argmax (ties: lowest id) or a
 * draw from {@code softmax}. With {@code copies > 1} (sampling with
 * {@code numReturnSequences}), each input is expanded into that many independent rows,
 * input-major, like {@code _expand_inputs_for_generation}.
 *
 * <p>Rows are "as if alone": a finished row (EOS, stop string, criterion, length) is dropped
 * from the backend batch with {@code selectRows} instead of being fed padding, which yields the
 * same tokens for the other rows. The prompt is prefilled once per input; copies are made with
 * {@code selectRows} after the first token.
 *
 * <p>Copy {@code j} of every input samples from its own {@link SeededRandom} stream
 * {@code (seed, j)}: a prompt gets the same tokens whatever else shares its batch (batching never
 * changes results), and the copies of one prompt differ. Two equal prompts in one batch with one
 * seed therefore get equal samples; use {@code numReturnSequences} for several samples of a
 * prompt. Internal; not thread-safe.
 */
public final class SamplingDecoder implements Decoder {
  private enum Phase { PREFILL, SELECT, FORWARD, DONE }

  private final DecodeContext ctx;
  private final int inputs;
  private final int copies;
  private final int rows;
  private final boolean sample;
  private final SeededRandom[] rng;
  private final long[][] tokens;
  private final int[] length;
  private final int[] promptLength;
  private final int[] maxLength;
  private final FinishReason[] finish;
  private final float[] scores;

  /** Logical rows now in the session, in session order. */
  private int[] active;
  private int activeCount;
  /** For each active row, the row of the current logits to read. */
  private int[] logitsRow;
  private final long[] next;
  private final int[] contexts;
  private final int[] selection;
  private long[] stepIds = new long[0];
  private Logits logits;
  private Phase phase = Phase.PREFILL;
  private int generated;

  public SamplingDecoder(DecodeContext ctx, int copies, boolean sample, long seed) {
    this.ctx = ctx;
    this.inputs = ctx.prompts().size();
    this.copies = copies;
    this.rows = inputs * copies;
    this.sample = sample;
    this.rng = new SeededRandom[rows];
    this.tokens = new long[rows][];
    this.length = new int[rows];
    this.promptLength = new int[rows];
    this.maxLength = new int[rows];
    this.finish = new FinishReason[rows];
    for (int r = 0; r < rows; r++) {
      int b = r / copies;
      long[] p = ctx.prompts().get(b);
      int cap = Math.min(ctx.maxLengths()[b], p.length + 64);
      tokens[r] = Arrays.copyOf(p, Math.max(cap, p.length + 1));
      length[r] = p.length;
      promptLength[r] = p.length;
      maxLength[r] = ctx.maxLengths()[b];
      if (sample) {
        rng[r] = new SeededRandom(seed, r % copies);
      }
    }
    this.scores = new float[ctx.vocabSize()];
    this.active = new int[rows];
    this.logitsRow = new int[rows];
    this.next = new long[rows];
    this.contexts = new int[rows];
    this.selection = new int[rows];
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
    int[] leftPadding = new int[inputs];
    long[][] block = ctx.paddedPrompts(leftPadding);
    try {
      logits = ctx.session().prefill(block, leftPadding);
    } catch (GenerationCancelledException e) {
      stop(ctx.hooks().abortReason());
      return false;
    }
    ctx.usage().prefill(ctx.promptLengths(), inputs);
    activeCount = rows;
    for (int r = 0; r < rows; r++) {
      active[r] = r;
      logitsRow[r] = r / copies; // the prefill logits have one row per input
    }
    phase = Phase.SELECT;
    return true;
  }

  private boolean select() {
    int vocab = ctx.vocabSize();
    for (int i = 0; i < activeCount; i++) {
      int r = active[i];
      logits.copyRow(logitsRow[i], scores);
      LogitsProcessors.applyAll(ctx.processors(), tokens[r], length[r], promptLength[r], scores);
      int token = sample ? Sampler.sample(scores, vocab, rng[r]) : ScoreMath.argmax(scores, vocab);
      append(r, token);
      generated++;
      FinishReason reason = ctx.stopRules().check(tokens[r], length[r], promptLength[r], maxLength[r]);
      finish[r] = reason;
      ctx.hooks().onToken(r, token, reason);
    }
    ctx.hooks().onStep(generated);
    if (anyUnfinished()) { // a stop signal only matters if another pass would run
      FinishReason stop = ctx.hooks().pollStop();
      if (stop != null) {
        stop(stop);
      }
    }
    // keep the unfinished rows; previous session row of active[i] is i (or its input after prefill)
    int kept = 0;
    boolean identity = activeCount == sessionRows();
    for (int i = 0; i < activeCount; i++) {
      int r = active[i];
      if (finish[r] == null) {
        selection[kept] = logitsRow[i];
        identity &= logitsRow[i] == kept;
        active[kept] = r;
        next[kept] = tokens[r][length[r] - 1];
        contexts[kept] = length[r];
        kept++;
      }
    }
    activeCount = kept;
    if (kept == 0) {
      phase = Phase.DONE;
      return false;
    }
    if (!identity || kept != sessionRows()) {
      ctx.session().selectRows(Arrays.copyOf(selection, kept));
    }
    for (int i = 0; i < kept; i++) {
      logitsRow[i] = i;
    }
    phase = Phase.FORWARD;
    return true;
  }

  private boolean anyUnfinished() {
    for (int i = 0; i < activeCount; i++) {
      if (finish[active[i]] == null) {
        return true;
      }
    }
    return false;
  }

  private int sessionRows() {
    return ctx.session().rows();
  }

  private boolean forward() {
    if (stepIds.length != activeCount) {
      stepIds = new long[activeCount];
    }
    System.arraycopy(next, 0, stepIds, 0, activeCount);
    try {
      logits = ctx.session().step(stepIds);
    } catch (GenerationCancelledException e) {
      stop(ctx.hooks().abortReason());
      return false;
    }
    ctx.usage().decodeStep(contexts, activeCount);
    phase = Phase.SELECT;
    return true;
  }

  private void append(int r, long token) {
    if (length[r] == tokens[r].length) {
      tokens[r] = Arrays.copyOf(tokens[r], Math.min(Math.max(tokens[r].length * 2, length[r] + 1),
          Math.max(maxLength[r], length[r] + 1)));
    }
    tokens[r][length[r]++] = token;
  }

  @Override
  public int tokensSoFar() {
    return generated;
  }

  @Override
  public void stop(FinishReason reason) {
    for (int r = 0; r < rows; r++) {
      if (finish[r] == null) {
        finish[r] = reason;
      }
    }
    activeCount = 0;
    phase = Phase.DONE;
  }

  @Override
  public List<Hypothesis> results() {
    List<Hypothesis> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      FinishReason reason = finish[r] == null ? FinishReason.CANCELLED : finish[r];
      out.add(new Hypothesis(r / copies, r % copies, Arrays.copyOf(tokens[r], length[r]), promptLength[r],
          reason, Double.NaN));
    }
    return out;
  }
}

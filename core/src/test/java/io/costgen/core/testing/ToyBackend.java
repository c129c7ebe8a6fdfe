package io.costgen.core.testing;

import io.costgen.core.BackendException;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.GenerationCancelledException;
import io.costgen.core.spi.Logits;
import io.costgen.core.ModelInfo;
import io.costgen.core.SpecialTokens;
import io.costgen.core.spi.TransformerBackend;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.DType;
import io.costgen.cost.ModelShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic toy {@link TransformerBackend} for tests: no model, just a formula. The logits
 * of a row are a function of the row's real tokens so far (its "KV cache": a list of tokens; the
 * position is the list's length) — by default a seeded hash in [-4, 4), or any
 * {@link LogitsFunction}. Left padding is honoured (padding is never part of a row's tokens), so
 * a row computes exactly what it would alone; {@code selectRows} copies/drops rows;
 * {@link DecoderSession#cancel()} makes the running (or next) forward pass throw
 * {@link GenerationCancelledException}; {@link Builder#failAtForwardPass(int)} makes the k-th pass
 * throw {@link BackendException}; {@link Builder#failOnToken(long)} makes every pass that feeds a
 * given token throw (a "poisoned" sequence); {@link Builder#onForwardPass(ForwardHook)} runs a hook
 * at the start of each pass (latches, fake clocks). {@code appendRows} merges sessions (continuous
 * batching; the shorter session gets padding columns on the left, as a real backend does), and
 * {@link #passes()} logs every forward pass.
 *
 * <p>Thread-safe as the SPI requires: sessions are independent; counters are atomic.
 */
public final class ToyBackend implements TransformerBackend {

  /** Computes a row's next-token logits from its real tokens {@code tokens[0, length)}. */
  @FunctionalInterface
  public interface LogitsFunction {
    void logits(long[] tokens, int length, float[] out);
  }

  /**
   * One forward pass: a prefill ({@code tokens} = columns fed per row) or a step, over
   * {@code rows} rows, in a session holding {@code positions} positions per row before the pass.
   */
  public record Pass(boolean prefill, int rows, int tokens, int positions) {}

  /** Runs at the start of forward pass {@code index} (0-based, counted over the whole backend). */
  @FunctionalInterface
  public interface ForwardHook {
    void beforeForward(int index) throws Exception;
  }

  private final ModelInfo info;
  private final LogitsFunction function;
  private final int failAt;
  private final long poison;
  private final ForwardHook hook;
  private final Runnable cancelHook;
  private final AtomicInteger forwardPasses = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final List<int[]> selections = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<int[]> prefillPaddings = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<Pass> passes = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger appends = new AtomicInteger();

  private ToyBackend(Builder b) {
    ModelShape shape = ModelShape.builder().name("toy").family(ArchitectureFamily.LLAMA).layers(2).hiddenSize(16)
        .attentionHeads(2).kvHeads(1).intermediateSize(32).vocabSize(b.vocabSize).contextLength(b.contextLength)
        .build();
    SpecialTokens special = new SpecialTokens(OptionalLong.of(b.bos), b.eos, b.pad);
    this.info = new ModelInfo(shape, DType.FP32, DType.FP16, special, b.generationDefaults, "toy", b.devices);
    this.function = b.function != null ? b.function : hashFunction(b.seed, b.vocabSize);
    this.failAt = b.failAt;
    this.poison = b.poison;
    this.hook = b.hook;
    this.cancelHook = b.cancelHook;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The default formula: logits[v] = uniform[-4, 4) from a hash of (seed, tokens, v). */
  public static LogitsFunction hashFunction(long seed, int vocab) {
    return (tokens, length, out) -> {
      long h = mix(seed ^ 0x5DEECE66DL);
      for (int i = 0; i < length; i++) {
        h = mix(h ^ (tokens[i] + 0x9E3779B97F4A7C15L * (i + 1)));
      }
      for (int v = 0; v < vocab; v++) {
        long x = mix(h + 0x632BE59BD9B4E019L * (v + 1));
        out[v] = ((x >>> 40) / (float) (1 << 24)) * 8f - 4f;
      }
    };
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public ModelInfo modelInfo() {
    return info;
  }

  @Override
  public DecoderSession openSession() {
    opened.incrementAndGet();
    return new ToySession();
  }

  @Override
  public void close() {}

  /** Forward passes run so far (prefill and step), all sessions. */
  public int forwardPasses() {
    return forwardPasses.get();
  }

  public int sessionsOpened() {
    return opened.get();
  }

  public int sessionsClosed() {
    return closed.get();
  }

  /** Every {@code selectRows} argument, in order (all sessions). */
  public List<int[]> selections() {
    return List.copyOf(selections);
  }

  /** Every forward pass, in order (all sessions), logged before its hook runs. */
  public List<Pass> passes() {
    return List.copyOf(passes);
  }

  /** Successful {@code appendRows} calls (all sessions). */
  public int appends() {
    return appends.get();
  }

  /** Every {@code prefill} left-padding argument, in order (all sessions). */
  public List<int[]> prefillPaddings() {
    return List.copyOf(prefillPaddings);
  }

  /** The logits the formula gives for {@code tokens} (for expected values in tests). */
  public float[] logitsFor(long... tokens) {
    float[] out = new float[info.vocabSize()];
    function.logits(tokens, tokens.length, out);
    return out;
  }

  private final class ToySession implements DecoderSession {
    private List<long[]> rows;
    private int[] lengths;
    private int positions;
    private volatile boolean cancelled;
    private boolean isClosed;
    private float[][] logits;

    @Override
    public Logits prefill(long[][] tokenIds, int[] leftPadding) {
      checkOpen();
      if (tokenIds.length == 0 || tokenIds.length != leftPadding.length) {
        throw new IllegalArgumentException("prefill: " + tokenIds.length + " rows, " + leftPadding.length + " paddings");
      }
      int width = tokenIds[0].length;
      if (rows == null) {
        rows = new ArrayList<>();
        lengths = new int[tokenIds.length];
        for (int r = 0; r < tokenIds.length; r++) {
          rows.add(new long[16]);
        }
      } else if (tokenIds.length != rows.size()) {
        throw new IllegalArgumentException("prefill: " + tokenIds.length + " rows, session has " + rows.size());
      }
      for (int r = 0; r < tokenIds.length; r++) {
        if (tokenIds[r].length != width) {
          throw new IllegalArgumentException("prefill: ragged rows");
        }
        if (positions > 0 && leftPadding[r] != 0) {
          throw new IllegalArgumentException("prefill: padding only on the first block");
        }
        if (leftPadding[r] >= width) {
          throw new IllegalArgumentException("prefill: row " + r + " is all padding");
        }
      }
      prefillPaddings.add(leftPadding.clone());
      forward(new Pass(true, tokenIds.length, width, positions));
      for (int r = 0; r < tokenIds.length; r++) {
        for (int i = leftPadding[r]; i < width; i++) {
          checkPoison(tokenIds[r][i]);
        }
      }
      for (int r = 0; r < tokenIds.length; r++) {
        for (int i = leftPadding[r]; i < width; i++) {
          append(r, tokenIds[r][i]);
        }
      }
      positions += width;
      return compute();
    }

    @Override
    public Logits step(long[] tokenIds) {
      checkOpen();
      if (rows == null || tokenIds.length != rows.size()) {
        throw new IllegalArgumentException("step: " + tokenIds.length + " ids for " + rows() + " rows");
      }
      forward(new Pass(false, tokenIds.length, 1, positions));
      for (long id : tokenIds) {
        checkPoison(id);
      }
      for (int r = 0; r < tokenIds.length; r++) {
        append(r, tokenIds[r]);
      }
      positions++;
      return compute();
    }

    private void checkPoison(long id) {
      if (poison >= 0 && id == poison) {
        throw new BackendException("toy backend: poisoned token " + id + " fed");
      }
    }

    private void forward(Pass pass) {
      passes.add(pass);
      int index = forwardPasses.getAndIncrement();
      if (hook != null) {
        try {
          hook.beforeForward(index);
        } catch (Exception e) {
          throw new BackendException("forward hook failed", e);
        }
      }
      if (cancelled) {
        throw new GenerationCancelledException("toy forward pass " + index + " cancelled");
      }
      if (index == failAt) {
        throw new BackendException("toy backend: injected failure at forward pass " + index);
      }
    }

    private void append(int r, long token) {
      if (token < 0 || token >= info.vocabSize()) {
        throw new BackendException("toy backend: token " + token + " outside the vocabulary");
      }
      long[] row = rows.get(r);
      if (lengths[r] == row.length) {
        row = Arrays.copyOf(row, row.length * 2);
        rows.set(r, row);
      }
      row[lengths[r]++] = token;
      if (lengths[r] > info.contextLength()) {
        throw new BackendException("toy backend: row " + r + " exceeds the context length");
      }
    }

    private Logits compute() {
      int v = info.vocabSize();
      logits = new float[rows.size()][v];
      for (int r = 0; r < rows.size(); r++) {
        function.logits(rows.get(r), lengths[r], logits[r]);
      }
      float[][] view = logits;
      return new Logits() {
        @Override
        public int rows() {
          return view.length;
        }

        @Override
        public int vocabSize() {
          return v;
        }

        @Override
        public void copyRow(int row, float[] dest) {
          System.arraycopy(view[row], 0, dest, 0, v);
        }
      };
    }

    @Override
    public void selectRows(int[] select) {
      checkOpen();
      selections.add(select.clone());
      List<long[]> newRows = new ArrayList<>(select.length);
      int[] newLengths = new int[select.length];
      for (int i = 0; i < select.length; i++) {
        newRows.add(rows.get(select[i]).clone());
        newLengths[i] = lengths[select[i]];
      }
      rows = newRows;
      lengths = newLengths;
      logits = null;
    }

    @Override
    public void appendRows(DecoderSession other) {
      checkOpen();
      if (!(other instanceof ToySession) || other == this) {
        throw new IllegalArgumentException("other: must be another session of this toy backend");
      }
      ToySession o = (ToySession) other;
      o.checkOpen();
      if (o.rows != null && !o.rows.isEmpty()) {
        if (rows == null) {
          rows = new ArrayList<>();
          lengths = new int[0];
        }
        int before = rows.size();
        lengths = Arrays.copyOf(lengths, before + o.rows.size());
        for (int r = 0; r < o.rows.size(); r++) {
          rows.add(o.rows.get(r).clone());
          lengths[before + r] = o.lengths[r];
        }
        positions = Math.max(positions, o.positions);
      }
      logits = null;
      appends.incrementAndGet();
      o.close();
    }

    @Override
    public int rows() {
      return rows == null ? 0 : rows.size();
    }

    @Override
    public int cachedPositions() {
      return positions;
    }

    @Override
    public void cancel() {
      cancelled = true;
      if (cancelHook != null) {
        cancelHook.run();
      }
    }

    @Override
    public void close() {
      if (!isClosed) {
        isClosed = true;
        closed.incrementAndGet();
      }
    }

    private void checkOpen() {
      if (isClosed) {
        throw new IllegalStateException("toy session is closed");
      }
    }
  }

  /** Builder; defaults: vocab 64, context 256, seed 42, BOS 1, EOS [2], no pad, one device. */
  public static final class Builder {
    private int vocabSize = 64;
    private int contextLength = 256;
    private long seed = 42;
    private long bos = 1;
    private List<Long> eos = List.of(2L);
    private OptionalLong pad = OptionalLong.empty();
    private LogitsFunction function;
    private int failAt = -1;
    private long poison = -1;
    private ForwardHook hook;
    private Runnable cancelHook;
    private Map<String, Object> generationDefaults = Map.of();
    private int devices = 1;

    private Builder() {}

    public Builder vocabSize(int v) { this.vocabSize = v; return this; }
    public Builder contextLength(int v) { this.contextLength = v; return this; }
    public Builder seed(long v) { this.seed = v; return this; }
    public Builder eosTokenIds(long... ids) {
      List<Long> l = new ArrayList<>();
      for (long id : ids) {
        l.add(id);
      }
      this.eos = List.copyOf(l);
      return this;
    }
    public Builder padTokenId(long v) { this.pad = OptionalLong.of(v); return this; }
    public Builder logits(LogitsFunction f) { this.function = f; return this; }
    /** Forward pass {@code k} (0-based, over all sessions) throws {@link BackendException}. */
    public Builder failAtForwardPass(int k) { this.failAt = k; return this; }
    /** Every forward pass that feeds token {@code id} (prefill or step) throws {@link BackendException}. */
    public Builder failOnToken(long id) { this.poison = id; return this; }
    public Builder onForwardPass(ForwardHook h) { this.hook = h; return this; }
    /** Runs (on the cancelling thread) after a session's {@code cancel()} set its flag. */
    public Builder onCancel(Runnable r) { this.cancelHook = r; return this; }
    public Builder generationDefaults(Map<String, Object> m) { this.generationDefaults = m; return this; }
    public Builder devices(int n) { this.devices = n; return this; }

    public ToyBackend build() {
      return new ToyBackend(this);
    }
  }
}

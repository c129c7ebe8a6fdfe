package io.costgen.core;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one generation call will do, worked out before anything runs: the resolved config
 * (request → generator defaults → model defaults), the tokenized and validated prompts, each
 * prompt's total length limit, the copies per prompt, and the call's deadlines. Pure and
 * backend-free: it reads the request, the defaults, the model's limits, the tokenizer and the
 * clock, and every error it throws names the field and its allowed range (no listener has been
 * told anything yet). The only later change is {@link #capNewTokens} (a budget that granted
 * fewer new tokens). Not thread-safe; owned by its {@link GenerationCall}.
 */
final class CallPlan {
  final GenerationConfig config;
  final List<long[]> prompts;
  /** Per prompt: prompt length + new tokens allowed (Hugging Face {@code max_length} per row). */
  final int[] maxLengths;
  /** Sampled copies per prompt ({@code numReturnSequences} when sampling without beams), else 1. */
  final int copies;
  /** Ticker time after which the call stops with {@link FinishReason#DEADLINE}, or Long.MAX_VALUE. */
  final long deadlineNanos;
  /** {@code maxTime} in nanoseconds, or Long.MAX_VALUE. */
  final long maxTimeNanos;
  /** A token callback or sink receives tokens as they are chosen. */
  final boolean streaming;

  /**
   * Resolves and validates a call.
   *
   * @param streaming whether tokens are streamed (a callback or a TokenStream)
   * @param startNanos the call's start on the generator's ticker
   * @param clock the generator's clock (for {@link GenerationRequest#deadline()})
   * @throws IllegalArgumentException, IllegalStateException, PromptTooLongException naming the field
   */
  static CallPlan of(GenerationRequest request, GenerationConfig generatorDefaults, ModelInfo model,
      Optional<Tokenizer> tokenizer, boolean streaming, long startNanos, Clock clock) {
    return new CallPlan(request, generatorDefaults, model, tokenizer, streaming, startNanos, clock);
  }

  private CallPlan(GenerationRequest request, GenerationConfig generatorDefaults, ModelInfo model,
      Optional<Tokenizer> tokenizer, boolean streaming, long startNanos, Clock clock) {
    GenerationConfig requested = request.config().orElse(GenerationConfig.defaults());
    this.config = requested.withDefaultsFrom(generatorDefaults).withModelDefaults(model);
    this.prompts = tokenize(request, tokenizer);
    int vocab = model.vocabSize();
    int contextLength = model.contextLength();
    this.maxLengths = new int[prompts.size()];
    for (int b = 0; b < prompts.size(); b++) {
      long[] p = prompts.get(b);
      for (int i = 0; i < p.length; i++) {
        if (p[i] < 0 || p[i] >= vocab) {
          throw new IllegalArgumentException(String.format(
              "%s[%d]: token id %d at position %d is outside the allowed range [0, %d) (the model's vocabulary)",
              request.prompts().isPresent() ? "prompts" : "tokenIds", b, p[i], i, vocab));
        }
      }
      maxLengths[b] = maxLength(b, p.length, contextLength);
    }
    for (List<Long> seq : config.badWordsIds()) {
      for (Long id : seq) {
        if (id >= vocab) {
          throw new IllegalArgumentException("badWordsIds: token id " + id + " is outside the allowed range [0, "
              + vocab + ") (the model's vocabulary)");
        }
      }
    }
    if (!config.stopStrings().isEmpty() && tokenizer.isEmpty()) {
      throw new IllegalStateException("stopStrings: need a tokenizer; set TextGenerator.builder().tokenizer(...)");
    }
    this.streaming = streaming;
    if (streaming && config.isBeamSearch()) {
      throw new IllegalStateException("streaming: not supported with beam search (numBeams=" + config.numBeams()
          + "); Hugging Face raises too. Use generate() and read the result, or numBeams=1");
    }
    this.copies = config.doSample() && !config.isBeamSearch() ? config.numReturnSequences() : 1;
    long deadline = Long.MAX_VALUE;
    if (request.timeout().isPresent()) {
      deadline = saturatedAdd(startNanos, request.timeout().get());
    }
    if (request.deadline().isPresent()) {
      Duration left = Duration.between(clock.instant(), request.deadline().get());
      deadline = Math.min(deadline, left.isNegative() ? startNanos : saturatedAdd(startNanos, left));
    }
    this.deadlineNanos = deadline;
    this.maxTimeNanos = config.maxTime().map(Duration::toNanos).orElse(Long.MAX_VALUE);
  }

  private static List<long[]> tokenize(GenerationRequest request, Optional<Tokenizer> tokenizer) {
    if (request.prompts().isPresent()) {
      Tokenizer t = tokenizer.orElseThrow(() -> new IllegalStateException(
          "prompts: text prompts need a tokenizer; set TextGenerator.builder().tokenizer(...) or pass tokenIds"));
      List<String> texts = request.prompts().get();
      List<long[]> out = new ArrayList<>(texts.size());
      for (int b = 0; b < texts.size(); b++) {
        long[] ids = t.encode(texts.get(b));
        if (ids.length == 0) {
          throw new IllegalArgumentException("prompts[" + b + "]: the tokenizer produced no tokens; the model needs"
              + " at least 1 prompt token (this tokenizer adds no BOS to an empty text)");
        }
        out.add(ids);
      }
      return out;
    }
    return request.tokenIdsUnsafe();
  }

  /** Per-prompt total length, Hugging Face {@code _prepare_generated_length} with our per-row counting. */
  private int maxLength(int b, int promptLength, int contextLength) {
    if (config.maxNewTokens().isPresent()) {
      long total = (long) promptLength + config.maxNewTokens().getAsInt();
      if (total > contextLength) {
        throw new PromptTooLongException(String.format("prompt %d: %d prompt tokens + maxNewTokens %d = %d exceeds"
            + " the model's context length %d", b, promptLength, config.maxNewTokens().getAsInt(), total,
            contextLength), b, promptLength, (int) Math.min(total, Integer.MAX_VALUE), contextLength);
      }
      return (int) total;
    }
    if (config.isExplicit("max_length")) {
      int total = config.maxLength();
      if (total > contextLength) {
        throw new IllegalArgumentException("maxLength (max_length): " + total + " exceeds the model's context length "
            + contextLength + "; allowed range [promptLength + 1, " + contextLength + "]");
      }
      if (promptLength >= total) {
        throw new PromptTooLongException(String.format("prompt %d: %d prompt tokens leave no room under maxLength %d;"
            + " raise maxLength or set maxNewTokens", b, promptLength, total), b, promptLength, total, contextLength);
      }
      return total;
    }
    if (promptLength >= contextLength) {
      throw new PromptTooLongException(String.format("prompt %d: %d prompt tokens leave no room in the model's"
          + " context length %d", b, promptLength, contextLength), b, promptLength, promptLength + 1, contextLength);
    }
    return Math.min(promptLength + GenerationConfig.DEFAULT_MAX_LENGTH, contextLength);
  }

  /** Lowers every prompt's limit to at most {@code granted} new tokens (a budget's grant). */
  void capNewTokens(long granted) {
    for (int b = 0; b < prompts.size(); b++) {
      maxLengths[b] = (int) Math.min(maxLengths[b], prompts.get(b).length + granted);
    }
  }

  /** Number of input prompts. */
  int inputs() {
    return prompts.size();
  }

  /** Prompt tokens over all inputs (each counted once, not per copy). */
  long promptTokens() {
    long n = 0;
    for (long[] p : prompts) {
      n += p.length;
    }
    return n;
  }

  /** The longest prompt, in tokens (the padded prefill width). */
  int longestPrompt() {
    int n = 0;
    for (long[] p : prompts) {
      n = Math.max(n, p.length);
    }
    return n;
  }

  /** The most new tokens any prompt may get. */
  long maxNewTokens() {
    long n = 0;
    for (int b = 0; b < prompts.size(); b++) {
      n = Math.max(n, maxLengths[b] - prompts.get(b).length);
    }
    return n;
  }

  /**
   * Rows the decoder runs and the cost model prices: beams or sampled copies per input (with
   * beams, copies is 1; without, numBeams is 1).
   */
  int rows() {
    return inputs() * Math.max(copies, config.numBeams());
  }

  private static long saturatedAdd(long nanos, Duration d) {
    long add;
    try {
      add = d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
    long sum = nanos + add;
    return ((nanos ^ sum) & (add ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}

package io.costgen.cost;

/**
 * Prices LLM calls. {@link #estimate} runs before a call and must return a worst case for the
 * call's limits (budgets reserve it); {@link #price} runs after it on the measured usage.
 *
 * <p>Implementations must be thread-safe and fast (they run on every call).
 */
public interface CostModel {

  /**
   * Worst-case cost of a call on {@code model} with {@code promptTokens} prompt tokens in all,
   * spread over {@code sequences} rows, each generating up to {@code maxNewTokens} tokens.
   */
  CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences);

  /** The cost of a call that used {@code usage}. */
  CostReport price(Usage usage);

  /** A cost model that prices everything at zero but still reports usage and device-seconds. */
  static CostModel free() {
    return new CostModel() {
      @Override
      public CostReport estimate(ModelShape model, long promptTokens, long maxNewTokens, int sequences) {
        return CostReport.free(Usage.builder().model(model).promptTokens(promptTokens)
            .completionTokens(maxNewTokens * sequences).sequences(sequences).build());
      }

      @Override
      public CostReport price(Usage usage) {
        return CostReport.free(usage);
      }
    };
  }
}

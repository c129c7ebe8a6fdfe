package io.costgen.bench.internal;

/** One greedy decode loop under test. Not thread-safe. */
interface DecodeLoop extends AutoCloseable {

  /**
   * One call's outcome.
   *
   * @param firstTokenNanos from the call's start until every row's first token was chosen
   * @param totalNanos the whole call, measured around it by the harness
   * @param generated the new tokens, {@code [rows][newTokens]}
   */
  record Run(long firstTokenNanos, long totalNanos, long[][] generated) {}

  Impl impl();

  /** Width of a logits row (valid prompt ids are below it). */
  int vocab();

  /** Greedy-decodes exactly {@code newTokens} tokens per row (no EOS). */
  Run run(long[][] prompts, int newTokens) throws Exception;

  @Override
  void close() throws Exception;
}

package io.costgen.bench.internal;

/** The decode loops compared, numbered as in {@code BENCHMARKS.md}. */
public enum Impl {
  /** (1) The hand-written ONNX Runtime greedy loop, no costgen code: the ceiling. */
  HAND("(1) hand-written ORT"),
  /** (2) {@code TextGenerator.generate} with a full cost model, a listener (and budget/meter hooks). */
  FULL("(2) costgen, cost on"),
  /** (3) {@code TextGenerator.generate} with {@code CostModel.free()} and no listeners. */
  FREE("(3) costgen, cost off"),
  /** (4) costgen on the graph without a KV cache (every step recomputes the sequence), cost off. */
  NO_PAST("(4) costgen, no KV cache");

  private final String label;

  Impl(String label) {
    this.label = label;
  }

  /** The label used in tables. */
  public String label() {
    return label;
  }
}

package io.costgen.onnx;

/**
 * ONNX Runtime graph optimization level applied when the model is loaded (see ONNX Runtime's
 * "Graph optimizations" documentation: basic = constant folding and redundant-node removal,
 * extended = node fusions such as attention and layer norm, all = extended plus layout
 * optimizations).
 */
public enum GraphOptimizationLevel {
  /** No graph rewriting. */
  NONE,
  /** Semantics-preserving rewrites (constant folding, redundant node elimination). */
  BASIC,
  /** Basic plus fusions (e.g. attention, GELU, layer normalization). */
  EXTENDED,
  /** Everything, including layout transformations (ONNX Runtime's default). */
  ALL
}

package io.costgen.core.internal;

import io.costgen.core.FinishReason;

/**
 * A finished (or cut-short) sequence as a decoder returns it. Internal.
 *
 * @param tokens prompt then generated tokens (owned by the receiver)
 * @param score beam score, or NaN outside beam modes / when nothing was generated
 */
public record Hypothesis(int inputIndex, int rank, long[] tokens, int promptLength, FinishReason finishReason,
    double score) {}

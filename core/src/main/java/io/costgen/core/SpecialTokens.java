package io.costgen.core;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Special token ids of a model. {@code eosTokenIds} may hold several ids (any of them ends a
 * sequence). Immutable.
 */
public record SpecialTokens(OptionalLong bosTokenId, List<Long> eosTokenIds, OptionalLong padTokenId) {

  public SpecialTokens {
    Objects.requireNonNull(bosTokenId, "bosTokenId");
    Objects.requireNonNull(padTokenId, "padTokenId");
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  /** No special tokens known. */
  public static SpecialTokens none() {
    return new SpecialTokens(OptionalLong.empty(), List.of(), OptionalLong.empty());
  }
}

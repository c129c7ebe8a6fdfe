package io.costgen.cost.budget;

import java.util.Locale;

/**
 * What a {@link Budget} limits. Amounts are exact {@link java.math.BigDecimal}s in the unit
 * named here: money in the budget's currency, tokens (prompt + completion), FLOPs
 * (floating-point operations, multiply-add = 2), energy in joules.
 */
public enum BudgetUnit {
  /** Money in the budget's {@link Budget#currency() currency}. Spec name {@code money}. */
  MONEY("money"),
  /** Prompt plus completion tokens. Spec name {@code tokens}. */
  TOKENS("tokens"),
  /** Floating-point operations. Spec name {@code flops}. */
  FLOPS("flops"),
  /** Energy in joules. Spec name {@code energy}. */
  ENERGY_JOULES("energy");

  private final String specName;

  BudgetUnit(String specName) {
    this.specName = specName;
  }

  /** The name used in budget spec strings ({@code money}, {@code tokens}, {@code flops}, {@code energy}). */
  public String specName() {
    return specName;
  }

  /**
   * The unit with spec name {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the field {@code unit} and the allowed names
   */
  public static BudgetUnit fromSpecName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (BudgetUnit u : values()) {
      if (u.specName.equals(n)) {
        return u;
      }
    }
    throw new IllegalArgumentException(
        "unit: unknown '" + name + "'; allowed: money, tokens, flops, energy");
  }
}

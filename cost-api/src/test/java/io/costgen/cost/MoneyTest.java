package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;

class MoneyTest {

  @Test
  void aMillionAdditionsOfATinyAmount_sumExactly() {
    Money step = Money.usd("0.000000123");
    Money sum = Money.zero(Money.USD);
    for (int i = 0; i < 1_000_000; i++) {
      sum = sum.plus(step);
    }
    assertThat(sum).isEqualTo(Money.usd("0.123"));
    assertThat(sum.toPlainString()).isEqualTo("0.123");
  }

  @Test
  void tinyAmounts_neverRoundToZero() {
    Money tiny = Money.usd("0.000000000000000001");
    assertThat(tiny.dividedBy(BigDecimal.valueOf(3600)).isZero()).isFalse();
    assertThat(tiny.times(1e-12).isZero()).isFalse();
    assertThat(tiny.times(1e-12).toPlainString()).isEqualTo("0.000000000000000000000000000001");
  }

  @Test
  void equality_ignoresScale() {
    assertThat(Money.usd("1.0")).isEqualTo(Money.usd("1.00")).hasSameHashCodeAs(Money.usd("1.00"));
    assertThat(Money.usd("1.5").compareTo(Money.usd("1.50"))).isZero();
  }

  @Test
  void differentCurrencies_cannotBeCombined() {
    Money eur = Money.of(BigDecimal.ONE, Currency.getInstance("EUR"));
    assertThatThrownBy(() -> Money.usd("1").plus(eur))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("currency mismatch");
    assertThatThrownBy(() -> Money.usd("1").compareTo(eur))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void arithmetic_isExact() {
    assertThat(Money.usd("2.79").times(new BigDecimal("36")).dividedBy(BigDecimal.valueOf(3600)))
        .isEqualTo(Money.usd("0.0279"));
    assertThat(Money.usd("1").minus(Money.usd("1.5")).isNegative()).isTrue();
    assertThat(Money.usd("0.1").times(3.0)).isEqualTo(Money.usd("0.3"));
    assertThat(Money.usd("1e-7").toPlainString()).isEqualTo("0.0000001");
  }

  @Test
  void format_isReadable_tinyAmountsKeepSignificantDigits_largeOnesAreGrouped() {
    assertThat(Money.usd("0.000000031890144477611943425").toString()).isEqualTo("$0.0000000319");
    assertThat(Money.usd("0.0000319").format()).isEqualTo("$0.0000319");
    assertThat(Money.usd("694444.4444").format(java.util.Locale.US)).isEqualTo("$694,444.44");
    assertThat(Money.usd("0").format()).isEqualTo("$0.00");
    assertThat(Money.usd("0.5").format()).isEqualTo("$0.50");
    assertThat(Money.usd("-0.0123456").format()).isEqualTo("-$0.0123");
    assertThat(Money.usd("0.9999").format()).isEqualTo("$1.00");
    assertThat(Money.of(new BigDecimal("1234.5"), java.util.Currency.getInstance("EUR"))
        .format(java.util.Locale.GERMANY)).isEqualTo("1.234,50\u00a0€");
    assertThat(Money.of(new BigDecimal("1234.5"), java.util.Currency.getInstance("JPY")).format())
        .isEqualTo("¥1,234");
    // the exact value is still there for JSON and storage
    assertThat(Money.usd("0.000000031890144477611943425").toPlainString())
        .isEqualTo("0.000000031890144477611943425");
  }
}

package io.costgen.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BudgetTest {

  @Test
  void parse_moneyPerDay_defaultsToUsdEachTenantUtcHardReject() {
    Budget b = Budget.parse("money:0.05/day");
    assertThat(b.unit()).isEqualTo(BudgetUnit.MONEY);
    assertThat(b.currency()).contains(Money.USD);
    assertThat(b.limit()).isEqualByComparingTo("0.05");
    assertThat(b.window()).isEqualTo(BudgetWindow.daily(ZoneId.of("UTC")));
    assertThat(b.scope()).isEqualTo(BudgetScope.eachTenant());
    assertThat(b.enforcement()).isEqualTo(Budget.Enforcement.HARD);
    assertThat(b.policy()).isEqualTo(Budget.Policy.REJECT);
    assertThat(b.alertThresholds()).isEmpty();
    assertThat(b.id()).isEqualTo("money/day@Z/tenant");
  }

  @Test
  void parse_everyOptionAndWindowForm() {
    Budget b = Budget.parse(" money : 20 / month @ Europe/Berlin , soft , alerts=0.8:0.5:1 , currency=eur , scope=global , id=org-monthly ");
    assertThat(b.window()).isEqualTo(BudgetWindow.monthly(ZoneId.of("Europe/Berlin")));
    assertThat(b.enforcement()).isEqualTo(Budget.Enforcement.SOFT);
    assertThat(b.alertThresholds()).containsExactly(0.5, 0.8, 1.0);
    assertThat(b.currency()).contains(Currency.getInstance("EUR"));
    assertThat(b.scope()).isEqualTo(BudgetScope.global());
    assertThat(b.id()).isEqualTo("org-monthly");

    assertThat(Budget.parse("tokens:100000/rolling:10m").window()).isEqualTo(BudgetWindow.rolling(Duration.ofMinutes(10)));
    assertThat(Budget.parse("tokens:100000/10m").window()).isEqualTo(BudgetWindow.rolling(Duration.ofMinutes(10)));
    assertThat(Budget.parse("tokens:5/30s").window()).isEqualTo(BudgetWindow.rolling(Duration.ofSeconds(30)));
    assertThat(Budget.parse("tokens:5/2h").window()).isEqualTo(BudgetWindow.rolling(Duration.ofHours(2)));
    assertThat(Budget.parse("flops:2.5e15/call").window()).isEqualTo(BudgetWindow.perCall());
    assertThat(Budget.parse("flops:2.5e15/call").limit()).isEqualByComparingTo("2500000000000000");
    assertThat(Budget.parse("energy:3600/hour@America/New_York").unit()).isEqualTo(BudgetUnit.ENERGY_JOULES);
    assertThat(Budget.parse("money:1/week,shrink").policy()).isEqualTo(Budget.Policy.SHRINK);
    assertThat(Budget.parse("tokens:10/day,scope=tenant:acme+model:gpt2").scope())
        .isEqualTo(BudgetScope.tenantAndModel("acme", "gpt2"));
    assertThat(Budget.parse("tokens:10/day,scope=tenant+model").scope()).isEqualTo(BudgetScope.tenantAndModel(null, null));
    assertThat(Budget.parse("tokens:10/day,scope=tenant:acme").scope()).isEqualTo(BudgetScope.tenant("acme"));
    assertThat(Budget.parse("tokens:10/day,scope=tag:team=search").scope()).isEqualTo(BudgetScope.tag("team", "search"));
    assertThat(Budget.parse("tokens:10/day,scope=tag:team").scope()).isEqualTo(BudgetScope.tag("team", null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"money:0.05/day", "tokens:100000/rolling:10m", "money:20/month@Europe/Berlin,soft,alerts=0.5:0.8:1",
      "flops:1000000000000000/call", "energy:3600/hour@America/New_York,shrink",
      "money:5/week,currency=EUR,scope=global,id=org", "tokens:10/day,scope=tenant:acme+model:gpt2",
      "tokens:10/90s,scope=tag:team=search"})
  void toSpec_roundTrips(String spec) {
    Budget b = Budget.parse(spec);
    assertThat(Budget.parse(b.toSpec())).isEqualTo(b);
  }

  @Test
  void parse_zeroOrNegativeLimit_namesTheLimit() {
    assertThatThrownBy(() -> Budget.parse("money:0/day"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit: '0' must be > 0");
    assertThatThrownBy(() -> Budget.parse("money:-1/day"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit: '-1' must be > 0");
    assertThatThrownBy(() -> Budget.parse("money:abc/day"))
        .hasMessageContaining("limit: 'abc' is not a decimal number");
    assertThatThrownBy(() -> Budget.parse("tokens:1.5/day")).hasMessageContaining("whole number");
  }

  @Test
  void parse_contradictoryOptions_areRejectedNamingBoth() {
    assertThatThrownBy(() -> Budget.parse("money:1/day,hard,soft"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'hard' and 'soft' contradict").hasMessageContaining("one of hard (default), soft");
    assertThatThrownBy(() -> Budget.parse("tokens:10/call,shrink,reject"))
        .hasMessageContaining("'shrink' and 'reject' contradict");
    assertThat(Budget.parse("money:1/day,soft,soft").enforcement()).isEqualTo(Budget.Enforcement.SOFT);
  }

  @Test
  void parse_unknownUnit_namesTheUnitAndTheAllowedOnes() {
    assertThatThrownBy(() -> Budget.parse("dollars:5/day"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unit: unknown 'dollars'")
        .hasMessageContaining("money, tokens, flops, energy");
  }

  @Test
  void parse_malformedStrings_nameTheBadPartAndTheAllowedForms() {
    assertThatThrownBy(() -> Budget.parse("")).hasMessageContaining("<unit>:<limit>/<window>");
    assertThatThrownBy(() -> Budget.parse("money5/day")).hasMessageContaining("missing ':'");
    assertThatThrownBy(() -> Budget.parse("money:5")).hasMessageContaining("missing '/<window>'");
    assertThatThrownBy(() -> Budget.parse("money:5/fortnight"))
        .hasMessageContaining("window: unknown 'fortnight'").hasMessageContaining("rolling:<N>s|m|h|d");
    assertThatThrownBy(() -> Budget.parse("money:5/10x")).hasMessageContaining("window: unknown '10x'");
    assertThatThrownBy(() -> Budget.parse("money:5/0s")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> Budget.parse("money:5/day@Mars/Olympus")).hasMessageContaining("zone: unknown 'Mars/Olympus'");
    assertThatThrownBy(() -> Budget.parse("money:5/10m@Europe/Berlin")).hasMessageContaining("calendar windows only");
    assertThatThrownBy(() -> Budget.parse("money:5/day,loud")).hasMessageContaining("unknown option 'loud'")
        .hasMessageContaining("soft");
    assertThatThrownBy(() -> Budget.parse("money:5/day,soft,shrink")).hasMessageContaining("conflict");
    assertThatThrownBy(() -> Budget.parse("money:5/day,alerts=0.5:x")).hasMessageContaining("alerts: 'x'");
    assertThatThrownBy(() -> Budget.parse("money:5/day,alerts=0")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> Budget.parse("money:5/day,currency=XYZ1")).hasMessageContaining("currency: unknown code");
    assertThatThrownBy(() -> Budget.parse("tokens:5/day,currency=EUR")).hasMessageContaining("money budgets only");
    assertThatThrownBy(() -> Budget.parse("tokens:5/day,scope=planet")).hasMessageContaining("scope: unknown 'planet'");
    assertThatThrownBy(() -> Budget.parse("tokens:5/day,scope=tenant:")).hasMessageContaining("scope:");
    assertThatThrownBy(() -> Budget.parse("tokens:5/day,soft=yes")).hasMessageContaining("takes no value");
    assertThatThrownBy(() -> Budget.parse("tokens:5/day,id=")).hasMessageContaining("id: empty");
  }

  @Test
  void builder_rejectsZeroNegativeAndFractionalTokenLimits_namingTheField() {
    assertThatThrownBy(() -> Budget.builder("b").money(Money.usd("0")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("limit: 0 must be > 0");
    assertThatThrownBy(() -> Budget.builder("b").money(Money.usd("-0.01")).build())
        .hasMessageStartingWith("limit: -0.01 must be > 0");
    assertThatThrownBy(() -> Budget.builder("b").limit(BudgetUnit.TOKENS, new BigDecimal("10.5")).build())
        .hasMessageStartingWith("limit:").hasMessageContaining("whole number");
    assertThatThrownBy(() -> Budget.builder("b").build()).hasMessageStartingWith("limit: not set");
  }

  @Test
  void builder_rejectsBadIdsThresholdsAndConflicts() {
    assertThatThrownBy(() -> Budget.builder("").limit(BudgetUnit.TOKENS, 5).build()).hasMessageStartingWith("id:");
    assertThatThrownBy(() -> Budget.builder("a\u0007b").limit(BudgetUnit.TOKENS, 5).build())
        .hasMessageContaining("U+0007");
    assertThatThrownBy(() -> Budget.builder("b").limit(BudgetUnit.TOKENS, 5).alertAt(0.5, 11).build())
        .hasMessageStartingWith("alertThresholds:");
    assertThatThrownBy(() -> Budget.builder("b").limit(BudgetUnit.TOKENS, 5).currency(Money.USD).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Budget.builder("b").limit(BudgetUnit.TOKENS, 5).soft().policy(Budget.Policy.SHRINK).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("SHRINK");
  }

  @Test
  void builder_moneyWithoutCurrency_isUsd_andThresholdsAreSortedDistinct() {
    Budget b = Budget.builder("b").limit(BudgetUnit.MONEY, new BigDecimal("5")).alertAt(1.0, 0.5, 0.5).build();
    assertThat(b.currency()).contains(Money.USD);
    assertThat(b.alertThresholds()).isEqualTo(List.of(0.5, 1.0));
    assertThat(b.limitMoney()).isEqualTo(Money.usd("5"));
    assertThatThrownBy(() -> Budget.parse("tokens:5/day").limitMoney()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void unitFromSpecName_namesTheField() {
    assertThat(BudgetUnit.fromSpecName("Energy")).isEqualTo(BudgetUnit.ENERGY_JOULES);
    assertThatThrownBy(() -> BudgetUnit.fromSpecName("watts")).hasMessageStartingWith("unit: unknown 'watts'");
  }
}

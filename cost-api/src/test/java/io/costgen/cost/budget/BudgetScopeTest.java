package io.costgen.cost.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.CallContext;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BudgetScopeTest {

  private static CallContext ctx(String tenant, Map<String, String> tags) {
    return new CallContext(Optional.ofNullable(tenant), "req", tags);
  }

  @Test
  void eachTenant_appliesToEveryCall_andAnonymousCallsShareOneCounter() {
    BudgetScope s = BudgetScope.eachTenant();
    assertThat(s.appliesTo(ctx(null, Map.of()), "m")).isTrue();
    assertThat(s.scopeKey(ctx("acme", Map.of()), "m")).isEqualTo("tenant=acme");
    assertThat(s.scopeKey(ctx(null, Map.of()), "m")).isEqualTo("tenant");
  }

  @Test
  void fixedTenant_appliesOnlyToThatTenant() {
    BudgetScope s = BudgetScope.tenant("acme");
    assertThat(s.appliesTo(ctx("acme", Map.of()), "m")).isTrue();
    assertThat(s.appliesTo(ctx("other", Map.of()), "m")).isFalse();
    assertThat(s.appliesTo(ctx(null, Map.of()), "m")).isFalse();
  }

  @Test
  void tenantAndModel_splitsByModel_andCanFixEither() {
    assertThat(BudgetScope.tenantAndModel(null, null).scopeKey(ctx("a", Map.of()), "gpt2")).isEqualTo("tenant=a;model=gpt2");
    BudgetScope fixed = BudgetScope.tenantAndModel(null, "gpt2");
    assertThat(fixed.appliesTo(ctx("a", Map.of()), "gpt2")).isTrue();
    assertThat(fixed.appliesTo(ctx("a", Map.of()), "llama")).isFalse();
  }

  @Test
  void tag_appliesOnlyToTaggedCalls() {
    BudgetScope s = BudgetScope.tag("team", "search");
    assertThat(s.appliesTo(ctx("a", Map.of("team", "search")), "m")).isTrue();
    assertThat(s.appliesTo(ctx("a", Map.of("team", "ads")), "m")).isFalse();
    assertThat(s.appliesTo(ctx("a", Map.of()), "m")).isFalse();
    assertThat(BudgetScope.tag("team", null).scopeKey(ctx("a", Map.of("team", "ads")), "m")).isEqualTo("tag=team:ads");
  }

  @Test
  void scopeKeys_escapeSeparators_soDistinctTenantsNeverShareACounter() {
    BudgetScope s = BudgetScope.tenantAndModel(null, null);
    String k1 = s.scopeKey(ctx("a;model=b", Map.of()), "c");
    String k2 = s.scopeKey(ctx("a", Map.of()), "b;model=c");
    assertThat(k1).isNotEqualTo(k2);
    assertThat(BudgetScope.tenantOf(k1)).contains("a;model=b");
    assertThat(BudgetScope.tenantOf(BudgetScope.eachTenant().scopeKey(ctx("50%", Map.of()), "m"))).contains("50%");
    assertThat(BudgetScope.tenantOf("tenant")).isEmpty();
  }

  @Test
  void emptyTenantIds_andControlCharacters_areRejectedWithClearErrors() {
    assertThatThrownBy(() -> BudgetScope.tenant("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tenantId: must not be empty");
    assertThatThrownBy(() -> BudgetScope.tenant("ac\nme")).hasMessageContaining("U+000A at index 2");
    assertThatThrownBy(() -> BudgetScope.tag("", "v")).hasMessageStartingWith("tagKey:");
    assertThatThrownBy(() -> BudgetScope.tenantAndModel("a", "")).hasMessageStartingWith("model:");
  }
}

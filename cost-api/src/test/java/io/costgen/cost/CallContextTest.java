package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallContextTest {

  @Test
  void emptyTenantIds_areRejected_namingTheField() {
    assertThatThrownBy(() -> CallContext.forTenant("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tenantId: must not be empty");
    assertThatThrownBy(() -> new CallContext(Optional.of(""), "r", Map.of())).hasMessageStartingWith("tenantId:");
  }

  @Test
  void tenantIdsWithControlCharacters_areRejected_namingTheCharacterAndIndex() {
    assertThatThrownBy(() -> CallContext.forTenant("acme\r\n")).hasMessageContaining("U+000D at index 4");
    assertThatThrownBy(() -> CallContext.forTenant("\u007f")).hasMessageContaining("U+007F");
  }

  @Test
  void overlongTenantIds_areRejected() {
    assertThatThrownBy(() -> CallContext.forTenant("x".repeat(CallContext.MAX_TENANT_ID_LENGTH + 1)))
        .hasMessageContaining("exceeds " + CallContext.MAX_TENANT_ID_LENGTH);
    assertThat(CallContext.forTenant("x".repeat(CallContext.MAX_TENANT_ID_LENGTH)).tenantId()).isPresent();
  }

  @Test
  void unicodeTenantIds_areFine_andCopiesKeepTheTenant() {
    CallContext c = CallContext.forTenant("Zürich-東京").withTags(Map.of("team", "a")).withRequestId("r2");
    assertThat(c.tenantId()).contains("Zürich-東京");
    assertThat(c.tags()).containsEntry("team", "a");
    assertThat(c.requestId()).isEqualTo("r2");
  }

  /** Issue 11 defect 8: lone surrogates have no UTF-8 form; ids differing only in one collided in Redis. */
  @Test
  void malformedUtf16_isRejectedInTenantIdsTagsScopesAndModels() {
    for (String id : new String[] {"\uD800x", "\uDFFFx", "x\uD83D", "\uDE00\uD83D"}) {
      assertThatThrownBy(() -> CallContext.forTenant(id)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("tenantId: unpaired surrogate U+");
      assertThatThrownBy(() -> io.costgen.cost.budget.BudgetScope.tenant(id))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tenantId: ");
      assertThatThrownBy(() -> CallContext.anonymous().withTags(java.util.Map.of("team", id)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tags[team]: ");
      assertThatThrownBy(() -> io.costgen.cost.budget.Budgets.inMemory().applicableTo(CallContext.anonymous(), id))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("model: ");
    }
    assertThat(CallContext.forTenant("\uD83D\uDE00x").tenantId()).contains("\uD83D\uDE00x");
    assertThat(CallContext.forTenant("?x").tenantId()).contains("?x");
  }
}

package io.costgen.cost;

import io.costgen.cost.internal.Text;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Who a call is for: the tenant whose budgets it spends, a request id and free-form tags.
 *
 * <p>A tenant id is 1–128 characters of well-formed UTF-16 (no unpaired surrogate), none of them
 * a control character; it is never interpreted (stores must escape it). Tag keys and values must
 * be well-formed UTF-16 too. Immutable and thread-safe.
 */
public record CallContext(Optional<String> tenantId, String requestId, Map<String, String> tags) {

  /** Longest allowed tenant id, in characters. */
  public static final int MAX_TENANT_ID_LENGTH = 128;

  public CallContext {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(requestId, "requestId");
    tenantId.ifPresent(CallContext::validateTenantId);
    if (requestId.isEmpty()) {
      throw new IllegalArgumentException("requestId: must not be empty");
    }
    tags = Map.copyOf(tags);
    for (Map.Entry<String, String> t : tags.entrySet()) {
      Text.requireWellFormed("tags key", t.getKey());
      Text.requireWellFormed("tags[" + t.getKey() + "]", t.getValue());
    }
  }

  /** No tenant, a random request id, no tags. */
  public static CallContext anonymous() {
    return new CallContext(Optional.empty(), UUID.randomUUID().toString(), Map.of());
  }

  /** The given tenant, a random request id, no tags. */
  public static CallContext forTenant(String tenantId) {
    return new CallContext(Optional.of(tenantId), UUID.randomUUID().toString(), Map.of());
  }

  /** Copy with the given tags. */
  public CallContext withTags(Map<String, String> newTags) {
    return new CallContext(tenantId, requestId, newTags);
  }

  /** Copy with the given request id. */
  public CallContext withRequestId(String id) {
    return new CallContext(tenantId, id, tags);
  }

  /**
   * Checks a tenant id: 1–{@value #MAX_TENANT_ID_LENGTH} characters, no ISO control characters,
   * no unpaired surrogate.
   *
   * @throws IllegalArgumentException naming the field and the rule broken
   */
  public static String validateTenantId(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("tenantId: must not be empty (1.." + MAX_TENANT_ID_LENGTH + " characters)");
    }
    if (id.length() > MAX_TENANT_ID_LENGTH) {
      throw new IllegalArgumentException("tenantId: length " + id.length() + " exceeds " + MAX_TENANT_ID_LENGTH);
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(String.format(
            "tenantId: control character U+%04X at index %d is not allowed", (int) c, i));
      }
    }
    return Text.requireWellFormed("tenantId", id);
  }
}

package io.costgen.cost.budget;

import io.costgen.cost.CallContext;
import java.util.Objects;
import java.util.Optional;

/**
 * Which calls a {@link Budget} covers and how it splits them into separate counters.
 *
 * <ul>
 *   <li>{@link #global()}: every call, one counter.
 *   <li>{@link #eachTenant()}: every call, one counter per tenant; calls with no tenant share the
 *       counter of the anonymous tenant (they are never exempt). {@link #tenant(String)}: only
 *       that tenant's calls.
 *   <li>{@link #tenantAndModel(String, String)}: one counter per (tenant, model); either part
 *       may be fixed or {@code null} for "each".
 *   <li>{@link #tag(String, String)}: calls whose {@link CallContext#tags()} have the key (and,
 *       when given, the value); one counter per tag value.
 * </ul>
 *
 * <p>The {@linkplain #scopeKey scope key} names the counter; it escapes {@code % = ; : | ,} and
 * control characters, so distinct tenants, models or tags never share a key. Immutable and
 * thread-safe.
 */
public record BudgetScope(
    Kind kind, Optional<String> tenantId, Optional<String> model, Optional<String> tagKey,
    Optional<String> tagValue) {

  /** The kind of scope. */
  public enum Kind { GLOBAL, TENANT, TENANT_MODEL, TAG }

  private static final BudgetScope GLOBAL = new BudgetScope(
      Kind.GLOBAL, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  private static final BudgetScope EACH_TENANT = new BudgetScope(
      Kind.TENANT, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public BudgetScope {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tagKey, "tagKey");
    Objects.requireNonNull(tagValue, "tagValue");
    tenantId.ifPresent(CallContext::validateTenantId);
    model.ifPresent(m -> requireName("model", m));
    tagKey.ifPresent(k -> requireName("tagKey", k));
    tagValue.ifPresent(v -> requireName("tagValue", v));
    switch (kind) {
      case GLOBAL -> {
        if (tenantId.isPresent() || model.isPresent() || tagKey.isPresent() || tagValue.isPresent()) {
          throw new IllegalStateException("scope GLOBAL takes no tenant, model or tag");
        }
      }
      case TENANT -> {
        if (model.isPresent() || tagKey.isPresent() || tagValue.isPresent()) {
          throw new IllegalStateException("scope TENANT takes no model or tag (use TENANT_MODEL)");
        }
      }
      case TENANT_MODEL -> {
        if (tagKey.isPresent() || tagValue.isPresent()) {
          throw new IllegalStateException("scope TENANT_MODEL takes no tag");
        }
      }
      case TAG -> {
        if (tagKey.isEmpty()) {
          throw new IllegalArgumentException("tagKey: required for scope TAG");
        }
        if (tenantId.isPresent() || model.isPresent()) {
          throw new IllegalStateException("scope TAG takes no tenant or model");
        }
      }
    }
  }

  /** Every call, one shared counter. */
  public static BudgetScope global() {
    return GLOBAL;
  }

  /** Every call, one counter per tenant (anonymous calls share one counter). */
  public static BudgetScope eachTenant() {
    return EACH_TENANT;
  }

  /** Only calls of tenant {@code tenantId}. */
  public static BudgetScope tenant(String tenantId) {
    return new BudgetScope(Kind.TENANT, Optional.of(CallContext.validateTenantId(tenantId)),
        Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * One counter per (tenant, model). {@code tenantIdOrNull} fixes the tenant ({@code null}: each
   * tenant); {@code modelOrNull} fixes the model ({@code null}: each model).
   */
  public static BudgetScope tenantAndModel(String tenantIdOrNull, String modelOrNull) {
    if (tenantIdOrNull != null) {
      CallContext.validateTenantId(tenantIdOrNull);
    }
    return new BudgetScope(Kind.TENANT_MODEL, Optional.ofNullable(tenantIdOrNull),
        Optional.ofNullable(modelOrNull), Optional.empty(), Optional.empty());
  }

  /** Calls tagged {@code key}; {@code valueOrNull} fixes the value ({@code null}: one counter per value). */
  public static BudgetScope tag(String key, String valueOrNull) {
    if (key == null) {
      throw new IllegalArgumentException("tagKey: must not be null");
    }
    return new BudgetScope(Kind.TAG, Optional.empty(), Optional.empty(), Optional.of(key),
        Optional.ofNullable(valueOrNull));
  }

  /** Whether a call for {@code ctx} on {@code model} is counted by this scope. */
  public boolean appliesTo(CallContext ctx, String model) {
    return switch (kind) {
      case GLOBAL -> true;
      case TENANT -> tenantMatches(ctx);
      case TENANT_MODEL -> tenantMatches(ctx) && (this.model.isEmpty() || this.model.get().equals(model));
      case TAG -> {
        String v = ctx.tags().get(tagKey.get());
        yield v != null && (tagValue.isEmpty() || tagValue.get().equals(v));
      }
    };
  }

  /**
   * The counter a call belongs to, e.g. {@code tenant=acme;model=gpt2}; only meaningful when
   * {@link #appliesTo} is true. Anonymous calls map to {@code tenant} (no {@code =}).
   */
  public String scopeKey(CallContext ctx, String model) {
    return switch (kind) {
      case GLOBAL -> "global";
      case TENANT -> tenantPart(ctx);
      case TENANT_MODEL -> tenantPart(ctx) + ";model=" + escape(model);
      case TAG -> "tag=" + escape(tagKey.get()) + ":" + escape(ctx.tags().get(tagKey.get()));
    };
  }

  /**
   * The spec form used by {@link Budget#parse}: {@code global}, {@code tenant},
   * {@code tenant:acme}, {@code tenant+model}, {@code tenant:acme+model:gpt2},
   * {@code tag:team}, {@code tag:team=search}.
   */
  public String spec() {
    return switch (kind) {
      case GLOBAL -> "global";
      case TENANT -> "tenant" + tenantId.map(t -> ":" + t).orElse("");
      case TENANT_MODEL -> "tenant" + tenantId.map(t -> ":" + t).orElse("") + "+model"
          + model.map(m -> ":" + m).orElse("");
      case TAG -> "tag:" + tagKey.get() + tagValue.map(v -> "=" + v).orElse("");
    };
  }

  @Override
  public String toString() {
    return spec();
  }

  private boolean tenantMatches(CallContext ctx) {
    return tenantId.isEmpty() || tenantId.equals(ctx.tenantId());
  }

  private static String tenantPart(CallContext ctx) {
    return ctx.tenantId().map(t -> "tenant=" + escape(t)).orElse("tenant");
  }

  /** The tenant a scope key names ({@code tenant=<id>...}); empty for other keys and the anonymous tenant. */
  static Optional<String> tenantOf(String scopeKey) {
    if (!scopeKey.startsWith("tenant=")) {
      return Optional.empty();
    }
    int end = scopeKey.indexOf(';');
    String esc = scopeKey.substring("tenant=".length(), end < 0 ? scopeKey.length() : end);
    StringBuilder b = new StringBuilder(esc.length());
    for (int i = 0; i < esc.length(); i++) {
      char c = esc.charAt(i);
      if (c == '%' && i + 5 <= esc.length()) {
        b.append((char) Integer.parseInt(esc.substring(i + 1, i + 5), 16));
        i += 4;
      } else {
        b.append(c);
      }
    }
    return Optional.of(b.toString());
  }

  /** Percent-escapes {@code % = ; : | ,} and control characters. */
  static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean special = c == '%' || c == '=' || c == ';' || c == ':' || c == '|' || c == ','
          || Character.isISOControl(c);
      if (special) {
        if (b == null) {
          b = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        b.append('%').append(String.format("%04X", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  private static void requireName(String field, String v) {
    if (v.isEmpty()) {
      throw new IllegalArgumentException(field + ": must not be empty");
    }
    io.costgen.cost.internal.Text.requireWellFormed(field, v);
    for (int i = 0; i < v.length(); i++) {
      if (Character.isISOControl(v.charAt(i))) {
        throw new IllegalArgumentException(String.format(
            "%s: control character U+%04X at index %d is not allowed", field, (int) v.charAt(i), i));
      }
    }
  }
}

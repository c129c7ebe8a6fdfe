package io.costgen.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import io.costgen.cost.CallContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * LangChain4j request parameters that also say who a call is for: the tenant whose budgets it
 * spends, tags for the ledger, and optionally a request id. They travel in the
 * {@code ChatRequest} itself, so nothing depends on the calling thread:
 *
 * <pre>{@code
 * ChatResponse r = model.chat(ChatRequest.builder()
 *     .messages(UserMessage.from("Hello"))
 *     .parameters(CostgenChatRequestParameters.builder().tenantId("acme").tag("feature", "faq")
 *         .maxOutputTokens(64).build())
 *     .build());
 * }</pre>
 *
 * <p>Merging follows LangChain4j's rules: a request's values override the model's defaults
 * (the builder's {@code defaultTenantId}); tags are merged key by key, the request's winning.
 * A plain {@link DefaultChatRequestParameters} in the request keeps the model's default tenant
 * and tags. Immutable and thread-safe.
 */
public final class CostgenChatRequestParameters extends DefaultChatRequestParameters {

  private final String tenantId; // nullable: not set here
  private final String requestId; // nullable: a random one per call
  private final Map<String, String> tags;

  private CostgenChatRequestParameters(Builder b) {
    super(b);
    this.tenantId = b.tenantId;
    this.requestId = b.requestId;
    this.tags = Map.copyOf(b.tags);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The tenant, if these parameters set one. */
  public Optional<String> tenantId() {
    return Optional.ofNullable(tenantId);
  }

  /** The request id, if set (otherwise each call gets a random one). */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** Tags recorded with the call (immutable). */
  public Map<String, String> tags() {
    return tags;
  }

  /**
   * The call context these parameters describe: their tenant (or none), request id (or a random
   * UUID) and tags. Plain LangChain4j parameters give an anonymous context.
   */
  public static CallContext contextOf(ChatRequestParameters parameters) {
    if (parameters instanceof CostgenChatRequestParameters c) {
      return new CallContext(c.tenantId(), c.requestId().orElseGet(() -> UUID.randomUUID().toString()), c.tags);
    }
    return CallContext.anonymous();
  }

  @Override
  public ChatRequestParameters overrideWith(ChatRequestParameters that) {
    return builder().overrideWith(this).overrideWith(that).build();
  }

  @Override
  public ChatRequestParameters defaultedBy(ChatRequestParameters that) {
    return builder().overrideWith(that).overrideWith(this).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostgenChatRequestParameters c && super.equals(o) && Objects.equals(tenantId, c.tenantId)
        && Objects.equals(requestId, c.requestId) && tags.equals(c.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), tenantId, requestId, tags);
  }

  @Override
  public String toString() {
    return "CostgenChatRequestParameters{tenantId=" + tenantId + ", requestId=" + requestId + ", tags=" + tags
        + ", " + super.toString() + "}";
  }

  /** Builder; all LangChain4j parameters plus tenant, request id and tags. Not thread-safe. */
  public static final class Builder extends DefaultChatRequestParameters.Builder<Builder> {
    private String tenantId;
    private String requestId;
    private final Map<String, String> tags = new LinkedHashMap<>();

    private Builder() {}

    /** Copies {@code parameters} over this builder's values (costgen's fields too when it is ours). */
    @Override
    public Builder overrideWith(ChatRequestParameters parameters) {
      super.overrideWith(parameters);
      if (parameters instanceof CostgenChatRequestParameters c) {
        if (c.tenantId != null) {
          tenantId = c.tenantId;
        }
        if (c.requestId != null) {
          requestId = c.requestId;
        }
        tags.putAll(c.tags);
      }
      return this;
    }

    /** The tenant whose budgets the call spends (1–128 characters, no control characters). */
    public Builder tenantId(String v) {
      this.tenantId = v == null ? null : CallContext.validateTenantId(v);
      return this;
    }

    /** A request id for the ledger (default: a random UUID per call). */
    public Builder requestId(String v) {
      if (v != null && v.isEmpty()) {
        throw new IllegalArgumentException("requestId: must not be empty");
      }
      this.requestId = v;
      return this;
    }

    /** Adds a tag. */
    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "tag key"), Objects.requireNonNull(value, "tag value"));
      return this;
    }

    /** Adds tags. */
    public Builder tags(Map<String, String> v) {
      v.forEach(this::tag);
      return this;
    }

    @Override
    public CostgenChatRequestParameters build() {
      return new CostgenChatRequestParameters(this);
    }
  }
}

package io.costgen.springai;

import io.costgen.cost.CallContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptions;

/**
 * Spring AI chat options that also say who a call is for: the tenant whose budgets it spends,
 * tags for the ledger and optionally a request id. They travel with the {@code Prompt}, never in
 * a ThreadLocal:
 *
 * <pre>{@code
 * ChatResponse r = chatModel.call(new Prompt("Hello",
 *     CostgenChatOptions.builder().tenantId("acme").tag("feature", "faq").maxTokens(64).build()));
 * }</pre>
 *
 * Plain Spring AI options get the model's default tenant. Mutable like every Spring AI options
 * class; {@link #copy()} copies costgen's fields too. Not thread-safe while being modified.
 */
public class CostgenChatOptions extends DefaultChatOptions {

  private String tenantId;
  private String requestId;
  private Map<String, String> tags = new LinkedHashMap<>();

  public static Builder builder() {
    return new Builder();
  }

  /** The tenant, or null. */
  public String getTenantId() {
    return tenantId;
  }

  public void setTenantId(String tenantId) {
    this.tenantId = tenantId == null ? null : CallContext.validateTenantId(tenantId);
  }

  /** The request id, or null for a random one per call. */
  public String getRequestId() {
    return requestId;
  }

  public void setRequestId(String requestId) {
    this.requestId = requestId;
  }

  /** Tags recorded with the call. */
  public Map<String, String> getTags() {
    return tags;
  }

  public void setTags(Map<String, String> tags) {
    this.tags = new LinkedHashMap<>(tags);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends ChatOptions> T copy() {
    CostgenChatOptions c = new CostgenChatOptions();
    copyPortable(this, c);
    c.tenantId = tenantId;
    c.requestId = requestId;
    c.tags = new LinkedHashMap<>(tags);
    return (T) c;
  }

  /**
   * The call context for {@code options}: its tenant, tags and request id when they are costgen
   * options, the defaults otherwise (tags merged over the default tags).
   */
  public static CallContext contextOf(ChatOptions options, String defaultTenantId, Map<String, String> defaultTags) {
    Map<String, String> tags = new LinkedHashMap<>(defaultTags);
    String tenant = defaultTenantId;
    String requestId = null;
    if (options instanceof CostgenChatOptions c) {
      tenant = c.tenantId != null ? c.tenantId : tenant;
      requestId = c.requestId;
      tags.putAll(c.tags);
    }
    return new CallContext(Optional.ofNullable(tenant), requestId != null ? requestId : UUID.randomUUID().toString(), tags);
  }

  /** Copies the portable {@link ChatOptions} values of {@code from} (null: nothing) into {@code to}. */
  static void copyPortable(ChatOptions from, DefaultChatOptions to) {
    if (from == null) {
      return;
    }
    to.setModel(from.getModel());
    to.setFrequencyPenalty(from.getFrequencyPenalty());
    to.setMaxTokens(from.getMaxTokens());
    to.setPresencePenalty(from.getPresencePenalty());
    to.setStopSequences(from.getStopSequences() == null ? null : List.copyOf(from.getStopSequences()));
    to.setTemperature(from.getTemperature());
    to.setTopK(from.getTopK());
    to.setTopP(from.getTopP());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostgenChatOptions c && super.equals(o) && Objects.equals(tenantId, c.tenantId)
        && Objects.equals(requestId, c.requestId) && tags.equals(c.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), tenantId, requestId, tags);
  }

  /** Builder. Not thread-safe. */
  public static final class Builder {
    private final CostgenChatOptions o = new CostgenChatOptions();

    private Builder() {}

    public Builder tenantId(String v) { o.setTenantId(v); return this; }
    public Builder requestId(String v) { o.setRequestId(v); return this; }
    public Builder tag(String key, String value) { o.tags.put(Objects.requireNonNull(key), Objects.requireNonNull(value)); return this; }
    public Builder tags(Map<String, String> v) { v.forEach(this::tag); return this; }
    public Builder model(String v) { o.setModel(v); return this; }
    public Builder maxTokens(Integer v) { o.setMaxTokens(v); return this; }
    public Builder temperature(Double v) { o.setTemperature(v); return this; }
    public Builder topP(Double v) { o.setTopP(v); return this; }
    public Builder topK(Integer v) { o.setTopK(v); return this; }
    public Builder stopSequences(List<String> v) { o.setStopSequences(v); return this; }
    public Builder frequencyPenalty(Double v) { o.setFrequencyPenalty(v); return this; }
    public Builder presencePenalty(Double v) { o.setPresencePenalty(v); return this; }

    public CostgenChatOptions build() {
      return o.copy();
    }
  }
}

package io.costgen.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import io.costgen.cost.CostReport;
import java.util.Objects;
import java.util.Optional;

/**
 * LangChain4j response metadata that carries what the call cost: {@link #costReport()} (usage,
 * money, pricing line, and for local models FLOPs, device-seconds, energy and CO2e). A response
 * of a wrapped remote model keeps the provider's own metadata in {@link #providerMetadata()}.
 *
 * <pre>{@code
 * CostReport cost = ((CostgenChatResponseMetadata) response.metadata()).costReport();
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class CostgenChatResponseMetadata extends ChatResponseMetadata {

  private final CostReport costReport;
  private final ChatResponseMetadata providerMetadata; // nullable

  private CostgenChatResponseMetadata(Builder b) {
    super(b);
    this.costReport = Objects.requireNonNull(b.costReport, "costReport");
    this.providerMetadata = b.providerMetadata;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What the call cost. */
  public CostReport costReport() {
    return costReport;
  }

  /** The wrapped provider's metadata (e.g. an {@code OpenAiChatResponseMetadata}), for a remote call. */
  public Optional<ChatResponseMetadata> providerMetadata() {
    return Optional.ofNullable(providerMetadata);
  }

  /** The cost report of {@code metadata} when it is costgen's. */
  public static Optional<CostReport> costOf(ChatResponseMetadata metadata) {
    return metadata instanceof CostgenChatResponseMetadata c ? Optional.of(c.costReport) : Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostgenChatResponseMetadata c && super.equals(o) && costReport.equals(c.costReport)
        && Objects.equals(providerMetadata, c.providerMetadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), costReport, providerMetadata);
  }

  @Override
  public String toString() {
    return "CostgenChatResponseMetadata{" + super.toString() + ", money=" + costReport.money() + ", pricing="
        + costReport.pricing() + "}";
  }

  /** Builder. Not thread-safe. */
  public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
    private CostReport costReport;
    private ChatResponseMetadata providerMetadata;

    private Builder() {}

    public Builder costReport(CostReport v) { this.costReport = v; return this; }
    public Builder providerMetadata(ChatResponseMetadata v) { this.providerMetadata = v; return this; }

    @Override
    public CostgenChatResponseMetadata build() {
      return new CostgenChatResponseMetadata(this);
    }
  }
}

package io.costgen.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The same call priced side by side on other targets, so a user sees what running it locally
 * saves or costs: a catalogue accelerator ({@link HardwareProfile#named}, e.g. {@code H100-SXM},
 * {@code L4}) priced by its roofline time at its dated catalogue price per device-hour plus
 * energy at the given electricity price, or a remote model ({@link RemoteModelPrices}, e.g.
 * {@code gpt-4o-mini}) priced per token from its dated price table. Stateless and thread-safe.
 */
public final class CostComparison {

  /**
   * One target's price for the call.
   *
   * @param target the target as asked for
   * @param basis how the amount was computed (roofline settings and price source, or the
   *     per-token prices and their date)
   * @param money the price of the call on that target
   */
  public record Entry(String target, String basis, Money money) {
    /** Validates the entry. */
    public Entry {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(basis, "basis");
      Objects.requireNonNull(money, "money");
    }
  }

  private CostComparison() {}

  /**
   * Prices {@code usage} (which must carry its {@link Usage#model() model shape} for hardware
   * targets) on every target in {@code targets}: hardware names first (catalogue), then remote
   * model names ({@code remote}).
   *
   * @param electricityPerKwh electricity price added to hardware targets' device price (null:
   *     none; it must then share the device price's currency)
   * @throws IllegalArgumentException naming a target that is neither a catalogue accelerator
   *     with a price nor a model in {@code remote}
   */
  public static List<Entry> compare(Usage usage, List<String> targets, RemoteModelPrices remote,
      Money electricityPerKwh) {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(remote, "remote");
    List<Entry> out = new ArrayList<>(targets.size());
    for (String raw : targets) {
      String target = raw == null ? "" : raw.trim();
      if (target.isEmpty()) {
        throw new IllegalArgumentException("compare: empty target (targets are separated by ',')");
      }
      Optional<HardwareProfile> hw = hardware(target);
      if (hw.isPresent() && hw.get().price().isPresent()) {
        out.add(onHardware(usage, target, hw.get(), electricityPerKwh));
        continue;
      }
      Optional<RemoteModelPrice> p = remote.find(target);
      if (p.isPresent()) {
        RemoteModelPrice price = p.get();
        out.add(new Entry(target, "per-token " + price.describe(),
            price.cost(usage.promptTokens(), 0, usage.completionTokens())));
        continue;
      }
      throw unknown(target, remote);
    }
    return List.copyOf(out);
  }

  /**
   * Checks every target of {@code targets} before a call runs (same rules as {@link #compare}).
   *
   * @throws IllegalArgumentException naming the first unknown target and the allowed ones
   */
  public static void validate(List<String> targets, RemoteModelPrices remote) {
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(remote, "remote");
    for (String raw : targets) {
      String target = raw == null ? "" : raw.trim();
      if (target.isEmpty()) {
        throw new IllegalArgumentException("compare: empty target (targets are separated by ',')");
      }
      Optional<HardwareProfile> hw = hardware(target);
      if ((hw.isPresent() && hw.get().price().isPresent()) || remote.find(target).isPresent()) {
        continue;
      }
      throw unknown(target, remote);
    }
  }

  private static IllegalArgumentException unknown(String target, RemoteModelPrices remote) {
    StringBuilder allowed = new StringBuilder();
    for (HardwareProfile h : HardwareProfile.catalog()) {
      allowed.append(h.name()).append(", ");
    }
    return new IllegalArgumentException("compare: unknown target '" + target + "'; allowed: "
        + allowed + "or a model of the remote price catalogue (" + remote.size() + " models, e.g. "
        + (remote.prices().isEmpty() ? "none" : remote.prices().get(0).model()) + ")");
  }

  private static Entry onHardware(Usage usage, String target, HardwareProfile hw,
      Money electricityPerKwh) {
    if (usage.model().isEmpty()) {
      throw new IllegalArgumentException("usage.model: absent; comparing on " + hw.name()
          + " needs the model shape");
    }
    CostModel.Builder b = CostModel.builder().targetHardware(hw).perDeviceHour().energy();
    if (electricityPerKwh != null
        && electricityPerKwh.currency().equals(hw.price().get().perDeviceHour().currency())) {
      b.electricityPrice(electricityPerKwh);
    }
    CostReport r = b.build().price(usage);
    return new Entry(target, "roofline " + r.pricing() + "; price " + hw.price().get().source()
        + " (" + hw.price().get().asOf() + ")", r.money());
  }

  private static Optional<HardwareProfile> hardware(String name) {
    if (HardwareProfile.normalize(name).equals("cpu")) {
      return Optional.empty(); // the local machine is what is being compared against
    }
    try {
      return Optional.of(HardwareProfile.named(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}

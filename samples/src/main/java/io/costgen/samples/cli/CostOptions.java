package io.costgen.samples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostComparison;
import io.costgen.cost.RemoteModelPrices;
import io.costgen.cost.Usage;
import java.io.PrintWriter;
import java.util.Locale;
import io.costgen.cost.CostModel;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Pricing, budgets and ledger options shared by {@code generate} and {@code chat} (a picocli
 * mixin), with the {@link CostModel} and {@link CallContext} they describe.
 */
final class CostOptions {
  static final double MIN_PUE = 1.0;
  static final double MAX_PUE = 3.0;
  static final double MAX_GRID = 2000;

  @Option(names = "--hardware", paramLabel = "NAME",
      description = "Price as if on this hardware profile (roofline-predicted time; see `costgen hardware`)."
          + " Default: this machine (measured time).")
  String hardware;
  @Option(names = "--price-per-hour", paramLabel = "USD",
      description = "Amortized hardware price per device-hour, added to energy; 0 to 1000000."
          + " Default: the hardware profile's catalog price, else none.")
  BigDecimal pricePerHour;
  @Option(names = "--price-kwh", paramLabel = "USD",
      description = "Electricity price per kWh, 0 to 1000 (default 0.1545: US average residential, EIA, January 2024).")
  BigDecimal priceKwh;
  @Option(names = "--compare", paramLabel = "TARGETS", split = ",",
      description = "Also price the call on these targets: catalogue hardware (roofline, e.g. H100-SXM,L4) "
          + "or remote models (per-token prices, e.g. gpt-4o-mini). Default: none.")
  List<String> compare;
  @Option(names = "--price-per-1m-input", paramLabel = "USD",
      description = "Price per million prompt tokens, 0 to 1000000. Default: no per-token price.")
  BigDecimal pricePerMillionInput;
  @Option(names = "--price-per-1m-output", paramLabel = "USD",
      description = "Price per million generated tokens, 0 to 1000000. Default: no per-token price.")
  BigDecimal pricePerMillionOutput;
  @Option(names = "--pue", paramLabel = "X",
      description = "Power usage effectiveness, " + MIN_PUE + " to " + MAX_PUE + ". Default: " + CostModel.Builder.DEFAULT_PUE + ".")
  Double pue;
  @Option(names = "--grid-gco2-per-kwh", paramLabel = "G",
      description = "Grid carbon intensity in gCO2e/kWh, 0 to " + MAX_GRID + ". Default: "
          + CostModel.Builder.DEFAULT_GRID_GRAMS_CO2E_PER_KWH + " (world average).")
  Double gridIntensity;

  @Option(names = "--tenant", paramLabel = "ID",
      description = "Tenant the call is for (its budgets apply). Default: anonymous.") String tenant;
  @Option(names = "--budget", paramLabel = "SPEC",
      description = "Budget, e.g. money:0.05/day, tokens:1000/call,shrink, flops:1e15/rolling:1h; repeatable."
          + " Default: none.")
  List<String> budgets;
  @Option(names = "--ledger", paramLabel = "DIR",
      description = "Append a usage record per call to a JSON-lines ledger here (and count its spend in budgets)."
          + " Default: no ledger.")
  Path ledger;


  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CostOptions.class);

  /** The learned corrections of this run (local measured time only), saved by {@link #saveCorrections}. */
  private io.costgen.cost.OnlineCorrection corrections;
  private String correctionScope;

  /**
   * Where the CLI keeps its learned corrections: {@code corrections.json} beside the calibration
   * cache ({@code ~/.cache/costgen/}, or the folder of {@code -Dcostgen.calibrationCache}).
   */
  static Path correctionsFile() {
    return io.costgen.onnx.OnnxCalibration.defaultCacheFile().toAbsolutePath()
        .resolveSibling("corrections.json");
  }

  /**
   * The corrections learned by earlier runs on this calibration (one scope per calibration key);
   * an unreadable file is ignored with one log line (learning starts afresh and the next save
   * replaces it).
   */
  private static io.costgen.cost.OnlineCorrection loadCorrections(String scope) {
    Path file = correctionsFile();
    try {
      return io.costgen.cost.OnlineCorrection.load(file, scope);
    } catch (java.io.UncheckedIOException e) {
      LOG.warn("ignoring the learned cost corrections in {} ({}); learning afresh", file,
          e.getCause() != null ? e.getCause().getClass().getSimpleName() : e.getMessage());
      return new io.costgen.cost.OnlineCorrection();
    }
  }

  /**
   * Saves what this run learned (after a call), so the next {@code costgen} run starts from it.
   * A failure to write is logged once and never fails the call.
   */
  void saveCorrections() {
    if (corrections == null) {
      return;
    }
    try {
      corrections.save(correctionsFile(), correctionScope);
    } catch (RuntimeException e) {
      LOG.warn("could not save the learned cost corrections to {}: {}", correctionsFile(),
          e.getMessage());
    }
  }

  /** Range checks that need no model. */
  void check() {
    OptionChecks.price("--price-per-hour", pricePerHour);
    if (priceKwh != null && (priceKwh.signum() < 0 || priceKwh.compareTo(java.math.BigDecimal.valueOf(1000)) > 0)) {
      throw new IllegalArgumentException("--price-kwh: " + OptionChecks.clip(priceKwh.toString())
          + " is out of range; allowed 0 to 1000 USD");
    }
    OptionChecks.price("--price-per-1m-input", pricePerMillionInput);
    OptionChecks.price("--price-per-1m-output", pricePerMillionOutput);
    if (pue != null) {
      OptionChecks.range("--pue", pue, MIN_PUE, false, MAX_PUE);
    }
    if (gridIntensity != null) {
      OptionChecks.range("--grid-gco2-per-kwh", gridIntensity, 0, false, MAX_GRID);
    }
    if (tenant != null) {
      OptionChecks.text("--tenant", tenant, 256);
    }
    if (ledger != null && Files.exists(ledger) && !Files.isDirectory(ledger)) {
      throw new IllegalArgumentException("--ledger: " + ledger + " is a file; allowed: a directory (created if missing)");
    }
    if (budgets != null) {
      for (String b : budgets) {
        try {
          io.costgen.cost.budget.Budget.parse(b);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--budget: " + e.getMessage(), e);
        }
      }
    }
  }

  /** The {@code --compare} entries for {@code usage} (empty without the option). */
  List<CostComparison.Entry> compared(Usage usage) {
    return compare == null ? List.of()
        : CostComparison.compare(usage, compare, RemoteModelPrices.starter(), electricityPrice());
  }

  /** Adds the electricity price, its source and the {@code compare} array to a result's JSON. */
  void addToJson(ObjectNode root, List<CostComparison.Entry> compared) {
    ObjectNode cost = (ObjectNode) root.get("cost");
    cost.put("electricityPricePerKwh", electricityPrice().toPlainString());
    cost.put("electricityPriceSource", priceKwh != null ? "--price-kwh"
        : CostModel.Builder.DEFAULT_ELECTRICITY_PRICE_SOURCE);
    if (compare != null) {
      ArrayNode list = root.putArray("compare");
      for (CostComparison.Entry e : compared) {
        ObjectNode n = list.addObject();
        n.put("target", e.target());
        n.put("basis", e.basis());
        n.put("money", e.money().amount().toPlainString());
        n.put("currency", e.money().currency().getCurrencyCode());
      }
    }
  }

  /** The text lines after a result: the default electricity price note and the comparisons. */
  void printText(PrintWriter out, List<CostComparison.Entry> compared) {
    if (priceKwh == null && hardware == null) {
      out.printf(Locale.ROOT, "        electricity %s USD/kWh by default (%s); set --price-kwh%n",
          electricityPrice().toPlainString(), CostModel.Builder.DEFAULT_ELECTRICITY_PRICE_SOURCE);
    }
    for (CostComparison.Entry e : compared) {
      out.printf(Locale.ROOT, "compare: %s %s (%s)%n", e.target(), e.money(), e.basis());
    }
  }

  /** The tenant's call context, or anonymous. */
  CallContext context() {
    return tenant == null ? CallContext.anonymous() : CallContext.forTenant(tenant);
  }

  CostModel costModel() {
    CostModel.Builder b = CostModel.builder().energy();
    if (hardware != null) {
      HardwareProfile target = OptionChecks.hardware("--hardware", hardware);
      b.targetHardware(target);
      if (pricePerHour != null) {
        b.perDeviceHour(Money.usd(pricePerHour));
      } else if (target.price().isPresent()) {
        b.perDeviceHour();
      }
    } else {
      // The cached calibration (costgen calibrate, all logical CPUs) when there is one; the
      // pricing string names which profile prices the call.
      java.util.Optional<io.costgen.cost.DeviceCalibration> calibration = io.costgen.onnx.OnnxCalibration.load(
          io.costgen.onnx.OnnxCalibration.defaultCacheFile(), 0);
      if (calibration.isPresent()) {
        b.calibration(calibration.get());
      } else {
        b.localHardware(HardwareProfile.cpu());
      }
      // Corrections learned by earlier runs, kept per calibration (a new runtime, CPU or thread
      // count starts afresh); this run's observations are saved after the call.
      correctionScope = calibration.map(io.costgen.cost.DeviceCalibration::key)
          .orElse("uncalibrated | " + io.costgen.cost.CpuCalibration.cpuModel());
      corrections = loadCorrections(correctionScope);
      b.corrections(corrections);
      if (pricePerHour != null) {
        b.perDeviceHour(Money.usd(pricePerHour));
      }
      // A local call is never free: its measured energy at the electricity price.
      b.electricityPrice(electricityPrice());
    }
    if (hardware != null && priceKwh != null) {
      b.electricityPrice(electricityPrice());
    }
    if (pricePerMillionInput != null || pricePerMillionOutput != null) {
      b.perMillionTokens(Money.usd(orZero(pricePerMillionInput)), Money.usd(orZero(pricePerMillionOutput)));
    }
    if (pue != null) b.pue(pue);
    if (gridIntensity != null) b.gridCarbonIntensity(gridIntensity);
    return b.build();
  }

  /** {@code --price-kwh}, else the documented default. */
  Money electricityPrice() {
    if (priceKwh != null) {
      if (priceKwh.signum() < 0) {
        throw new IllegalArgumentException("--price-kwh: " + priceKwh + " must be >= 0");
      }
      return Money.usd(priceKwh);
    }
    return CostModel.Builder.DEFAULT_ELECTRICITY_PRICE_PER_KWH;
  }

  private static BigDecimal orZero(BigDecimal v) {
    return v == null ? BigDecimal.ZERO : v;
  }

}

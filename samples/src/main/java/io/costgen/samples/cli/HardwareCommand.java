package io.costgen.samples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code costgen hardware}: the hardware catalog as a table or JSON. */
@Command(name = "hardware", mixinStandardHelpOptions = true,
    description = "List the hardware catalog (dense peak FLOP/s, bandwidth, memory, TDP, price).")
final class HardwareCommand implements Runnable {

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--include-cpu",
      description = "Also list this machine's cpu profile: the cached calibration (costgen calibrate) or the uncalibrated default.")
  boolean includeCpu;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    List<HardwareProfile> profiles = new ArrayList<>(HardwareProfile.catalog());
    if (includeCpu) {
      profiles.add(io.costgen.onnx.OnnxCalibration.load(io.costgen.onnx.OnnxCalibration.defaultCacheFile(), 0)
          .map(io.costgen.cost.DeviceCalibration::toProfile).orElse(HardwareProfile.cpu()));
    }
    if (json) {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      for (HardwareProfile p : profiles) {
        ObjectNode n = arr.addObject();
        n.put("name", p.name());
        ObjectNode peaks = n.putObject("peakFlopsPerSecond");
        for (DType d : DType.values()) {
          if (p.supports(d)) {
            peaks.put(d.name().toLowerCase(Locale.ROOT), p.peakFlopsPerSecond(d));
          }
        }
        n.put("memoryBandwidthBytesPerSecond", p.memoryBandwidthBytesPerSecond());
        n.put("memoryBytes", p.memoryBytes());
        n.put("tdpWatts", p.tdpWatts());
        p.price().ifPresent(pr -> {
          ObjectNode price = n.putObject("price");
          price.put("amountPerDeviceHour", pr.perDeviceHour().toPlainString());
          price.put("currency", pr.perDeviceHour().currency().getCurrencyCode());
          price.put("source", pr.source());
          price.put("asOf", pr.asOf());
        });
        n.put("source", p.source());
      }
      out.println(Json.write(arr));
      return;
    }
    out.printf(Locale.ROOT, "%-16s %12s %12s %12s %10s %8s %10s%n",
        "name", "fp32 TF/s", "fp16 TF/s", "int8 TOP/s", "BW GB/s", "mem GB", "$/dev-h");
    for (HardwareProfile p : profiles) {
      out.printf(Locale.ROOT, "%-16s %12s %12s %12s %10.0f %8.0f %10s%n",
          p.name(), tera(p, DType.FP32), tera(p, DType.FP16), tera(p, DType.INT8),
          p.memoryBandwidthBytesPerSecond() / 1e9, p.memoryBytes() / 1e9,
          p.price().map(pr -> pr.perDeviceHour().toPlainString()).orElse("-"));
    }
  }

  private static String tera(HardwareProfile p, DType d) {
    return p.supports(d) ? String.format(Locale.ROOT, "%.1f", p.peakFlopsPerSecond(d) / 1e12) : "-";
  }
}

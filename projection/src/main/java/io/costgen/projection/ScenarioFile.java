package io.costgen.projection;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.ModelShape;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

/**
 * The JSON form of a {@link Scenario}, bound by Jackson (unknown properties fail). Every record
 * validates in its constructor and throws {@link IllegalArgumentException} whose message starts
 * with the field's dotted path ({@code "fleet.utilization: ..."}); {@link Scenario} adds the
 * file and line. Fields marked required must be present (some may be {@code null}, which has a
 * documented meaning) so that a scenario states every input.
 */
final class ScenarioFile {

  private ScenarioFile() {}

  record Root(
      @JsonProperty(required = true) String name,
      @JsonProperty(required = true) String title,
      @JsonProperty(required = true) String source,
      List<String> notes,
      @JsonProperty(required = true) Traffic traffic,
      @JsonProperty(required = true) Model model,
      @JsonProperty(required = true) Hardware hardware,
      @JsonProperty(required = true) Serving serving,
      @JsonProperty(required = true) Fleet fleet,
      @JsonProperty(required = true) Energy energy,
      Training training,
      Published published) {
    Root {
      text("name", name);
      text("title", title);
      text("source", source);
      notes = notes == null ? List.of() : List.copyOf(notes);
    }
  }

  record Traffic(
      Double requestsPerDay,
      Double dailyActiveUsers,
      Double requestsPerUser,
      @JsonProperty(required = true) Long promptTokens,
      @JsonProperty(required = true) Long outputTokens,
      @JsonProperty(required = true) Double peakToAverage) {
    Traffic {
      boolean perDay = requestsPerDay != null;
      boolean users = dailyActiveUsers != null || requestsPerUser != null;
      if (perDay == users) {
        throw new IllegalArgumentException("traffic.requestsPerDay: give requestsPerDay, or "
            + "dailyActiveUsers and requestsPerUser (exactly one of the two)");
      }
      if (perDay) {
        positive("traffic.requestsPerDay", requestsPerDay);
      } else {
        positive("traffic.dailyActiveUsers", dailyActiveUsers);
        positive("traffic.requestsPerUser", requestsPerUser);
      }
      if (notNull("traffic.promptTokens", promptTokens) < 0) {
        throw new IllegalArgumentException("traffic.promptTokens: " + promptTokens
            + " must be >= 0");
      }
      if (notNull("traffic.outputTokens", outputTokens) < 1) {
        throw new IllegalArgumentException("traffic.outputTokens: " + outputTokens
            + " must be >= 1");
      }
      if (!(notNull("traffic.peakToAverage", peakToAverage) >= 1)
          || peakToAverage.isInfinite()) {
        throw new IllegalArgumentException("traffic.peakToAverage: " + peakToAverage
            + " must be a finite value >= 1");
      }
    }
  }

  record Model(
      String preset,
      Shape shape,
      @JsonProperty(required = true) String weightDtype,
      @JsonProperty(required = true) String kvCacheDtype,
      @JsonProperty(required = true) String computeDtype) {
    Model {
      if ((preset == null) == (shape == null)) {
        throw new IllegalArgumentException(
            "model.preset: give preset (a built-in shape) or shape, exactly one");
      }
      if (preset != null) {
        try {
          ModelShape.preset(preset);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("model.preset: " + e.getMessage(), e);
        }
      }
      dtype("model.weightDtype", weightDtype);
      dtype("model.kvCacheDtype", kvCacheDtype);
      dtype("model.computeDtype", computeDtype);
    }

    ModelShape toShape() {
      return preset != null ? ModelShape.preset(preset) : shape.toShape();
    }
  }

  record Shape(
      @JsonProperty(required = true) String name,
      @JsonProperty(required = true) String family,
      @JsonProperty(required = true) Integer layers,
      @JsonProperty(required = true) Integer hiddenSize,
      @JsonProperty(required = true) Integer attentionHeads,
      @JsonProperty(required = true) Integer kvHeads,
      @JsonProperty(required = true) Integer headSize,
      @JsonProperty(required = true) Integer intermediateSize,
      @JsonProperty(required = true) Integer vocabSize,
      @JsonProperty(required = true) Integer contextLength,
      @JsonProperty(required = true) Boolean tiedEmbeddings) {
    Shape {
      text("model.shape.name", name);
      ScenarioFile.family("model.shape.family", family);
      notNull("model.shape.layers", layers);
      notNull("model.shape.hiddenSize", hiddenSize);
      notNull("model.shape.attentionHeads", attentionHeads);
      notNull("model.shape.kvHeads", kvHeads);
      notNull("model.shape.headSize", headSize);
      notNull("model.shape.intermediateSize", intermediateSize);
      notNull("model.shape.vocabSize", vocabSize);
      notNull("model.shape.contextLength", contextLength);
      notNull("model.shape.tiedEmbeddings", tiedEmbeddings);
      try {
        toShape(name, family, layers, hiddenSize, attentionHeads, kvHeads, headSize,
            intermediateSize, vocabSize, contextLength, tiedEmbeddings);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("model.shape." + e.getMessage(), e);
      }
    }

    ModelShape toShape() {
      return toShape(name, family, layers, hiddenSize, attentionHeads, kvHeads, headSize,
          intermediateSize, vocabSize, contextLength, tiedEmbeddings);
    }

    private static ModelShape toShape(String name, String family, int layers, int hiddenSize,
        int attentionHeads, int kvHeads, int headSize, int intermediateSize, int vocabSize,
        int contextLength, boolean tied) {
      return ModelShape.builder().name(name).family(ScenarioFile.family("model.shape.family", family))
          .layers(layers).hiddenSize(hiddenSize).attentionHeads(attentionHeads).kvHeads(kvHeads)
          .headSize(headSize).intermediateSize(intermediateSize).vocabSize(vocabSize)
          .contextLength(contextLength).tiedEmbeddings(tied).build();
    }
  }

  record Hardware(
      @JsonProperty(required = true) String profile,
      @JsonProperty(required = true) Object devicesPerReplica,
      @JsonProperty(required = true) Integer devicesPerServer,
      @JsonProperty(required = true) BigDecimal pricePerDeviceHour,
      @JsonProperty(required = true) String currency) {
    Hardware {
      text("hardware.profile", profile);
      try {
        HardwareProfile.named(profile);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("hardware.profile: " + e.getMessage(), e);
      }
      devices(devicesPerReplica);
      if (devicesPerServer != null && devicesPerServer < 1) {
        throw new IllegalArgumentException("hardware.devicesPerServer: " + devicesPerServer
            + " must be >= 1 (or null for no server rounding)");
      }
      if (notNull("hardware.pricePerDeviceHour", pricePerDeviceHour).signum() < 0) {
        throw new IllegalArgumentException("hardware.pricePerDeviceHour: "
            + pricePerDeviceHour + " must be >= 0");
      }
      currency(currency);
    }

    /** Devices per replica, or null for "auto". */
    static Integer devices(Object v) {
      if (v instanceof String s && s.trim().equalsIgnoreCase("auto")) {
        return null;
      }
      if (v instanceof Integer i && i >= 1) {
        return i;
      }
      throw new IllegalArgumentException("hardware.devicesPerReplica: " + v
          + " must be a whole number >= 1 or \"auto\"");
    }

    static Currency currency(String code) {
      text("hardware.currency", code);
      try {
        return Currency.getInstance(code.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("hardware.currency: '" + code
            + "' is not an ISO 4217 code (e.g. USD)", e);
      }
    }
  }

  record Serving(
      @JsonProperty(required = true) Double computeEfficiency,
      @JsonProperty(required = true) Double bandwidthEfficiency,
      @JsonProperty(required = true) Double passOverheadSeconds,
      Integer batch,
      Double targetLatencySeconds,
      @JsonProperty(required = true) Double measuredThroughput,
      String measuredThroughputDerivation) {
    Serving {
      fraction("serving.computeEfficiency", computeEfficiency);
      fraction("serving.bandwidthEfficiency", bandwidthEfficiency);
      if (!(notNull("serving.passOverheadSeconds", passOverheadSeconds) >= 0)) {
        throw new IllegalArgumentException("serving.passOverheadSeconds: "
            + passOverheadSeconds + " must be >= 0");
      }
      if ((batch == null) == (targetLatencySeconds == null)) {
        throw new IllegalArgumentException(
            "serving.batch: give batch or targetLatencySeconds, exactly one");
      }
      if (batch != null && batch < 1) {
        throw new IllegalArgumentException("serving.batch: " + batch + " must be >= 1");
      }
      if (targetLatencySeconds != null) {
        positive("serving.targetLatencySeconds", targetLatencySeconds);
      }
      if (measuredThroughput != null) {
        positive("serving.measuredThroughput", measuredThroughput);
      }
    }
  }

  record Fleet(
      @JsonProperty(required = true) Double utilization,
      @JsonProperty(required = true) String provisioning) {
    Fleet {
      fraction("fleet.utilization", utilization);
      provisioning(provisioning);
    }

    static DailyCostProjection.Provisioning provisioning(String p) {
      text("fleet.provisioning", p);
      try {
        return DailyCostProjection.Provisioning.valueOf(p.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fleet.provisioning: '" + p
            + "' must be elastic or peak", e);
      }
    }
  }

  record Energy(
      @JsonProperty(required = true) Double pue,
      @JsonProperty(required = true) Double gridGramsCo2ePerKwh,
      @JsonProperty(required = true) Double powerWattsPerDevice,
      @JsonProperty(required = true) Double powerFactor,
      @JsonProperty(required = true) Double idlePowerFraction,
      @JsonProperty(required = true) BigDecimal electricityPricePerKwh) {
    Energy {
      if (!(notNull("energy.pue", pue) >= 1) || pue.isInfinite()) {
        throw new IllegalArgumentException("energy.pue: " + pue + " must be a finite value >= 1");
      }
      if (!(notNull("energy.gridGramsCo2ePerKwh", gridGramsCo2ePerKwh) >= 0)) {
        throw new IllegalArgumentException("energy.gridGramsCo2ePerKwh: " + gridGramsCo2ePerKwh
            + " must be >= 0");
      }
      if (powerWattsPerDevice != null) {
        positive("energy.powerWattsPerDevice", powerWattsPerDevice);
      }
      fraction("energy.powerFactor", powerFactor);
      if (!(notNull("energy.idlePowerFraction", idlePowerFraction) >= 0
          && idlePowerFraction <= 1)) {
        throw new IllegalArgumentException("energy.idlePowerFraction: " + idlePowerFraction
            + " must be in [0, 1]");
      }
      if (electricityPricePerKwh != null && electricityPricePerKwh.signum() < 0) {
        throw new IllegalArgumentException("energy.electricityPricePerKwh: "
            + electricityPricePerKwh + " must be >= 0 (or null when the device price covers it)");
      }
    }
  }

  record Training(
      @JsonProperty(required = true) Double tokens,
      @JsonProperty(required = true) Double computeEfficiency) {
    Training {
      positive("training.tokens", tokens);
      fraction("training.computeEfficiency", computeEfficiency);
    }
  }

  record Published(
      @JsonProperty(required = true) String source,
      Double costPerDay,
      Double costPerRequest,
      Double costPerMillionOutputTokens,
      Double devicesPeak,
      Double servers,
      Double deviceSecondsPerRequest,
      Double energyWhPerRequest) {
    Published {
      text("published.source", source);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static <T> T notNull(String field, T v) {
    if (v == null) {
      throw new IllegalArgumentException(field + ": must not be null");
    }
    return v;
  }

  private static void text(String field, String v) {
    if (notNull(field, v).isBlank()) {
      throw new IllegalArgumentException(field + ": must not be blank");
    }
  }

  private static void positive(String field, Double v) {
    if (!(notNull(field, v) > 0) || v.isInfinite()) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value > 0");
    }
  }

  private static void fraction(String field, Double v) {
    if (!(notNull(field, v) > 0 && v <= 1)) {
      throw new IllegalArgumentException(field + ": " + v + " must be in (0, 1]");
    }
  }

  static DType dtype(String field, String v) {
    text(field, v);
    try {
      return DType.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  static ArchitectureFamily family(String field, String v) {
    text(field, v);
    try {
      return ArchitectureFamily.valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": '" + v + "' must be gpt2 or llama", e);
    }
  }
}

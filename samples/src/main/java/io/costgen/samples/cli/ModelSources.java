package io.costgen.samples.cli;

import io.costgen.cost.ModelShape;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a model shape from a preset name, a config.json, or a model directory. */
final class ModelSources {
  private ModelSources() {}

  static ModelShape shape(String preset, Path config, Path modelDir) {
    if (preset != null) {
      try {
        return ModelShape.preset(preset);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--preset: '" + OptionChecks.clip(preset) + "' is not a preset; allowed: one of "
            + String.join(", ", ModelShape.presetNames()), e);
      }
    }
    if (config != null) {
      if (!Files.isRegularFile(config)) {
        throw new IllegalArgumentException("--config: file not found: " + config + "; allowed: a Hugging Face config.json");
      }
      return fromConfig("--config", config);
    }
    if (!Files.isDirectory(modelDir)) {
      throw new IllegalArgumentException("--model: directory not found: " + modelDir + "; allowed: a model folder");
    }
    return fromConfig("--model", modelDir);
  }

  private static ModelShape fromConfig(String option, Path path) {
    try {
      return ModelShape.fromHuggingFaceConfig(path);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + ": " + path + " cannot be read as a model shape ("
          + CostgenCli.oneLine(e.getMessage()) + "); allowed: a Hugging Face config.json", e);
    }
  }
}

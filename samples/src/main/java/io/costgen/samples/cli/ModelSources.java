package io.costgen.samples.cli;

import io.costgen.cost.ModelShape;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a model shape from a preset name, a config.json, or a model directory. */
final class ModelSources {
  private ModelSources() {}

  static ModelShape shape(String preset, Path config, Path modelDir) {
    if (preset != null) {
      return ModelShape.preset(preset);
    }
    if (config != null) {
      if (!Files.isRegularFile(config)) {
        throw new IllegalArgumentException("--config: file not found: " + config);
      }
      return ModelShape.fromHuggingFaceConfig(config);
    }
    if (!Files.isDirectory(modelDir)) {
      throw new IllegalArgumentException("--model: directory not found: " + modelDir);
    }
    return ModelShape.fromHuggingFaceConfig(modelDir);
  }
}

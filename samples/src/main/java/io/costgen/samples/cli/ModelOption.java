package io.costgen.samples.cli;

import picocli.CommandLine.Option;

/** {@code --model}, shared by {@code generate} and {@code chat} (a picocli mixin). */
final class ModelOption {
  @Option(names = "--model", paramLabel = "DIR|hf:ORG/NAME[@REV]",
      description = "Model folder or Hugging Face repo. Default: " + ModelLocator.DEFAULT_MODEL
          + " (when the hub is unreachable, the built-in demo model).")
  String model;


  void check() {
    if (model != null && model.isBlank()) {
      throw new IllegalArgumentException("--model: empty; allowed: a model folder or hf:ORG/NAME[@REV]");
    }
  }
}

package io.costgen.bench.internal;

import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModel;
import io.costgen.testkit.SyntheticModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/**
 * The benchmark models: two ~124M-parameter synthetic decoders (GPT-2 small and a Llama of the
 * same size) generated on first use into a cache folder, the shared real models, and a tiny
 * synthetic GPT-2.
 */
public final class BenchModels {
  private BenchModels() {}

  /** GPT-2 small (124M): 12 layers, hidden 768, 12 heads, vocab 50257, context 1024, fp32. */
  public static SyntheticModel gpt2Small() {
    return SyntheticModels.gpt2Small().build();
  }

  /**
   * A Llama-style model of GPT-2 small's size: 12 layers, hidden 768, 12 query heads sharing 4
   * KV heads (grouped-query attention), SwiGLU width 2048, vocab 32000 (Llama 2's), untied head,
   * context 1024: 124.7M parameters, fp32.
   */
  public static SyntheticModel llamaSmall() {
    return SyntheticModels.llamaSmall().build();
  }

  /** The tiny synthetic GPT-2 ({@code SyntheticModels.tiny()}, ~0.2 MB). */
  public static SyntheticModel tinyGpt2() {
    return SyntheticModels.tiny().build();
  }

  /** {@code model} in {@code layout} under {@code cacheDir}, written on first use. */
  public static ModelRef synthetic(Path cacheDir, SyntheticModel model, Layout layout) throws IOException {
    Path dir = SyntheticModels.cached(cacheDir, model, layout);
    return new ModelRef(dir.toString(), layout.fileName());
  }

  /**
   * The {@code shared} folder: {@code explicit} when given, else {@code $COSTGEN_SHARED_DIR},
   * else the first {@code shared/} with a {@code models/} folder above the working directory
   * (the lookup of {@code io.costgen.core.testing.SharedModels}), else empty.
   */
  public static Optional<Path> sharedDir(Path explicit) {
    if (explicit != null) {
      if (!Files.isDirectory(explicit.resolve("models"))) {
        throw new IllegalArgumentException("--shared: " + explicit + " has no models/ folder");
      }
      return Optional.of(explicit);
    }
    String env = System.getenv("COSTGEN_SHARED_DIR");
    if (env != null && !env.isBlank() && Files.isDirectory(Paths.get(env).resolve("models"))) {
      return Optional.of(Paths.get(env));
    }
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared");
      if (Files.isDirectory(candidate.resolve("models"))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** A shared model file, if its folder and file exist. */
  public static Optional<ModelRef> shared(Optional<Path> sharedDir, String folder, String file) {
    if (sharedDir.isEmpty()) {
      return Optional.empty();
    }
    Path dir = sharedDir.get().resolve("models").resolve(folder);
    if (!Files.isRegularFile(dir.resolve(file))) {
      return Optional.empty();
    }
    return Optional.of(new ModelRef(dir.toString(), file));
  }

  /** The default model cache: {@code ~/.cache/costgen/bench-models}. */
  public static Path defaultCacheDir() {
    return Paths.get(System.getProperty("user.home"), ".cache", "costgen", "bench-models");
  }
}

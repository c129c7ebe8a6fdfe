package io.costgen.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the real test models in {@code ../shared/models} (beside the repository root).
 *
 * <p>Looks at {@code $COSTGEN_SHARED_DIR} first, then walks up from the working directory for a
 * folder that contains {@code shared/models}. A missing folder is a test failure with a clear
 * message, never a skip (CI runs with {@code CI=true} and must prove the models work).
 */
public final class SharedModels {
  private SharedModels() {}

  public static final String STORIES_260K = "stories260k";
  public static final String TINY_RANDOM_GPT2 = "tiny-random-gpt2";
  public static final String TINY_RANDOM_LLAMA_FP16 = "tiny-random-llama-fp16";

  /** The {@code shared} folder. */
  public static Path sharedDir() {
    String env = System.getenv("COSTGEN_SHARED_DIR");
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env);
      if (Files.isDirectory(p.resolve("models"))) {
        return p;
      }
      throw new AssertionError("COSTGEN_SHARED_DIR=" + env + " has no models/ folder");
    }
    Path dir = Paths.get("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared");
      if (Files.isDirectory(candidate.resolve("models"))) {
        return candidate;
      }
    }
    throw new AssertionError("../shared/models not found above " + dir
        + " (CI=" + System.getenv("CI") + "): the real-model tests need it; set COSTGEN_SHARED_DIR");
  }

  /** A model folder under {@code shared/models}, e.g. {@link #STORIES_260K}. */
  public static Path model(String name) {
    Path p = sharedDir().resolve("models").resolve(name);
    if (!Files.isDirectory(p)) {
      throw new AssertionError("shared model folder missing: " + p);
    }
    return p;
  }
}

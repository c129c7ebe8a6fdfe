package io.costgen.samples.cli;

import io.costgen.onnx.hub.HubDownloader;
import io.costgen.onnx.hub.HubException;
import io.costgen.onnx.hub.HubModelRef;
import io.costgen.onnx.hub.HubUnavailableException;
import io.costgen.onnx.hub.HubUnreachableException;
import io.costgen.onnx.hub.ProgressListener;
import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModel;
import io.costgen.testkit.SyntheticModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

/**
 * Turns a {@code --model} value into a local model folder: a directory as is, {@code hf:ORG/NAME}
 * downloaded into the cache, and nothing at all into the default model ({@value #DEFAULT_MODEL}),
 * falling back to the project's own generated demo model when the hub cannot be reached.
 */
final class ModelLocator {
  static final String DEFAULT_MODEL = "hf:Xenova/gpt2";
  /** System property overriding the hub endpoint (tests; users normally set {@code HF_ENDPOINT}). */
  static final String ENDPOINT_PROPERTY = "costgen.hub.endpoint";

  private ModelLocator() {}

  /** The costgen cache root: {@code $COSTGEN_CACHE}, else {@code ~/.cache/costgen}. */
  static Path cacheRoot() {
    String env = System.getenv("COSTGEN_CACHE");
    if (env != null && !env.isBlank()) {
      return Paths.get(env);
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "costgen");
  }

  static Path locate(String model, PrintWriter err) {
    if (model == null) {
      try {
        return download(HubModelRef.parse(DEFAULT_MODEL), err);
      } catch (HubUnreachableException | HubUnavailableException e) {
        err.println("costgen: " + DEFAULT_MODEL + " is not available (" + CostgenCli.oneLine(e.getMessage())
            + "); running the built-in demo model (random weights) instead");
        return demoModel();
      } catch (HubException e) {
        throw new HubException("--model " + DEFAULT_MODEL + ": " + CostgenCli.oneLine(e.getMessage()),
            e.statusCode(), e);
      }
    }
    if (HubModelRef.isHubSpec(model)) {
      try {
        return download(HubModelRef.parse(model), err);
      } catch (HubException e) {
        throw new IllegalArgumentException("--model " + model + ": " + CostgenCli.oneLine(e.getMessage()), e);
      }
    }
    Path dir = Paths.get(model);
    if (!Files.exists(dir)) {
      throw new IllegalArgumentException("--model: " + dir + " does not exist; allowed: a model directory or"
          + " hf:ORG/NAME[@REV]");
    }
    return dir;
  }

  private static Path download(HubModelRef ref, PrintWriter err) {
    HubDownloader.Builder b = HubDownloader.builder();
    String endpoint = System.getProperty(ENDPOINT_PROPERTY);
    if (endpoint != null && !endpoint.isBlank()) {
      b.endpoint(java.net.URI.create(endpoint));
    }
    HubDownloader downloader = b
        .cacheDir(cacheRoot().resolve("hub"))
        .progress(ProgressListener.console())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    return downloader.download(ref);
  }

  /** The demo model: a small GPT-2-style graph with seeded random weights, written once. */
  static Path demoModel() {
    SyntheticModel demo = SyntheticModels.gpt2().name("costgen-demo-gpt2").layers(4).hidden(128).heads(4)
        .vocab(1024).context(256).seed(2024).build();
    try {
      return SyntheticModels.cached(cacheRoot().resolve("demo"), demo, Layout.WITH_PAST);
    } catch (IOException e) {
      throw new UncheckedIOException("writing the demo model failed: " + e.getMessage(), e);
    }
  }
}

package io.costgen.samples.cli;

import io.costgen.core.testing.SharedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Broken model folders and files, built from stories260k, for bad-input tests. */
final class BadModels {
  private BadModels() {}

  static Map<String, Path> create(Path root) throws IOException {
    Path stories = SharedModels.model(SharedModels.STORIES_260K);
    Map<String, Path> m = new LinkedHashMap<>();
    m.put("empty-dir", Files.createDirectories(root.resolve("empty-dir")));
    m.put("garbage-onnx", folder(root, "garbage-onnx", stories, "model.onnx",
        "this is not an ONNX model".getBytes(StandardCharsets.UTF_8)));
    m.put("empty-onnx", folder(root, "empty-onnx", stories, "model.onnx", new byte[0]));
    byte[] model = Files.readAllBytes(stories.resolve("model.onnx"));
    m.put("truncated-onnx", folder(root, "truncated-onnx", stories, "model.onnx", Arrays.copyOf(model, model.length / 3)));
    m.put("garbage-tokenizer", folder(root, "garbage-tokenizer", stories, "tokenizer.json",
        "{not json".getBytes(StandardCharsets.UTF_8)));
    m.put("garbage-config", folder(root, "garbage-config", stories, "config.json",
        "[1, 2".getBytes(StandardCharsets.UTF_8)));
    Path file = root.resolve("garbage-file.onnx");
    Files.write(file, "junk".getBytes(StandardCharsets.UTF_8));
    m.put("garbage-file", file);
    m.put("missing", root.resolve("does-not-exist"));
    return m;
  }

  /** A copy of {@code source}'s model files with {@code file} replaced by {@code content}. */
  private static Path folder(Path root, String name, Path source, String file, byte[] content) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    for (String f : List.of("config.json", "generation_config.json", "model.onnx", "special_tokens_map.json",
        "tokenizer.json", "tokenizer_config.json")) {
      Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.write(dir.resolve(file), content);
    return dir;
  }
}

package io.costgen.onnx.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.core.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A model directory as a user points the library at it: the chosen {@code .onnx} file and the
 * JSON descriptions beside it ({@code config.json}, {@code generation_config.json},
 * {@code genai_config.json}), each parsed into a plain map (empty when absent).
 *
 * <p>Model file choice, first match wins, in the folder root and then in {@code onnx/}
 * (transformers.js repositories keep their graphs there):
 * <ol>
 *   <li>{@code model.onnx} (Optimum / onnxruntime-genai model builder);
 *   <li>{@code decoder_model_merged.onnx}, {@code decoder_model_merged_quantized.onnx},
 *       {@code decoder_model_merged_fp16.onnx}, then any other {@code decoder_model_merged*.onnx}
 *       in name order (Optimum merged decoder);
 *   <li>the {@code model.decoder.filename} of {@code genai_config.json};
 *   <li>{@code past.onnx} (ONNX Runtime's GPT-2 conversion);
 *   <li>{@code decoder_with_past_model.onnx} (Optimum, cache inputs only);
 *   <li>{@code decoder_model.onnx} (Optimum, no cache: recomputes every step);
 *   <li>the only {@code .onnx} file of the folder, when there is exactly one.
 * </ol>
 * An explicit file ({@code OnnxBackend.Builder.modelFile}) bypasses the search. Immutable.
 */
public final class ModelFolder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path modelFile;
  private final Map<String, Object> config;
  private final Map<String, Object> generationConfig;
  private final Map<String, Object> genaiConfig;

  private ModelFolder(Path dir, Path modelFile, Map<String, Object> config,
      Map<String, Object> generationConfig, Map<String, Object> genaiConfig) {
    this.dir = dir;
    this.modelFile = modelFile;
    this.config = config;
    this.generationConfig = generationConfig;
    this.genaiConfig = genaiConfig;
  }

  /**
   * Resolves {@code dir}: checks it exists, reads the JSON files, picks the model file.
   *
   * @param explicitFile a model file chosen by the caller (relative to {@code dir} unless
   *     absolute), or null to search
   * @throws ModelLoadException naming the path when the folder or file is missing, a JSON file is
   *     malformed, or no model file can be chosen
   */
  public static ModelFolder open(Path dir, Path explicitFile) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.exists(abs)) {
      throw new ModelLoadException("Model directory " + abs + " does not exist");
    }
    if (!Files.isDirectory(abs)) {
      throw new ModelLoadException("Model directory " + abs
          + " is not a directory: pass the folder that holds the .onnx file and its config files");
    }
    Map<String, Object> config = readJson(abs, "config.json");
    Map<String, Object> generation = readJson(abs, "generation_config.json");
    Map<String, Object> genai = readJson(abs, "genai_config.json");
    Path file;
    if (explicitFile != null) {
      file = abs.resolve(explicitFile).normalize();
      if (!Files.isRegularFile(file)) {
        throw new ModelLoadException("Model file " + file + " does not exist");
      }
    } else {
      file = chooseModelFile(abs, genai);
    }
    return new ModelFolder(abs, file, config, generation, genai);
  }

  private static Path chooseModelFile(Path dir, Map<String, Object> genai) {
    Optional<String> genaiFile = Json.string(Json.path(genai, "model", "decoder"), "filename");
    List<Path> searched = new ArrayList<>();
    for (Path d : List.of(dir, dir.resolve("onnx"))) {
      if (!Files.isDirectory(d)) {
        continue;
      }
      searched.add(d);
      List<String> onnx = listOnnx(d);
      if (onnx.isEmpty()) {
        continue;
      }
      List<String> order = new ArrayList<>();
      order.add("model.onnx");
      order.add("decoder_model_merged.onnx");
      order.add("decoder_model_merged_quantized.onnx");
      order.add("decoder_model_merged_fp16.onnx");
      onnx.stream().filter(n -> n.startsWith("decoder_model_merged")).sorted().forEach(order::add);
      genaiFile.ifPresent(order::add);
      order.add("past.onnx");
      order.add("decoder_with_past_model.onnx");
      order.add("decoder_model.onnx");
      for (String name : order) {
        if (onnx.contains(name)) {
          return d.resolve(name);
        }
      }
      if (onnx.size() == 1) {
        return d.resolve(onnx.get(0));
      }
      throw new ModelLoadException("Model directory " + dir + " holds several .onnx files "
          + onnx + " in " + d + " and none of the known names (model.onnx,"
          + " decoder_model_merged*.onnx, past.onnx, decoder_with_past_model.onnx,"
          + " decoder_model.onnx): choose one with OnnxBackend.builder().modelFile(...)");
    }
    throw new ModelLoadException("Model directory " + dir + " contains no .onnx model file"
        + " (searched " + searched + " for model.onnx, decoder_model_merged*.onnx, past.onnx,"
        + " decoder_with_past_model.onnx, decoder_model.onnx or any other *.onnx)");
  }

  private static List<String> listOnnx(Path d) {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".onnx"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new ModelLoadException("Cannot list model directory " + d + ": " + e, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readJson(Path dir, String name) {
    Path f = dir.resolve(name);
    if (!Files.isRegularFile(f)) {
      return Map.of();
    }
    try {
      Object value = JSON.readValue(f.toFile(), Object.class);
      if (!(value instanceof Map)) {
        throw new ModelLoadException(f + " is not a JSON object");
      }
      return Collections.unmodifiableMap(new LinkedHashMap<>((Map<String, Object>) value));
    } catch (JacksonException e) {
      throw new ModelLoadException(f + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read " + f + ": " + e, e);
    }
  }

  /** The model directory (absolute). */
  public Path dir() {
    return dir;
  }

  /** The chosen {@code .onnx} file (absolute). */
  public Path modelFile() {
    return modelFile;
  }

  /** {@code config.json} (Hugging Face model config), empty when absent. */
  public Map<String, Object> config() {
    return config;
  }

  /** {@code generation_config.json}, empty when absent. */
  public Map<String, Object> generationConfig() {
    return generationConfig;
  }

  /** {@code genai_config.json} (onnxruntime-genai), empty when absent. */
  public Map<String, Object> genaiConfig() {
    return genaiConfig;
  }

  /** The {@code model} section of {@code genai_config.json}, empty when absent. */
  public Map<String, Object> genaiModel() {
    return Json.path(genaiConfig, "model");
  }

  /** The {@code model.decoder} section of {@code genai_config.json}, empty when absent. */
  public Map<String, Object> genaiDecoder() {
    return Json.path(genaiConfig, "model", "decoder");
  }
}

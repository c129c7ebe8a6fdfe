package io.costgen.cost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelShape}
 * ({@link ModelShape#fromHuggingFaceConfig(Path)}). Key names follow {@code transformers}'
 * {@code GPT2Config} and {@code LlamaConfig}. Stateless and thread-safe.
 */
final class HuggingFaceConfigReader {

  private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceConfigReader.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private HuggingFaceConfigReader() {}

  static ModelShape read(Path path) {
    Objects.requireNonNull(path, "config");
    Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("config: " + file + " does not exist or is not a file");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "config: " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("config: cannot read " + file, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config: " + file + " must hold a JSON object");
    }
    Fields f = new Fields(file, root);
    String type = f.text("model_type");
    String name = nameOf(file, root);
    switch (type.toLowerCase(Locale.ROOT)) {
      case "gpt2":
        return gpt2(f, name);
      case "llama":
      case "mistral":
        return llama(f, name);
      default:
        throw new IllegalArgumentException("config: " + file + ": model_type '" + type
            + "' is not supported; allowed: gpt2, llama, mistral");
    }
  }

  private static ModelShape gpt2(Fields f, String name) {
    int d = f.integer("n_embd");
    int positions = f.has("n_positions") ? f.integer("n_positions") : f.integer("n_ctx");
    ModelShape.Builder b = ModelShape.builder().name(name).family(ArchitectureFamily.GPT2)
        .layers(f.integer("n_layer"))
        .hiddenSize(d)
        .attentionHeads(f.integer("n_head"))
        .vocabSize(f.integer("vocab_size"))
        .contextLength(positions)
        .intermediateSize(f.has("n_inner") ? f.integer("n_inner") : 4 * d)
        .tiedEmbeddings(f.bool("tie_word_embeddings", true));
    return f.build(b);
  }

  private static ModelShape llama(Fields f, String name) {
    int heads = f.integer("num_attention_heads");
    ModelShape.Builder b = ModelShape.builder().name(name).family(ArchitectureFamily.LLAMA)
        .layers(f.integer("num_hidden_layers"))
        .hiddenSize(f.integer("hidden_size"))
        .attentionHeads(heads)
        .kvHeads(f.has("num_key_value_heads") ? f.integer("num_key_value_heads") : heads)
        .intermediateSize(f.integer("intermediate_size"))
        .vocabSize(f.integer("vocab_size"))
        .contextLength(f.integer("max_position_embeddings"))
        .tiedEmbeddings(f.bool("tie_word_embeddings", false));
    if (f.has("head_dim")) {
      b.headSize(f.integer("head_dim"));
    }
    if (f.bool("attention_bias", false) || f.bool("mlp_bias", false)) {
      LOG.warn("{}: attention_bias/mlp_bias are set; the Llama parameter formula ignores biases,"
          + " so the count is slightly low", f.file);
    }
    return f.build(b);
  }

  private static String nameOf(Path file, JsonNode root) {
    JsonNode n = root.get("_name_or_path");
    if (n != null && n.isTextual() && !n.asText().isBlank()) {
      return n.asText();
    }
    Path parent = file.toAbsolutePath().getParent();
    return parent != null && parent.getFileName() != null ? parent.getFileName().toString() : "model";
  }

  /** Typed access to the JSON fields, with errors that name the file and the field. */
  private static final class Fields {
    final Path file;
    final JsonNode root;

    Fields(Path file, JsonNode root) {
      this.file = file;
      this.root = root;
    }

    boolean has(String key) {
      JsonNode n = root.get(key);
      return n != null && !n.isNull();
    }

    String text(String key) {
      JsonNode n = require(key);
      if (!n.isTextual()) {
        throw bad(key, "a string", n);
      }
      return n.asText();
    }

    int integer(String key) {
      JsonNode n = require(key);
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw bad(key, "an integer", n);
      }
      return n.intValue();
    }

    boolean bool(String key, boolean dflt) {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isBoolean()) {
        throw bad(key, "true or false", n);
      }
      return n.booleanValue();
    }

    ModelShape build(ModelShape.Builder b) {
      try {
        return b.build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config: " + file + ": " + e.getMessage(), e);
      }
    }

    private JsonNode require(String key) {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        String why = key.equals("model_type")
            ? "allowed: gpt2, llama, mistral"
            : "required for model_type " + root.path("model_type").asText("?");
        throw new IllegalArgumentException(
            "config: " + file + ": missing field '" + key + "' (" + why + ")");
      }
      return n;
    }

    private IllegalArgumentException bad(String key, String expected, JsonNode got) {
      return new IllegalArgumentException(
          "config: " + file + ": field '" + key + "' must be " + expected + ", got " + got);
    }
  }
}

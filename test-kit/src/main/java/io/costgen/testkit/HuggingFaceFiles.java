package io.costgen.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.costgen.cost.ArchitectureFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON files a Hugging Face model folder carries beside the ONNX file: {@code config.json},
 * {@code generation_config.json}, {@code tokenizer.json}, {@code tokenizer_config.json} and
 * {@code special_tokens_map.json}.
 *
 * <p>The tokenizer is a byte-level BPE in the Hugging Face tokenizers format (the scheme of
 * GPT-2, Radford et al. 2019, section 2.2): ids 0–255 are the 256 bytes in GPT-2's
 * byte-to-unicode order (printable bytes {@code !..~}, {@code ¡..¬}, {@code ®..ÿ} map to
 * themselves, the other 68 bytes to U+0100 onwards in byte order, so space is {@code Ġ}), then
 * synthetic merges fill the vocabulary up to the special tokens at the top: GPT-2 style has
 * {@code <|endoftext|>} (bos = eos = vocab−1); Llama style has {@code <s>} (vocab−2, prepended
 * by the post-processor) and {@code </s>} (vocab−1). Any text encodes (every byte is a token)
 * and decodes back to itself. The merges join a space or a letter with a following lowercase
 * letter, breadth first ("Ġa", …, "Ġz", "aa", …, then longer), which is enough to make
 * English text shorter than its bytes; they are not trained.
 */
final class HuggingFaceFiles {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static final String GPT2_EOS = "<|endoftext|>";
  static final String LLAMA_BOS = "<s>";
  static final String LLAMA_EOS = "</s>";

  private HuggingFaceFiles() {}

  static void writeAll(SyntheticModel m, Path dir) throws IOException {
    JSON.writeValue(dir.resolve("config.json").toFile(), config(m));
    JSON.writeValue(dir.resolve("generation_config.json").toFile(), generationConfig(m));
    JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer(m));
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig(m));
    JSON.writeValue(dir.resolve("special_tokens_map.json").toFile(), specialTokensMap(m));
  }

  static Map<String, Object> config(SyntheticModel m) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (m.family() == ArchitectureFamily.GPT2) {
      c.put("architectures", List.of("GPT2LMHeadModel"));
      c.put("model_type", "gpt2");
      c.put("vocab_size", m.vocabSize());
      c.put("n_positions", m.contextLength());
      c.put("n_ctx", m.contextLength());
      c.put("n_embd", m.hiddenSize());
      c.put("n_layer", m.layers());
      c.put("n_head", m.attentionHeads());
      c.put("n_inner", m.intermediateSize());
      c.put("activation_function", "gelu_new");
      c.put("layer_norm_epsilon", m.normEpsilon());
      c.put("initializer_range", m.initStd());
      c.put("scale_attn_weights", true);
    } else {
      c.put("architectures", List.of("LlamaForCausalLM"));
      c.put("model_type", "llama");
      c.put("vocab_size", m.vocabSize());
      c.put("hidden_size", m.hiddenSize());
      c.put("intermediate_size", m.intermediateSize());
      c.put("num_hidden_layers", m.layers());
      c.put("num_attention_heads", m.attentionHeads());
      c.put("num_key_value_heads", m.kvHeads());
      c.put("head_dim", m.headSize());
      c.put("max_position_embeddings", m.contextLength());
      c.put("rms_norm_eps", m.normEpsilon());
      c.put("rope_theta", m.ropeTheta());
      c.put("rope_scaling", null);
      c.put("hidden_act", "silu");
      c.put("attention_bias", false);
      c.put("mlp_bias", false);
      c.put("initializer_range", m.initStd());
    }
    c.put("bos_token_id", m.bosTokenId());
    c.put("eos_token_id", m.eosTokenId());
    c.put("tie_word_embeddings", m.tiedEmbeddings());
    c.put("torch_dtype", "float32");
    c.put("use_cache", true);
    Map<String, Object> synthetic = new LinkedHashMap<>();
    synthetic.put("generator", SyntheticModel.GENERATOR_VERSION);
    synthetic.put("seed", m.seed());
    synthetic.put("parameters", m.parameterCount());
    if (m.weightFormat() != WeightFormat.FP32) {
      synthetic.put("weight_format", m.weightFormat().name().toLowerCase(java.util.Locale.ROOT));
    }
    synthetic.put("note", "random weights, not a trained model");
    c.put("costgen_synthetic", synthetic);
    return c;
  }

  static Map<String, Object> generationConfig(SyntheticModel m) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("bos_token_id", m.bosTokenId());
    c.put("eos_token_id", m.eosTokenId());
    return c;
  }

  static Map<String, Object> tokenizerConfig(SyntheticModel m) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("tokenizer_class", "PreTrainedTokenizerFast");
    boolean gpt2 = m.family() == ArchitectureFamily.GPT2;
    c.put("bos_token", gpt2 ? GPT2_EOS : LLAMA_BOS);
    c.put("eos_token", gpt2 ? GPT2_EOS : LLAMA_EOS);
    c.put("unk_token", null);
    c.put("pad_token", null);
    c.put("add_bos_token", !gpt2);
    c.put("add_eos_token", false);
    c.put("clean_up_tokenization_spaces", false);
    c.put("model_max_length", m.contextLength());
    return c;
  }

  static Map<String, Object> specialTokensMap(SyntheticModel m) {
    boolean gpt2 = m.family() == ArchitectureFamily.GPT2;
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("bos_token", gpt2 ? GPT2_EOS : LLAMA_BOS);
    c.put("eos_token", gpt2 ? GPT2_EOS : LLAMA_EOS);
    return c;
  }

  /** GPT-2's byte → unicode character table (index = byte value). */
  static char[] byteToUnicode() {
    char[] table = new char[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      table[b] = printable ? (char) b : (char) next++;
    }
    return table;
  }

  /** Byte values in vocabulary order: the printable ranges first, then the rest. */
  static int[] byteVocabularyOrder() {
    int[] order = new int[256];
    int i = 0;
    for (int b = 0; b < 256; b++) {
      if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE)) {
        order[i++] = b;
      }
    }
    for (int b = 0; b < 256; b++) {
      if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE))) {
        order[i++] = b;
      }
    }
    return order;
  }

  static Map<String, Object> tokenizer(SyntheticModel m) {
    boolean gpt2 = m.family() == ArchitectureFamily.GPT2;
    List<String> specials = gpt2 ? List.of(GPT2_EOS) : List.of(LLAMA_BOS, LLAMA_EOS);
    int mergeCount = m.vocabSize() - 256 - specials.size();

    char[] unicode = byteToUnicode();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int b : byteVocabularyOrder()) {
      vocab.put(String.valueOf(unicode[b]), vocab.size());
    }
    List<String> merges = new ArrayList<>(mergeCount);
    List<String> level = new ArrayList<>();
    level.add(String.valueOf(unicode[' ']));
    for (char c = 'a'; c <= 'z'; c++) {
      level.add(String.valueOf(c));
    }
    Set<String> seen = new HashSet<>(vocab.keySet());
    while (merges.size() < mergeCount) {
      List<String> nextLevel = new ArrayList<>();
      for (String left : level) {
        for (char c = 'a'; c <= 'z' && merges.size() < mergeCount; c++) {
          String token = left + c;
          if (seen.add(token)) {
            merges.add(left + " " + c);
            vocab.put(token, vocab.size());
            nextLevel.add(token);
          }
        }
      }
      level = nextLevel;
    }
    List<Map<String, Object>> added = new ArrayList<>();
    for (String s : specials) {
      int id = vocab.size();
      vocab.put(s, id);
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("id", id);
      a.put("content", s);
      a.put("single_word", false);
      a.put("lstrip", false);
      a.put("rstrip", false);
      a.put("normalized", false);
      a.put("special", true);
      added.add(a);
    }

    Map<String, Object> byteLevel = new LinkedHashMap<>();
    byteLevel.put("type", "ByteLevel");
    byteLevel.put("add_prefix_space", false);
    byteLevel.put("trim_offsets", true);
    byteLevel.put("use_regex", true);

    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("dropout", null);
    model.put("unk_token", null);
    model.put("continuing_subword_prefix", null);
    model.put("end_of_word_suffix", null);
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("vocab", vocab);
    model.put("merges", merges);

    Map<String, Object> t = new LinkedHashMap<>();
    t.put("version", "1.0");
    t.put("truncation", null);
    t.put("padding", null);
    t.put("added_tokens", added);
    t.put("normalizer", null);
    t.put("pre_tokenizer", byteLevel);
    t.put("post_processor", gpt2 ? byteLevel : bosTemplate(vocab.get(LLAMA_BOS)));
    t.put("decoder", byteLevel);
    t.put("model", model);
    return t;
  }

  private static Map<String, Object> bosTemplate(int bosId) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("type", "TemplateProcessing");
    t.put("single", List.of(special(LLAMA_BOS, 0), sequence("A", 0)));
    t.put("pair", List.of(special(LLAMA_BOS, 0), sequence("A", 0), special(LLAMA_BOS, 1),
        sequence("B", 1)));
    Map<String, Object> bos = new LinkedHashMap<>();
    bos.put("id", LLAMA_BOS);
    bos.put("ids", List.of(bosId));
    bos.put("tokens", List.of(LLAMA_BOS));
    t.put("special_tokens", Map.of(LLAMA_BOS, bos));
    return t;
  }

  private static Map<String, Object> special(String id, int typeId) {
    return Map.of("SpecialToken", Map.of("id", id, "type_id", typeId));
  }

  private static Map<String, Object> sequence(String id, int typeId) {
    return Map.of("Sequence", Map.of("id", id, "type_id", typeId));
  }
}

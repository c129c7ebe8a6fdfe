package io.costgen.cost;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in {@link ModelShape} catalog behind {@link ModelShape#preset(String)}.
 *
 * <p>Sources (see {@code docs/cost-model.md}):
 *
 * <ul>
 *   <li>GPT-2: released checkpoints as described by {@code karpathy/nanoGPT} {@code model.py}
 *       ({@code from_pretrained}): n_layer/n_head/n_embd 12/12/768, 24/16/1024, 36/20/1280,
 *       48/25/1600; vocab 50257, n_ctx 1024, biases, tied LM head.
 *   <li>GPT-3: Brown et al. 2020 (arXiv:2005.14165) Table 2.1; d_ff = 4·d_model, n_ctx 2048,
 *       GPT-2 BPE vocab 50257, GPT-2 layer layout. Two printed values are inconsistent and
 *       corrected here: GPT-3 13B prints d_model 5140 but 40 heads × 128 = 5120 (kipply calls it
 *       a likely typo; only 5120 reproduces Table D.1's 12,850M parameters), and GPT-3 XL prints
 *       24 heads × d_head 128 = 3072 ≠ d_model 2048 (only d_attn = 2048 reproduces the 1.3B /
 *       Table D.1 1,320M parameters), so XL uses 16 heads × 128.
 *   <li>Llama 2 / Llama 3: the published Hugging Face {@code config.json} files of
 *       {@code meta-llama/Llama-2-7b-hf}, {@code -13b-hf}, {@code -70b-hf} and
 *       {@code meta-llama/Meta-Llama-3-8B}.
 * </ul>
 *
 * Immutable and thread-safe.
 */
final class ModelPresets {

  private static final Map<String, ModelShape> PRESETS = build();

  private ModelPresets() {}

  static ModelShape get(String name) {
    if (name == null) {
      throw new IllegalArgumentException("preset: null; allowed: " + String.join(", ", names()));
    }
    ModelShape shape = PRESETS.get(name.trim().toLowerCase(Locale.ROOT));
    if (shape == null) {
      throw new IllegalArgumentException(
          "preset: unknown model '" + name + "'; allowed: " + String.join(", ", names()));
    }
    return shape;
  }

  static List<String> names() {
    return List.copyOf(PRESETS.keySet());
  }

  private static Map<String, ModelShape> build() {
    Map<String, ModelShape> m = new LinkedHashMap<>();
    gpt2(m, "gpt2", 12, 12, 768);
    gpt2(m, "gpt2-medium", 24, 16, 1024);
    gpt2(m, "gpt2-large", 36, 20, 1280);
    gpt2(m, "gpt2-xl", 48, 25, 1600);
    gpt3(m, "gpt3-small", 12, 768, 12, 64);
    gpt3(m, "gpt3-medium", 24, 1024, 16, 64);
    gpt3(m, "gpt3-large", 24, 1536, 16, 96);
    gpt3(m, "gpt3-xl", 24, 2048, 16, 128);    // printed: 24 heads × 128; see class doc
    gpt3(m, "gpt3-2.7b", 32, 2560, 32, 80);
    gpt3(m, "gpt3-6.7b", 32, 4096, 32, 128);
    gpt3(m, "gpt3-13b", 40, 5120, 40, 128);   // printed: d_model 5140 (typo); see class doc
    gpt3(m, "gpt3-175b", 96, 12288, 96, 128);
    llama(m, "llama-2-7b", 32, 4096, 32, 32, 11008, 32000, 4096);
    llama(m, "llama-2-13b", 40, 5120, 40, 40, 13824, 32000, 4096);
    llama(m, "llama-2-70b", 80, 8192, 64, 8, 28672, 32000, 4096);
    llama(m, "llama-3-8b", 32, 4096, 32, 8, 14336, 128256, 8192);
    return Collections.unmodifiableMap(m);
  }

  private static void gpt2(Map<String, ModelShape> m, String name, int layers, int heads, int d) {
    m.put(name, ModelShape.builder().name(name).family(ArchitectureFamily.GPT2)
        .layers(layers).hiddenSize(d).attentionHeads(heads).intermediateSize(4 * d)
        .vocabSize(50257).contextLength(1024).tiedEmbeddings(true).build());
  }

  private static void gpt3(Map<String, ModelShape> m, String name, int layers, int d, int heads,
      int headSize) {
    m.put(name, ModelShape.builder().name(name).family(ArchitectureFamily.GPT2)
        .layers(layers).hiddenSize(d).attentionHeads(heads).headSize(headSize)
        .intermediateSize(4 * d).vocabSize(50257).contextLength(2048).tiedEmbeddings(true)
        .build());
  }

  private static void llama(Map<String, ModelShape> m, String name, int layers, int d, int heads,
      int kvHeads, int ff, int vocab, int ctx) {
    m.put(name, ModelShape.builder().name(name).family(ArchitectureFamily.LLAMA)
        .layers(layers).hiddenSize(d).attentionHeads(heads).kvHeads(kvHeads)
        .headSize(d / heads).intermediateSize(ff).vocabSize(vocab).contextLength(ctx)
        .tiedEmbeddings(false).build());
  }
}

package io.costgen.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code generation_config.json} keys costgen reads but does not implement: each is logged once
 * (per JVM) as a warning, so a model whose defaults rely on one is never silently changed.
 * Metadata keys that are not generation settings are ignored quietly.
 */
final class UnsupportedKeys {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationConfig.class);

  /** Keys that carry no generation behaviour costgen could miss (or that it applies elsewhere). */
  private static final Set<String> QUIET = Set.of("transformers_version", "_from_model_config", "bos_token_id",
      "decoder_start_token_id", "use_cache", "output_attentions", "output_hidden_states", "output_scores",
      "output_logits", "return_dict_in_generate", "cache_implementation", "cache_config", "return_legacy_cache",
      "trust_remote_code", "is_assistant", "compile_config", "generation_kwargs", "past_present_share_buffer",
      "num_assistant_tokens", "num_assistant_tokens_schedule", "assistant_confidence_threshold",
      "prompt_lookup_num_tokens", "max_matching_ngram_size", "assistant_early_exit", "assistant_lookbehind",
      "target_lookbehind", "disable_compile", "prefill_chunk_size");

  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private UnsupportedKeys() {}

  /** Warns once about {@code key} unless it is metadata or holds its no-op default. */
  static void check(String key, Object value) {
    if (QUIET.contains(key) || isNoOp(key, value)) {
      return;
    }
    if (WARNED.add(key)) {
      LOG.warn("generation_config: key \"{}\" (= {}) is not implemented by costgen and is ignored", key, value);
    }
  }

  /** Whether costgen has already warned about {@code key} in this JVM. */
  static boolean warned(String key) {
    return WARNED.contains(key);
  }

  /** Hugging Face's neutral values, which change nothing: no reason to warn. */
  private static boolean isNoOp(String key, Object value) {
    if (value instanceof Boolean b && !b) {
      return true;
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return switch (key) {
        case "diversity_penalty", "encoder_no_repeat_ngram_size", "guidance_scale", "penalty_alpha" ->
            d == 0 || (key.equals("guidance_scale") && d == 1);
        case "num_beam_groups", "encoder_repetition_penalty" -> d == 1;
        default -> false;
      };
    }
    return value instanceof java.util.List<?> l && l.isEmpty();
  }
}

package io.costgen.onnx.e2e;

import io.costgen.core.testing.SharedModels;

/**
 * {@link DecodingContract} on tiny-random-gpt2: ONNX Runtime's legacy GPT-2 export (stacked
 * {@code past_%d} cache, int32 ids, contrib ops). Its graph has 1000 logits while its
 * tokenizer.json is the full GPT-2 one, so prompts use ids below 1000 only.
 */
class TinyRandomGpt2DecodingTest extends DecodingContract {

  @Override
  E2eModel open() {
    return E2eModel.shared(SharedModels.TINY_RANDOM_GPT2);
  }

  @Override
  long[][] prompts() {
    return new long[][] {{464, 329, 318, 257}, {0, 98, 7, 612, 45, 999, 3}, {11}};
  }

  @Override
  String textPrompt() {
    return "he is a"; // [258, 318, 257] in GPT-2's tokenizer
  }

  @Override
  float repetitionPenalty() {
    return 1.5f;
  }

  @Override
  long expectedEos() {
    return 98; // genai_config.json: eos and pad 98
  }

  @Override
  long expectedPad() {
    return 98;
  }
}

package io.costgen.onnx.e2e;

import io.costgen.core.testing.SharedModels;

/**
 * {@link DecodingContract} on tiny-random-llama-fp16: an onnxruntime-genai model-builder Llama
 * with float16 cache and logits, external data, and 32000 tokens.
 */
class TinyRandomLlamaFp16DecodingTest extends DecodingContract {

  @Override
  E2eModel open() {
    return E2eModel.shared(SharedModels.TINY_RANDOM_LLAMA_FP16);
  }

  @Override
  long[][] prompts() {
    // "The cat", "Once upon a time", "in the" with the tokenizer's BOS (1)
    return new long[][] {{1, 450, 6635}, {1, 9038, 2501, 263, 931}, {1, 297}};
  }

  @Override
  String textPrompt() {
    return "Once upon a time, there was a";
  }

  @Override
  float repetitionPenalty() {
    return 0.5f; // penalties above 1 leave its greedy output unchanged
  }

  @Override
  long expectedEos() {
    return 1; // genai_config.json: eos 1, pad 2
  }

  @Override
  long expectedPad() {
    return 2;
  }
}

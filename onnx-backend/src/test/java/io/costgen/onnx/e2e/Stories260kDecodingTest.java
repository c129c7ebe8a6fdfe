package io.costgen.onnx.e2e;

import io.costgen.core.testing.SharedModels;

/** {@link DecodingContract} on stories260k: a real pretrained tiny Llama (fp32, 512 tokens). */
class Stories260kDecodingTest extends DecodingContract {

  @Override
  E2eModel open() {
    return E2eModel.shared(SharedModels.STORIES_260K);
  }

  @Override
  long[][] prompts() {
    // "Once upon a time", "The cat", "Lily and Tom" (BOS first, as the tokenizer adds it)
    return new long[][] {{1, 403, 407, 261, 378}, {1, 291, 280, 294}, {1, 317, 269, 274, 287}};
  }

  @Override
  String textPrompt() {
    return "Once upon a time, there was a";
  }

  @Override
  float repetitionPenalty() {
    return 2.0f;
  }

  @Override
  long expectedEos() {
    return 2; // generation_config.json: eos 2, no pad (pad falls back to the EOS)
  }

  @Override
  long expectedPad() {
    return 2;
  }
}

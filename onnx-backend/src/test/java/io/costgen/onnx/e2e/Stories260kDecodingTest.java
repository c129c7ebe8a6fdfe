package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.Cancellation;
import io.costgen.core.FinishReason;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.StreamedToken;
import io.costgen.core.TokenStream;
import io.costgen.core.testing.SharedModels;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

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

  @Test
  void withoutMaxLengthOrMaxNewTokens_generates20Tokens_cappedAtTheContextLength() {
    GeneratedSequence twenty = model.generator.generate("Once upon a time").first();
    assertThat(twenty.generatedLength()).isEqualTo(20);
    assertThat(twenty.finishReason()).isEqualTo(FinishReason.LENGTH);
    long[] prompt = Arrays.copyOf(prompts()[0], 500);
    Arrays.fill(prompt, 5, 500, 261L);
    GeneratedSequence capped = alone(prompt, GenerationConfig.defaults());
    assertThat(capped.tokenIds()).hasSize(512); // the context length
    GeneratedSequence exactFit = alone(prompt, newTokens(12).build());
    assertThat(exactFit.tokenIds()).containsExactly(capped.tokenIds());
  }

  @Test
  void tokenStream_closedAfterThreeTokens_cancelsTheCall_andReleasesTheSession() {
    GenerationResult result;
    try (TokenStream stream = model.generator.stream("Once upon a time")) {
      for (int i = 0; i < 3; i++) {
        StreamedToken t = stream.next();
        assertThat(t.tokenIndex()).isEqualTo(i);
      }
      stream.close();
      result = stream.result();
    }
    GeneratedSequence s = result.first();
    assertThat(s.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(s.generatedLength()).as("pulled lazily: nothing beyond the 3 tokens read").isEqualTo(3);
    assertThat(s.tokenIds()).containsExactly(Arrays.copyOf(referenceGreedy(prompts()[0], 4), s.tokenIds().length));
    assertThat(result.usage().completionTokens()).isEqualTo(s.generatedLength());
    assertThat(model.backend.openSessions()).isZero();
  }

  @Test
  void cancellationFromAnotherThread_endsTheCallWithWhatItGenerated() throws Exception {
    Cancellation cancellation = Cancellation.create();
    CountDownLatch thirdToken = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    GenerationRequest request = GenerationRequest.builder().tokenIds(prompts()[0])
        .config(newTokens(400).build()).cancellation(cancellation)
        .onToken(t -> {
          if (t.tokenIndex() == 2) {
            thirdToken.countDown();
            try {
              assertThat(cancelled.await(1, TimeUnit.MINUTES)).isTrue(); // hold until cancelled
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }).build();
    CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
      try {
        thirdToken.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      cancellation.cancel();
      cancelled.countDown();
    });
    GenerationResult r = model.generator.generate(request);
    canceller.get(1, TimeUnit.MINUTES);
    GeneratedSequence s = r.first();
    assertThat(s.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(s.generatedLength()).isEqualTo(3);
    assertThat(s.tokenIds()).containsExactly(Arrays.copyOf(referenceGreedy(prompts()[0], 3), s.tokenIds().length));
    assertThat(model.backend.openSessions()).isZero();
    // the generator and backend stay usable
    assertThat(alone(prompts()[0], newTokens(3).build()).tokenIds())
        .containsExactly(referenceGreedy(prompts()[0], 3));
  }
}

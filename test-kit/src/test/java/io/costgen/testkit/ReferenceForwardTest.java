package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReferenceForwardTest {

  private final SyntheticModel llama = SyntheticModels.tinyLlama().vocab(300).initStd(0.1).build();
  private final SyntheticModel gpt2 = SyntheticModels.tiny().vocab(300).initStd(0.1).build();

  @Test
  void logitsAtAPosition_doNotDependOnLaterTokens() {
    for (SyntheticModel m : new SyntheticModel[] {llama, gpt2}) {
      ReferenceForward ref = ReferenceForward.of(m);
      float[][] a = ref.logits(new long[] {3, 4, 5, 6});
      float[][] b = ref.logits(new long[] {3, 4, 9, 10});
      assertThat(a[1]).containsExactly(b[1]);
      assertThat(a[2]).isNotEqualTo(b[2]);
    }
  }

  @Test
  void sameSeed_sameLogits_otherSeed_otherLogits() {
    long[] ids = {10, 20, 30};
    float[][] a = ReferenceForward.of(gpt2).logits(ids);
    float[][] b = ReferenceForward.of(SyntheticModels.tiny().vocab(300).initStd(0.1).build())
        .logits(ids);
    float[][] c = ReferenceForward.of(gpt2.toBuilder().seed(1).build()).logits(ids);
    assertThat(a[2]).containsExactly(b[2]);
    assertThat(a[2]).isNotEqualTo(c[2]);
  }

  @Test
  void rotaryModel_dependsOnPositionIds() {
    ReferenceForward ref = ReferenceForward.of(llama);
    float[][] a = ref.logits(new long[] {3, 4}, new long[] {0, 1});
    float[][] b = ref.logits(new long[] {3, 4}, new long[] {5, 6});
    assertThat(a[1]).isNotEqualTo(b[1]);
    // RoPE attention depends on relative positions only: a shift leaves scores unchanged.
    for (int v = 0; v < a[1].length; v++) {
      assertThat(b[1][v]).isCloseTo(a[1][v], org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void tokenIdsOutsideTheVocabulary_areRejected() {
    ReferenceForward ref = ReferenceForward.of(gpt2);
    assertThatThrownBy(() -> ref.logits(new long[] {300}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenIds: 300");
  }
}

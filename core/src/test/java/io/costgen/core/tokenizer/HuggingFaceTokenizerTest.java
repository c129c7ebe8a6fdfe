package io.costgen.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.ModelLoadException;
import io.costgen.core.testing.SharedModels;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HuggingFaceTokenizerTest {

  private static HuggingFaceTokenizer tokenizer;

  @BeforeAll
  static void open() {
    tokenizer = HuggingFaceTokenizer.open(SharedModels.model(SharedModels.STORIES_260K));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void encode_addsBos_likeLlama2c() {
    assertThat(tokenizer.encode("Once upon a time")).containsExactly(1, 403, 407, 261, 378);
    assertThat(tokenizer.encode("")).containsExactly(1);
  }

  @Test
  void encode_withoutSpecialTokens_dropsBos() {
    assertThat(tokenizer.encode("Once upon a time", false)).containsExactly(403, 407, 261, 378);
  }

  @Test
  void encode_neverTruncatesLongPrompts() {
    assertThat(tokenizer.encode("a b".repeat(400)).length).isGreaterThan(512);
  }

  @Test
  void decode_skipsOrKeepsSpecialTokens() {
    long[] ids = {1, 403, 407, 261, 378, 2};
    assertThat(tokenizer.decode(ids, true)).isEqualTo("Once upon a time");
    assertThat(tokenizer.decode(ids)).contains("<s>").contains("</s>");
    assertThat(tokenizer.decode(new long[0], true)).isEmpty();
  }

  @Test
  void isByteFallbackPiece_isTrueForTheByteTokensOnly() {
    assertThat(tokenizer.isByteFallbackPiece(3)).isTrue();   // <0x00>
    assertThat(tokenizer.isByteFallbackPiece(258)).isTrue(); // <0xFF>
    assertThat(tokenizer.isByteFallbackPiece(2)).isFalse();
    assertThat(tokenizer.isByteFallbackPiece(259)).isFalse();
    assertThat(tokenizer.isByteFallbackPiece(-1)).isFalse();
  }

  @Test
  void open_acceptsTheJsonFileItself() {
    Path file = SharedModels.model(SharedModels.STORIES_260K).resolve("tokenizer.json");
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.open(file)) {
      assertThat(t.encode("Once upon a time")).containsExactly(1, 403, 407, 261, 378);
      assertThat(t.source()).isEqualTo(file);
    }
  }

  @Test
  void open_setsDjlOfflineAndTrackingOptOut() {
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("true");
  }

  @Test
  void open_failsWithModelLoadException_namingTheMissingPath() {
    Path missing = Path.of("/nonexistent/dir");
    assertThatThrownBy(() -> HuggingFaceTokenizer.open(missing))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("/nonexistent/dir").hasMessageContaining("not found");
  }

  @Test
  void close_makesLaterCallsFailClearly() {
    HuggingFaceTokenizer t = HuggingFaceTokenizer.open(SharedModels.model(SharedModels.STORIES_260K));
    t.close();
    t.close();
    assertThatThrownBy(() -> t.encode("x")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}

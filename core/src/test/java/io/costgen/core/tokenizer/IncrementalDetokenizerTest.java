package io.costgen.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.testing.SharedModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IncrementalDetokenizerTest {

  /** run.c's greedy continuation of "Once upon a time" (stories260k README). */
  private static final long[] ONCE_UPON = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317,
      426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394,
      261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270,
      333, 415, 426, 13, 438, 310};

  private static HuggingFaceTokenizer tokenizer;

  @BeforeAll
  static void open() {
    tokenizer = HuggingFaceTokenizer.open(SharedModels.model(SharedModels.STORIES_260K));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static List<String> stream(long[] ids, int promptLength) {
    IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, Arrays.copyOf(ids, promptLength));
    List<String> deltas = new ArrayList<>();
    for (int i = promptLength; i < ids.length; i++) {
      deltas.add(d.add(ids[i]));
    }
    deltas.add(d.finish());
    return deltas;
  }

  @Test
  void deltas_concatenateToTheCompletion_withLeadingSpaceKept() {
    List<String> deltas = stream(ONCE_UPON, 5);
    assertThat(String.join("", deltas)).isEqualTo(", there was a little girl named Lily. She loved to play outside"
        + " in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily");
    assertThat(deltas.get(1)).isEqualTo(" there");
    assertThat(deltas.get(deltas.size() - 1)).isEmpty();
  }

  @Test
  void deltas_afterBosOnlyPrompt_startWithoutSpace_likeFullDecode() {
    List<String> deltas = stream(ONCE_UPON, 1);
    assertThat(deltas.get(0)).isEqualTo("Once");
    assertThat(String.join("", deltas)).isEqualTo(tokenizer.decode(ONCE_UPON, true));
  }

  @Test
  void deltas_neverContainBrokenUtf8_forByteFallbackTokens() {
    long[] ids = tokenizer.encode("héllo 😀 and ünïcödé ✓ x");
    List<String> deltas = stream(ids, 1);
    assertThat(deltas).allSatisfy(d -> assertThat(d).doesNotContain("\uFFFD"));
    assertThat(String.join("", deltas)).isEqualTo("héllo 😀 and ünïcödé ✓ x");
    // the emoji's four byte pieces produce text only once a non-byte token ends their run
    assertThat(deltas).anySatisfy(d -> assertThat(d).contains("😀"));
  }

  @Test
  void finish_flushesHeldBackIncompleteBytes() {
    long[] ids = tokenizer.encode("a 😀");
    long[] cut = Arrays.copyOf(ids, ids.length - 1); // emoji missing its last byte
    List<String> deltas = stream(cut, 1);
    assertThat(deltas.subList(0, deltas.size() - 1)).allSatisfy(d -> assertThat(d).doesNotContain("\uFFFD"));
    assertThat(deltas.get(deltas.size() - 1)).contains("\uFFFD");
    assertThat(String.join("", deltas)).isEqualTo(IncrementalDetokenizer.completion(tokenizer, cut, 1, true));
  }

  @Test
  void byteRuns_areHeldUntilTheRunEnds_becauseAnInvalidRunBecomesReplacementChars() {
    // <0x71> ("q") then <0xE2> (a lone lead byte): the decoder turns the whole run into U+FFFD
    long[] ids = {1, 403, 0x71 + 3, 0xE2 + 3, 407};
    List<String> deltas = stream(ids, 2);
    assertThat(deltas.get(0)).isEmpty();
    assertThat(deltas.get(1)).isEmpty();
    assertThat(String.join("", deltas)).isEqualTo(IncrementalDetokenizer.completion(tokenizer, ids, 2, true))
        .doesNotContain("q");
  }

  @Test
  void specialTokens_addNoText() {
    IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, new long[] {1, 403});
    assertThat(d.add(2)).isEmpty();
    assertThat(d.finish()).isEmpty();
    assertThat(d.generatedTokens()).isEqualTo(1);
  }

  @Test
  void completion_isFullTextMinusPromptText() {
    assertThat(IncrementalDetokenizer.completion(tokenizer, new long[] {1, 403, 407, 261, 378, 432, 383}, 5, true))
        .isEqualTo(", there");
    assertThat(IncrementalDetokenizer.completion(tokenizer, new long[] {1, 403, 407}, 1, true))
        .isEqualTo("Once upon");
  }
}

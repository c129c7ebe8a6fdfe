package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer.json and companions, loaded with DJL's Hugging Face tokenizers binding. */
class HuggingFaceFilesTest {

  private static final String TEXT =
      "Hello, world! The quick brown fox jumps over the lazy dog.\n\tIt's 42 degrees; ~done?";

  @TempDir
  Path tmp;

  @Test
  void byteToUnicode_mapsPrintableBytesToThemselvesAndSpaceToGdot() {
    char[] table = HuggingFaceFiles.byteToUnicode();
    assertThat(table['!']).isEqualTo('!');
    assertThat(table['a']).isEqualTo('a');
    assertThat(table[' ']).isEqualTo('\u0120');
    assertThat(table[0]).isEqualTo('\u0100');
    assertThat(new String(table).chars().distinct().count()).isEqualTo(256);
  }

  @Test
  void gpt2Tokenizer_roundTripsAsciiText_withIdsInsideTheVocabulary() throws IOException {
    SyntheticModel m = SyntheticModels.tiny().build();
    HuggingFaceFiles.writeAll(m, tmp);
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tmp)) {
      Encoding enc = tokenizer.encode(TEXT);
      long[] ids = enc.getIds();
      assertIdsWithin(ids, m.vocabSize());
      assertThat(ids.length).isLessThan(TEXT.length()); // the merges do shorten English
      assertThat(java.util.stream.LongStream.of(ids).max().getAsLong()).isGreaterThanOrEqualTo(256);
      assertThat(tokenizer.decode(ids, true)).isEqualTo(TEXT);
      long[] withEos = java.util.Arrays.copyOf(ids, ids.length + 1);
      withEos[ids.length] = m.eosTokenId();
      assertThat(tokenizer.decode(withEos, false)).isEqualTo(TEXT + "<|endoftext|>");
    }
  }

  @Test
  void llamaTokenizer_prependsBos_andDecodesBackWithoutSpecials() throws IOException {
    SyntheticModel m = SyntheticModels.tinyLlama().vocab(300).build();
    HuggingFaceFiles.writeAll(m, tmp);
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tmp)) {
      long[] ids = tokenizer.encode(TEXT).getIds();
      assertThat(ids[0]).isEqualTo(m.bosTokenId());
      assertIdsWithin(ids, 300);
      assertThat(tokenizer.decode(ids, true)).isEqualTo(TEXT);
    }
  }

  @Test
  void gpt2SmallTokenizer_coversExactlyTheVocabulary_withEndOfTextLast() throws IOException {
    SyntheticModel m = SyntheticModels.gpt2Small().build();
    Map<String, Object> tokenizerJson = HuggingFaceFiles.tokenizer(m);
    @SuppressWarnings("unchecked")
    Map<String, Object> model = (Map<String, Object>) tokenizerJson.get("model");
    @SuppressWarnings("unchecked")
    Map<String, Integer> vocab = (Map<String, Integer>) model.get("vocab");
    assertThat(vocab).hasSize(50257);
    assertThat(vocab.get("<|endoftext|>")).isEqualTo(50256);
    assertThat(vocab.values()).doesNotHaveDuplicates();
    assertThat((java.util.List<?>) model.get("merges")).hasSize(50257 - 256 - 1);

    Path file = tmp.resolve("tokenizer.json");
    new ObjectMapper().writeValue(file.toFile(), tokenizerJson);
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file)) {
      long[] ids = tokenizer.encode(TEXT).getIds();
      assertIdsWithin(ids, 50257);
      assertThat(tokenizer.decode(ids, true)).isEqualTo(TEXT);
    }
  }

  private static void assertIdsWithin(long[] ids, int vocab) {
    for (long id : ids) {
      assertThat(id).isBetween(0L, vocab - 1L);
    }
  }
}

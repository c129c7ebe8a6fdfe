package io.costgen.onnx.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.core.testing.SharedModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The run.c greedy reference outputs of stories260k, read from the machine-readable JSON block
 * of its README (so the test checks exactly what the README promises).
 */
final class Stories260kReference {
  private Stories260kReference() {}

  /** One reference run: prompt text, its ids (BOS first), the expected 65 ids and text. */
  record Run(String prompt, long[] promptIds, int newTokens, int maxTotalTokens, long[] expectedIds,
      String expectedText) {}

  static Path dir() {
    return SharedModels.model(SharedModels.STORIES_260K);
  }

  static List<Run> runs() {
    Path readme = dir().resolve("README.md");
    try {
      String text = Files.readString(readme);
      int start = text.indexOf("```json\n");
      int end = text.indexOf("\n```", start + 8);
      if (start < 0 || end < 0) {
        throw new AssertionError(readme + ": no ```json block with the reference outputs");
      }
      JsonNode array = new ObjectMapper().readTree(text.substring(start + 8, end));
      List<Run> runs = new ArrayList<>();
      for (JsonNode n : array) {
        runs.add(new Run(n.get("prompt").asText(), longs(n.get("prompt_token_ids")),
            n.get("new_tokens").asInt(), n.get("max_total_tokens").asInt(),
            longs(n.get("expected_token_ids")), n.get("expected_text").asText()));
      }
      return runs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}

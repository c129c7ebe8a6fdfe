package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.core.testing.SharedModels;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code costgen chat} end to end on stories260k with a ChatML template (the model ships none). */
class ChatCommandTest {
  static final Path CHATML = Paths.get("src/test/resources/chat/chatml.jinja");
  static final String PROMPT = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nOnce upon a time<|im_end|>\n"
      + "<|im_start|>assistant\n";

  @Test
  void renderOnlyJsonPrintsThePromptAndItsTokenIds() throws Exception {
    CostgenCliTest.Run r = CostgenCliTest.run("chat", "--model", CostgenCliTest.stories(), "--chat-template",
        CHATML.toString(), "--system", "Be brief.", "--user", "Once upon a time", "--render-only", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.get("prompt").asText()).isEqualTo(PROMPT);
    long[] ids = new long[root.get("tokenIds").size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = root.get("tokenIds").get(i).asLong();
    }
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.open(SharedModels.model(SharedModels.STORIES_260K))) {
      assertThat(ids).isEqualTo(t.encode(PROMPT, false));
      assertThat(ids[0]).isNotEqualTo(1L); // no BOS added to a rendered prompt
    }
  }

  @Test
  void chatJsonHasTheGenerateContractAndTheMessage(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("chat.json");
    Files.writeString(file, "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
        + "\"add_generation_prompt\":true}");
    CostgenCliTest.Run r = CostgenCliTest.run("chat", "--model", CostgenCliTest.stories(), "--chat-template",
        CHATML.toString(), "--messages", file.toString(), "--max-new-tokens", "6", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.get("usage").get("completionTokens").asInt()).isEqualTo(6);
    assertThat(root.get("cost").get("money").asText()).isNotEmpty();
    JsonNode m = root.get("message");
    assertThat(m.get("role").asText()).isEqualTo("assistant");
    assertThat(m.get("toolCalls").isArray()).isTrue();
    JsonNode seq = root.get("sequences").get(0);
    long[] gen = new long[seq.get("generatedTokenIds").size()];
    for (int i = 0; i < gen.length; i++) {
      gen[i] = seq.get("generatedTokenIds").get(i).asLong();
    }
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.open(SharedModels.model(SharedModels.STORIES_260K))) {
      assertThat(m.get("content").asText()).isEqualTo(t.decode(gen, true));
    }
  }

  @Test
  void textModePrintsTheReplyAndCost() {
    CostgenCliTest.Run r = CostgenCliTest.run("chat", "--model", CostgenCliTest.stories(), "--chat-template",
        CHATML.toString(), "--user", "Once upon a time", "--max-new-tokens", "4");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("usage:  ").contains("4 completion tokens").contains("cost:");
  }

  @Test
  void badInputExitsTwoWithOneLineNamingTheOption(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}");
    for (String[] args : new String[][] {
        {"--messages", bad.toString()},
        {"--user", "x", "--var", "=1"},
        {"--user", "x", "--date", "2026-13-40"},
        {"--user", "x", "--chat-template", dir.resolve("missing.jinja").toString()},
        {"--user", "x"}}) { // stories260k has no chat template of its own
      String[] full = new String[args.length + 3];
      full[0] = "chat";
      full[1] = "--model";
      full[2] = CostgenCliTest.stories();
      System.arraycopy(args, 0, full, 3, args.length);
      CostgenCliTest.Run r = CostgenCliTest.run(full);
      assertThat(r.exitCode()).as(Arrays.toString(args) + " " + r.err()).isEqualTo(2);
      assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).containsAnyOf("--messages", "--var", "--date", "--chat-template");
      assertThat(r.out()).isEmpty();
    }
  }
}

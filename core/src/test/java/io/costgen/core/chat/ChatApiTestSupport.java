package io.costgen.core.chat;

import io.costgen.core.testing.SharedModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A stories260k folder with a ChatML chat template (the model ships none), in a fresh temp folder. */
final class ChatApiTestSupport {
  private ChatApiTestSupport() {}

  static Path chatmlStories() {
    try {
      Path dir = Files.createTempDirectory("stories260k-chatml");
      dir.toFile().deleteOnExit();
      Files.copy(SharedModels.model(SharedModels.STORIES_260K).resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
      try (InputStream in = ChatApiTestSupport.class.getResourceAsStream("/chat/stories260k-chatml/tokenizer_config.json")) {
        Files.copy(in, dir.resolve("tokenizer_config.json"));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

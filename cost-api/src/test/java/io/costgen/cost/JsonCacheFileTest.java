package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonCacheFileTest {

  @TempDir
  Path dir;

  @Test
  void missingUnreadableAndNonObjectFilesReadAsEmpty() throws IOException {
    assertThat(JsonCacheFile.read(dir.resolve("none.json"), "test cache").isEmpty()).isTrue();
    Path broken = Files.writeString(dir.resolve("broken.json"), "{not json");
    assertThat(JsonCacheFile.read(broken, "test cache").isEmpty()).isTrue();
    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    assertThat(JsonCacheFile.read(array, "test cache").isEmpty()).isTrue();
  }

  @Test
  void writeCreatesTheFolder_roundTrips_andLeavesNoTemporaryFile() throws IOException {
    Path file = dir.resolve("a/b/cache.json");
    ObjectNode root = JsonCacheFile.read(file, "test cache");
    root.putObject("profiles").put("m1", 42);
    JsonCacheFile.write(file, root);
    ObjectNode back = JsonCacheFile.read(file, "test cache");
    assertThat(back.path("profiles").path("m1").asInt()).isEqualTo(42);
    back.with("profiles").put("m2", 7); // a second write keeps the first entry
    JsonCacheFile.write(file, back);
    assertThat(JsonCacheFile.read(file, "test cache").path("profiles").size()).isEqualTo(2);
    try (Stream<Path> s = Files.list(file.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("cache.json");
    }
  }

  @Test
  void anUnwritableFileIsAnUncheckedErrorNamingIt() throws IOException {
    Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
    Path file = notADir.resolve("cache.json");
    assertThatThrownBy(() -> JsonCacheFile.write(file, JsonCacheFile.read(file, "test cache")))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining(file.toString());
  }
}

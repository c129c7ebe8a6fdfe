package io.costgen.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache file holding one JSON object (calibration results keyed by machine): read leniently
 * (a missing, unreadable or non-object file reads as an empty object, with a warning) and written
 * atomically (a temporary file in the same folder, then an atomic rename where the file system
 * supports it), so a reader never sees a half-written file. Used by {@link CpuCalibration},
 * {@link OnlineCorrection#save} and the ONNX Runtime calibration. Stateless and thread-safe; callers serialize their own
 * read-modify-write cycles.
 */
public final class JsonCacheFile {
  private static final Logger LOG = LoggerFactory.getLogger(JsonCacheFile.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonCacheFile() {}

  /**
   * The JSON object in {@code file}, or a new empty object when the file is missing, unreadable or
   * not a JSON object (the last two are logged, naming {@code what} the file is).
   *
   * @param what the file's role in log lines, e.g. {@code "calibration cache"}
   */
  public static ObjectNode read(Path file, String what) {
    Objects.requireNonNull(file, "file");
    if (Files.isRegularFile(file)) {
      try {
        JsonNode n = JSON.readTree(file.toFile());
        if (n instanceof ObjectNode o) {
          return o;
        }
        LOG.warn("{} {} does not hold a JSON object; treating it as empty", what, file);
      } catch (IOException e) {
        LOG.warn("{} {} is unreadable ({}); treating it as empty", what, file, e.getMessage());
      }
    }
    return JSON.createObjectNode();
  }

  /**
   * Writes {@code root} (pretty-printed) to {@code file} atomically, creating its folder.
   *
   * @throws UncheckedIOException naming the file when it cannot be written
   */
  public static void write(Path file, JsonNode root) {
    Objects.requireNonNull(root, "root");
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      String name = file.getFileName().toString();
      Path tmp = Files.createTempFile(dir, name.length() < 3 ? "cache" : name, ".tmp");
      try {
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}

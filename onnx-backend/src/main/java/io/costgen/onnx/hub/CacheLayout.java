package io.costgen.onnx.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk cache:
 *
 * <pre>
 * &lt;root&gt;/&lt;org&gt;--&lt;name&gt;/.lock                         lock file for writers
 * &lt;root&gt;/&lt;org&gt;--&lt;name&gt;/refs/&lt;revision&gt;                resolved commit sha (text)
 * &lt;root&gt;/&lt;org&gt;--&lt;name&gt;/&lt;commit-or-revision&gt;/...        the model folder (repo-relative paths)
 * &lt;root&gt;/&lt;org&gt;--&lt;name&gt;/&lt;commit-or-revision&gt;/.costgen-complete-&lt;selection&gt;.json
 * </pre>
 *
 * A revision containing {@code /} is stored with {@code %2F}. The completion manifest lists the
 * files of one selection (default, a variant, or an explicit ONNX file) with their sizes; a
 * snapshot counts as cached only when its manifest exists and every listed file has that size.
 */
final class CacheLayout {
  private static final Logger log = LoggerFactory.getLogger(CacheLayout.class);
  private static final String MANIFEST_PREFIX = ".costgen-complete-";

  private final Path root;
  private final ObjectMapper json = new ObjectMapper();

  CacheLayout(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path repoDir(HubModelRef ref) {
    return root.resolve(ref.org() + "--" + ref.name());
  }

  Path lockFile(HubModelRef ref) {
    return repoDir(ref).resolve(".lock");
  }

  Path snapshotDir(HubModelRef ref, String snapshotName) {
    return repoDir(ref).resolve(snapshotName);
  }

  /** The snapshot folder name for a revision whose commit is unknown. */
  static String encodeRevision(String revision) {
    return revision.replace("/", "%2F");
  }

  static String selectionKey(String variant, String onnxFile) {
    if (onnxFile != null) {
      return "file-" + onnxFile.replace("/", "%2F");
    }
    return variant == null ? "default" : "variant-" + variant;
  }

  private Path refFile(HubModelRef ref) {
    return repoDir(ref).resolve("refs").resolve(encodeRevision(ref.revision()));
  }

  /** The commit sha recorded for {@code ref.revision()}, if any. */
  Optional<String> readRef(HubModelRef ref) {
    Path file = refFile(ref);
    try {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      String sha = Files.readString(file, StandardCharsets.UTF_8).trim().toLowerCase(Locale.ROOT);
      return sha.matches("[0-9a-f]{40}") ? Optional.of(sha) : Optional.empty();
    } catch (IOException e) {
      log.debug("cannot read {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /** Records that {@code ref.revision()} resolves to {@code commit}; no-op for a sha revision. */
  void writeRef(HubModelRef ref, String commit) throws IOException {
    if (commit == null || ref.revision().equals(commit)) {
      return;
    }
    Path file = refFile(ref);
    Files.createDirectories(file.getParent());
    writeAtomically(file, commit.getBytes(StandardCharsets.UTF_8));
  }

  /** A complete cached snapshot of {@code ref} for {@code selectionKey}, without the network. */
  Optional<Path> findComplete(HubModelRef ref, String selectionKey) {
    Set<String> names = new LinkedHashSet<>();
    if (ref.isCommitSha()) {
      names.add(ref.revision());
    } else {
      readRef(ref).ifPresent(names::add);
      names.add(encodeRevision(ref.revision()));
    }
    for (String name : names) {
      Path dir = snapshotDir(ref, name);
      if (isComplete(dir, selectionKey)) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code dir} holds a manifest for {@code selectionKey} whose files all exist intact. */
  boolean isComplete(Path dir, String selectionKey) {
    Path manifest = dir.resolve(MANIFEST_PREFIX + selectionKey + ".json");
    if (!Files.isRegularFile(manifest)) {
      return false;
    }
    try {
      JsonNode files = json.readTree(manifest.toFile()).path("files");
      if (!files.isArray() || files.isEmpty()) {
        return false;
      }
      for (JsonNode f : files) {
        String path = f.path("path").asText("");
        if (!FileSelection.isSafeRelativePath(path)) {
          return false;
        }
        Path file = dir.resolve(path);
        if (!Files.isRegularFile(file) || Files.size(file) != f.path("size").asLong(-1)) {
          log.debug("cached snapshot {} is incomplete: {} missing or resized", dir, path);
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      log.debug("cannot read {}: {}", manifest, e.toString());
      return false;
    }
  }

  /** A file of a finished snapshot. */
  record Entry(String path, long size) {}

  /** Marks {@code dir} complete for {@code selectionKey}. */
  void writeManifest(
      Path dir, String selectionKey, HubModelRef ref, String commit, List<Entry> entries)
      throws IOException {
    ObjectNode root = json.createObjectNode();
    root.put("model", ref.toString());
    if (commit != null) {
      root.put("commit", commit);
    } else {
      root.putNull("commit");
    }
    root.put("selection", selectionKey);
    ArrayNode files = root.putArray("files");
    for (Entry e : new ArrayList<>(entries)) {
      files.addObject().put("path", e.path()).put("size", e.size());
    }
    writeAtomically(
        dir.resolve(MANIFEST_PREFIX + selectionKey + ".json"),
        json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  /** Writes a temp file beside {@code target}, then renames it over {@code target}. */
  static void writeAtomically(Path target, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
    try {
      Files.write(tmp, content);
      moveAtomically(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Renames {@code source} to {@code target}, replacing it; atomically where supported. */
  static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

package io.costgen.onnx.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the last-position-logits variant of a model file ({@link LastPositionRewrite}) and
 * caches it under {@code <cacheRoot>/<sha256 of the original>-lastpos-v1/<file name>}, so a
 * second load of the same content reuses it. A graph with external data is cached without its
 * data (a few kilobytes to megabytes) and loaded from bytes with the original folder as the
 * external-data folder ({@link Prepared#externalDataDir()}). A graph that cannot be rewritten
 * is remembered ({@code unchanged.txt}) and loaded as it is; any failure leaves the original in
 * use and says why in one log line.
 *
 * <p>Stateless and thread-safe; concurrent preparations of the same model write to temporary
 * files and move them into place atomically.
 */
public final class LastPositionGraphs {

  private static final Logger LOG = LoggerFactory.getLogger(LastPositionGraphs.class);
  private static final String VERSION = "-lastpos-v1";
  private static final String EXTERNAL = "external-data.txt";

  private LastPositionGraphs() {}

  /**
   * The file to load: the rewritten graph, or the original with the reason it was kept.
   *
   * @param externalDataDir where the rewritten graph's external-data files are (the original's
   *     folder), when it has any: ONNX Runtime must load it from bytes with that folder set, as
   *     it refuses data paths outside the graph's own folder
   */
  public record Prepared(Path file, boolean rewritten, String reason,
      Optional<Path> externalDataDir) {}

  /** The default cache root: {@code ~/.cache/costgen/graphs}. */
  public static Path defaultCacheRoot() {
    return Path.of(System.getProperty("user.home"), ".cache", "costgen", "graphs");
  }

  /**
   * Returns the rewritten variant of {@code modelFile} for the graph output {@code logits},
   * writing it to the cache on first use; never throws for a graph it cannot rewrite or a cache
   * it cannot write (the original is returned and a line logged).
   */
  public static Prepared prepare(Path modelFile, String logits, Path cacheRoot) {
    try {
      return prepareOrThrow(modelFile, logits, cacheRoot);
    } catch (IOException | ProtoSplice.Malformed | RuntimeException e) {
      return kept(modelFile, "cannot rewrite: " + e);
    }
  }

  private static Prepared prepareOrThrow(Path modelFile, String logits, Path cacheRoot)
      throws IOException, ProtoSplice.Malformed {
    try (FileChannel ch = FileChannel.open(modelFile, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        return kept(modelFile, "the file is over 2 GiB");
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      String hash = sha256(map);
      Path dir = cacheRoot.resolve(hash + VERSION);
      Path target = dir.resolve(modelFile.getFileName().toString());
      Path marker = dir.resolve("unchanged.txt");
      if (Files.isRegularFile(target)) {
        LOG.debug("Last-position graph of {} from the cache {}", modelFile, target);
        return rewritten(modelFile, target, Files.isRegularFile(dir.resolve(EXTERNAL)));
      }
      if (Files.isRegularFile(marker)) {
        return kept(modelFile, Files.readString(marker).strip());
      }
      LastPositionRewrite.Outcome outcome = LastPositionRewrite.rewrite(map, logits);
      Files.createDirectories(dir);
      if (outcome.model().isEmpty()) {
        writeAtomically(marker, outcome.reason());
        return kept(modelFile, outcome.reason());
      }
      if (!outcome.externalLocations().isEmpty()) {
        writeAtomically(dir.resolve(EXTERNAL), String.join("\n", outcome.externalLocations()));
      }
      Path tmp = Files.createTempFile(dir, "rewrite", ".tmp");
      try {
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
          outcome.model().get().writeTo(out);
        }
        move(tmp, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
      LOG.info("Prefill computes last-position logits only for {} (rewritten graph {})",
          modelFile, target);
      return rewritten(modelFile, target, !outcome.externalLocations().isEmpty());
    }
  }

  private static Prepared kept(Path modelFile, String why) {
    LOG.info("Prefill keeps full logits for {}: {}", modelFile, why);
    return new Prepared(modelFile, false, why, Optional.empty());
  }

  private static Prepared rewritten(Path modelFile, Path target, boolean external) {
    return new Prepared(target, true, "", external
        ? Optional.of(modelFile.toAbsolutePath().getParent()) : Optional.empty());
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), "marker", ".tmp");
    try {
      Files.writeString(tmp, text + "\n");
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static String sha256(ByteBuffer content) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    md.update(content.duplicate());
    return HexFormat.of().formatHex(md.digest());
  }

  /** Exposed for tests: the rewritten bytes of a small model, or empty with the reason. */
  static Optional<byte[]> rewriteInMemory(ByteBuffer model, String logits, StringBuilder why)
      throws IOException, ProtoSplice.Malformed {
    LastPositionRewrite.Outcome o = LastPositionRewrite.rewrite(model, logits);
    if (o.model().isEmpty()) {
      why.append(o.reason());
      return Optional.empty();
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    o.model().get().writeTo(java.nio.channels.Channels.newChannel(bytes));
    return Optional.of(bytes.toByteArray());
  }
}

package io.costgen.onnx.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one file into {@code <target>.part}, resuming with {@code Range} when the part exists,
 * checks its size and sha256 (when the hub announces one), then renames it to {@code target}.
 * The caller holds the model's {@link ModelLock}.
 *
 * <p>Size caps: a download stops as soon as it passes the announced size (listing, linked size or
 * {@code Content-Length}) and is deleted; a JSON, text, template or tokenizer-model file may be
 * at most {@link #MAX_METADATA_BYTES} whether or not a size is announced.
 */
final class FileFetcher {
  private static final Logger log = LoggerFactory.getLogger(FileFetcher.class);
  private static final int BUFFER_BYTES = 64 * 1024;
  /** Largest JSON/text/template/tokenizer-model file fetched (64 MiB; real tokenizer.json files are below 40 MB). */
  static final long MAX_METADATA_BYTES = 64L << 20;
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("\\s*bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)\\s*", Pattern.CASE_INSENSITIVE);

  /** Receives the bytes of the current file on disk and its size (-1 when unknown). */
  interface Sink {
    void progress(long fileBytes, long fileTotalBytes);
  }

  private final HubHttp http;
  private final HubModelRef ref;
  private final int maxAttempts;

  FileFetcher(HubHttp http, HubModelRef ref, int maxAttempts) {
    this.http = http;
    this.ref = ref;
    this.maxAttempts = maxAttempts;
  }

  static Path partFile(Path target) {
    return target.resolveSibling(target.getFileName() + ".part");
  }

  /**
   * Fetches {@code uri} to {@code target}.
   *
   * @param expectedSize size from the listing, or -1
   * @param expectedSha256 sha256 from the listing, or null
   * @param optional when true a 404 returns -1 instead of throwing
   * @return the file size in bytes, or -1 when optional and absent
   */
  long fetch(
      URI uri,
      String path,
      Path target,
      long expectedSize,
      String expectedSha256,
      boolean optional,
      Sink sink)
      throws IOException {
    boolean metadata = isMetadata(path);
    if (metadata && expectedSize > MAX_METADATA_BYTES) {
      throw tooLarge(path, "is announced with " + expectedSize + " bytes");
    }
    Files.createDirectories(target.getParent());
    Path part = partFile(target);
    IOException lastFailure = null;
    boolean rangeRejected = false;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      long have = Files.isRegularFile(part) ? Files.size(part) : 0;
      if (expectedSize >= 0 && have > expectedSize) {
        Files.delete(part);
        have = 0;
      }
      if (have > 0) {
        log.info("{}: resuming {} at byte {}", ref, path, have);
      }
      try (HubHttp.Response r = http.get(uri, have > 0 ? "bytes=" + have + "-" : null)) {
        int status = r.status();
        if (status == 404 && optional) {
          return -1;
        }
        if (status == 416 && have > 0 && !rangeRejected) {
          // The part is already complete or stale: start over once, without counting an attempt.
          rangeRejected = true;
          Files.deleteIfExists(part);
          attempt--;
          continue;
        }
        if (status != 200 && status != 206) {
          throw http.statusError(ref, path, r);
        }
        long start = 0;
        long lengthFromResponse;
        if (status == 206) {
          Matcher m = CONTENT_RANGE.matcher(r.header("content-range").orElse(""));
          if (!m.matches() || Long.parseLong(m.group(1)) != have) {
            log.info("{}: unusable Content-Range for {}; restarting it", ref, path);
            Files.deleteIfExists(part);
            lastFailure = new IOException("unusable Content-Range answer to a resume request");
            continue;
          }
          start = have;
          lengthFromResponse = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        } else {
          if (have > 0) {
            log.info(
                "{}: {} ignored the resume request for {}; downloading it again from byte 0",
                ref,
                HubHttp.origin(r.uri()),
                path);
          }
          lengthFromResponse = r.contentLength();
        }
        long linked = r.linkedSize();
        long expected =
            expectedSize >= 0 ? expectedSize : linked >= 0 ? linked : lengthFromResponse;
        String sha256 = expectedSha256 != null ? expectedSha256 : r.linkedSha256();
        MessageDigest digest = sha256 == null ? null : sha256();
        if (digest != null && start > 0) {
          digestPrefix(part, start, digest);
        }
        if (metadata && expected > MAX_METADATA_BYTES) {
          Files.deleteIfExists(part);
          throw tooLarge(path, "is announced with " + expected + " bytes");
        }
        long limit = expected >= 0 ? expected : metadata ? MAX_METADATA_BYTES : Long.MAX_VALUE;
        sink.progress(start, expected);
        IOException readFailure;
        try {
          readFailure = copy(r.body(), part, start, digest, expected, limit, sink);
        } catch (Oversize e) {
          Files.deleteIfExists(part);
          throw expected >= 0
              ? new HubException(ref + ": " + path + " is larger than the " + expected
                  + " bytes the hub announced; stopped reading at byte " + e.limit + " and deleted it, run the download again")
              : tooLarge(path, "passed " + e.limit + " bytes");
        }
        long size = Files.size(part);
        if (readFailure != null || (expected >= 0 && size < expected)) {
          lastFailure =
              readFailure != null
                  ? readFailure
                  : new IOException("connection closed after " + size + " of " + expected + " bytes");
          log.info(
              "{}: download of {} interrupted at {} of {} bytes ({}){}",
              ref,
              path,
              size,
              expected,
              HubHttp.reason(lastFailure),
              attempt < maxAttempts ? "; resuming" : "");
          continue;
        }
        if (expected >= 0 && size != expected) {
          Files.deleteIfExists(part);
          throw new HubException(
              ref
                  + ": "
                  + path
                  + " arrived with "
                  + size
                  + " bytes but the hub announced "
                  + expected
                  + "; deleted it, run the download again");
        }
        if (digest != null) {
          String actual = HexFormat.of().formatHex(digest.digest());
          if (!actual.equalsIgnoreCase(sha256)) {
            Files.deleteIfExists(part);
            throw new HubException(
                ref
                    + ": sha256 mismatch for "
                    + path
                    + ": expected "
                    + sha256
                    + ", got "
                    + actual
                    + "; deleted the corrupt download, run it again");
          }
        }
        CacheLayout.moveAtomically(part, target);
        return size;
      }
    }
    long kept = Files.isRegularFile(part) ? Files.size(part) : 0;
    throw new HubException(
        ref
            + ": download of "
            + path
            + " failed after "
            + maxAttempts
            + " attempt(s) ("
            + (lastFailure == null ? "unknown error" : HubHttp.reason(lastFailure))
            + ")"
            + (kept > 0 ? "; " + kept + " bytes kept in " + part.getFileName() + ", run again to resume" : ""),
        lastFailure);
  }

  /** Whether {@code path} is a small text file (JSON, text, template, tokenizer model) that {@link #MAX_METADATA_BYTES} caps. */
  static boolean isMetadata(String path) {
    String p = path.toLowerCase(java.util.Locale.ROOT);
    return p.endsWith(".json") || p.endsWith(".txt") || p.endsWith(".jinja") || p.endsWith(".model")
        || p.endsWith(".md");
  }

  private HubException tooLarge(String path, String what) {
    return new HubException(ref + ": " + path + " " + what + "; JSON, text and tokenizer files may be at most "
        + MAX_METADATA_BYTES + " bytes (64 MiB); refused it");
  }

  /** The body went past the limit. */
  private static final class Oversize extends IOException {
    private static final long serialVersionUID = 1L;
    final long limit;

    Oversize(long limit) {
      super("more than " + limit + " bytes");
      this.limit = limit;
    }
  }

  /**
   * Streams {@code body} into {@code part} from byte {@code start}; returns the read failure
   * (network) if any. Write failures (disk) are thrown, and {@link Oversize} as soon as the file
   * would pass {@code limit} bytes (nothing past the limit is written).
   */
  private static IOException copy(
      InputStream body, Path part, long start, MessageDigest digest, long expected, long limit, Sink sink)
      throws IOException {
    OpenOption[] options =
        start == 0
            ? new OpenOption[] {
              StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE
            }
            : new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.APPEND};
    long done = start;
    byte[] buffer = new byte[BUFFER_BYTES];
    try (OutputStream out = Files.newOutputStream(part, options)) {
      while (true) {
        int n;
        try {
          n = body.read(buffer);
        } catch (IOException e) {
          if (Thread.currentThread().isInterrupted() || e instanceof InterruptedIOException) {
            InterruptedIOException stop = new InterruptedIOException("download interrupted");
            stop.initCause(e);
            throw stop;
          }
          return e;
        }
        if (n < 0) {
          return null;
        }
        if (n > limit - done) {
          throw new Oversize(limit);
        }
        out.write(buffer, 0, n);
        if (digest != null) {
          digest.update(buffer, 0, n);
        }
        done += n;
        sink.progress(done, expected);
      }
    }
  }

  private static void digestPrefix(Path part, long length, MessageDigest digest) throws IOException {
    byte[] buffer = new byte[BUFFER_BYTES];
    long left = length;
    try (InputStream in = Files.newInputStream(part)) {
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(part + " shrank while resuming");
        }
        digest.update(buffer, 0, n);
        left -= n;
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}

package io.costgen.onnx.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.onnx.hub.FileSelection.RemoteFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One online download of one model; the caller holds the model's {@link ModelLock}. */
final class DownloadJob {
  private static final Logger log = LoggerFactory.getLogger(DownloadJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HubModelRef ref;
  private final HubHttp http;
  private final CacheLayout cache;
  private final FileFetcher fetcher;
  private final GuardedListener listener;
  private final String variant;
  private final String onnxFile;
  private final String selectionKey;

  private final List<CacheLayout.Entry> fetched = new ArrayList<>();
  private int fileCount = -1;
  private int fileIndex;
  private long overallTotal = -1;
  private long overallDone;

  DownloadJob(
      HubModelRef ref,
      HubHttp http,
      CacheLayout cache,
      ProgressListener listener,
      String variant,
      String onnxFile,
      int maxAttempts) {
    this.ref = ref;
    this.http = http;
    this.cache = cache;
    this.fetcher = new FileFetcher(http, ref, maxAttempts);
    this.listener = new GuardedListener(listener);
    this.variant = variant;
    this.onnxFile = onnxFile;
    this.selectionKey = CacheLayout.selectionKey(variant, onnxFile);
  }

  /** A repository listing: commit sha (null when absent) and files. */
  record Listing(String commit, List<RemoteFile> files) {}

  Path run() throws IOException {
    Listing listing = fetchListing();
    return listing != null ? fromListing(listing) : byProbing();
  }

  private Listing fetchListing() throws IOException {
    URI uri = http.listingUri(ref);
    try (HubHttp.Response r = http.get(uri, null)) {
      int status = r.status();
      if (status == 200) {
        try {
          return parseListing(JSON.readTree(r.body()));
        } catch (IOException e) {
          log.info("{}: unreadable listing from {} ({}); probing the usual file names", ref,
              HubHttp.redact(uri), HubHttp.reason(e));
          return null;
        }
      }
      String code = r.header("x-error-code").orElse("");
      if (status == 401
          || status == 403
          || (status == 404 && (code.equals("RepoNotFound") || code.equals("RevisionNotFound")))) {
        throw http.statusError(ref, null, r);
      }
      log.info("{}: the listing API answered HTTP {}; probing the usual file names", ref, status);
      return null;
    }
  }

  static Listing parseListing(JsonNode root) {
    String sha = root.path("sha").asText("").toLowerCase(Locale.ROOT);
    List<RemoteFile> files = new ArrayList<>();
    for (JsonNode sibling : root.path("siblings")) {
      String path = sibling.path("rfilename").asText("");
      if (path.isEmpty()) {
        continue;
      }
      JsonNode lfs = sibling.path("lfs");
      long size = lfs.path("size").asLong(sibling.path("size").asLong(-1));
      String sha256 = lfs.path("sha256").asText("").toLowerCase(Locale.ROOT);
      files.add(new RemoteFile(path, size, sha256.matches("[0-9a-f]{64}") ? sha256 : null));
    }
    return new Listing(sha.matches("[0-9a-f]{40}") ? sha : null, List.copyOf(files));
  }

  private Path fromListing(Listing listing) throws IOException {
    String commit = listing.commit() != null ? listing.commit() : ownCommit();
    Path dir = snapshotDir(commit);
    if (commit != null && cache.isComplete(dir, selectionKey)) {
      log.debug("{}: cached snapshot {} is up to date", ref, dir);
      cache.writeRef(ref, commit);
      return dir;
    }
    List<RemoteFile> plan = FileSelection.select(ref, listing.files(), variant, onnxFile);
    fileCount = plan.size();
    overallTotal = plan.stream().allMatch(f -> f.size() >= 0)
        ? plan.stream().mapToLong(RemoteFile::size).sum()
        : -1;
    String urlRevision = commit != null ? commit : ref.revision();
    for (RemoteFile f : plan) {
      fetchOne(dir, urlRevision, f, false, commit != null);
    }
    return finish(dir, commit);
  }

  private Path byProbing() throws IOException {
    String commit = ownCommit();
    if (commit == null) {
      commit = probeCommit();
    }
    Path dir = snapshotDir(commit);
    if (commit != null && cache.isComplete(dir, selectionKey)) {
      cache.writeRef(ref, commit);
      return dir;
    }
    String urlRevision = commit != null ? commit : ref.revision();
    boolean reuse = commit != null;
    for (String name : FileSelection.METADATA_FILES) {
      fetchOne(dir, urlRevision, RemoteFile.unknown(name), true, reuse);
    }
    List<String> candidates =
        onnxFile != null ? List.of(onnxFile) : FileSelection.onnxCandidates(variant);
    String onnx = null;
    for (String candidate : candidates) {
      if (fetchOne(dir, urlRevision, RemoteFile.unknown(candidate), true, reuse)) {
        onnx = candidate;
        break;
      }
    }
    if (onnx == null) {
      throw new HubException(
          "model or file not found: "
              + ref
              + " has no "
              + (variant != null ? "'" + variant + "' " : "")
              + "ONNX decoder at "
              + http.resolveUri(ref, urlRevision, "")
              + " (tried "
              + String.join(", ", candidates)
              + ")",
          404,
          null);
    }
    for (String data : FileSelection.externalDataGuesses(onnx)) {
      fetchOne(dir, urlRevision, RemoteFile.unknown(data), true, reuse);
    }
    return finish(dir, commit);
  }

  /** The ref's own sha when it is one; else null. */
  private String ownCommit() {
    return ref.isCommitSha() ? ref.revision() : null;
  }

  /** {@code X-Repo-Commit} from a HEAD of {@code config.json}, when the hub sends one. */
  private String probeCommit() throws IOException {
    try (HubHttp.Response r = http.head(http.resolveUri(ref, ref.revision(), "config.json"))) {
      if (r.status() == 401 || r.status() == 403) {
        throw http.statusError(ref, "config.json", r);
      }
      return r.repoCommit().orElse(null);
    }
  }

  private Path snapshotDir(String commit) {
    return cache.snapshotDir(
        ref, commit != null ? commit : CacheLayout.encodeRevision(ref.revision()));
  }

  private Path finish(Path dir, String commit) throws IOException {
    cache.writeManifest(dir, selectionKey, ref, commit, fetched);
    cache.writeRef(ref, commit);
    log.info("{}: {} file(s) ready in {}", ref, fetched.size(), dir);
    return dir;
  }

  /**
   * Fetches {@code file} into {@code dir} unless {@code reuseExisting} and a final copy of the
   * listed size is there. Returns false when optional and absent.
   */
  private boolean fetchOne(
      Path dir, String urlRevision, RemoteFile file, boolean optional, boolean reuseExisting)
      throws IOException {
    Path target = dir.resolve(file.path()).normalize();
    if (!target.startsWith(dir)) {
      throw new HubException(ref + ": refusing unsafe file path " + file.path());
    }
    if (reuseExisting && Files.isRegularFile(target)) {
      long size = Files.size(target);
      if (file.size() < 0 || file.size() == size) {
        int index = ++fileIndex;
        overallDone += size;
        DownloadProgress p = progress(file.path(), index, size, size);
        listener.progress(p);
        listener.fileComplete(p);
        fetched.add(new CacheLayout.Entry(file.path(), size));
        return true;
      }
    }
    long overallBefore = overallDone;
    int[] index = {0};
    FileFetcher.Sink sink =
        (bytes, total) -> {
          if (index[0] == 0) {
            index[0] = ++fileIndex;
          }
          overallDone = overallBefore + bytes;
          listener.progress(progress(file.path(), index[0], bytes, total));
        };
    long size =
        fetcher.fetch(
            http.resolveUri(ref, urlRevision, file.path()),
            file.path(),
            target,
            file.size(),
            file.sha256(),
            optional,
            sink);
    if (size < 0) {
      return false;
    }
    if (index[0] == 0) {
      index[0] = ++fileIndex;
    }
    overallDone = overallBefore + size;
    listener.fileComplete(progress(file.path(), index[0], size, size));
    fetched.add(new CacheLayout.Entry(file.path(), size));
    return true;
  }

  private DownloadProgress progress(String path, int index, long bytes, long total) {
    return new DownloadProgress(
        ref, path, index, fileCount, bytes, total, overallDone, overallTotal);
  }

  /** Catches and logs listener failures (WARN once, then DEBUG). */
  private static final class GuardedListener {
    private final ProgressListener delegate;
    private boolean warned;

    GuardedListener(ProgressListener delegate) {
      this.delegate = delegate;
    }

    void progress(DownloadProgress p) {
      try {
        delegate.onProgress(p);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    void fileComplete(DownloadProgress p) {
      try {
        delegate.onFileComplete(p);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    private void failed(RuntimeException e) {
      if (!warned) {
        warned = true;
        log.warn("progress listener failed; ignoring its further failures", e);
      } else {
        log.debug("progress listener failed again", e);
      }
    }
  }
}

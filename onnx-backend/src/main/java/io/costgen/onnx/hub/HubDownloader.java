package io.costgen.onnx.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads the files of a costgen model folder from the Hugging Face Hub into a local cache and
 * returns the folder.
 *
 * <pre>{@code
 * HubDownloader hub = HubDownloader.builder().progress(ProgressListener.console()).build();
 * Path folder = hub.download(HubModelRef.parse("hf:Xenova/gpt2"));
 * }</pre>
 *
 * <h2>What is fetched</h2>
 *
 * The repository is listed with {@code GET {endpoint}/api/models/{org}/{name}/revision/{rev}}
 * (commit {@code sha}, {@code siblings[].rfilename}, sizes and LFS sha256). If that answers
 * anything but 200 (other than 401/403, or a 404 the hub marks {@code RepoNotFound} /
 * {@code RevisionNotFound}), the usual names are probed instead. Fetched, keeping repository
 * paths: {@code config.json}, {@code generation_config.json}, {@code genai_config.json},
 * {@code tokenizer.json}, {@code tokenizer_config.json}, {@code special_tokens_map.json} when
 * present, and ONE ONNX decoder, the first present of:
 *
 * <ol>
 *   <li>{@code model.onnx} (root; Optimum / onnxruntime-genai exports)
 *   <li>{@code onnx/decoder_model_merged.onnx} (transformers.js layout, e.g. Xenova/gpt2)
 *   <li>{@code onnx/model.onnx}
 *   <li>{@code decoder_model_merged.onnx} (root; older Optimum exports)
 *   <li>{@code onnx/decoder_model_merged_quantized.onnx}, then {@code decoder_model_merged_quantized.onnx}
 * </ol>
 *
 * With {@link Builder#variant(String) variant} {@code V} (e.g. {@code fp16}, {@code quantized},
 * {@code q4}) the list is {@code model_V.onnx}, {@code onnx/decoder_model_merged_V.onnx},
 * {@code onnx/model_V.onnx}, {@code decoder_model_merged_V.onnx}; {@link Builder#onnxFile(String)}
 * names the file outright. The decoder's external data comes along: files beside it named
 * {@code X.onnx.data*} or {@code X.onnx_data*} ({@code X.onnx.data} and {@code X.onnx_data} when
 * probing).
 *
 * <h2>Transfer</h2>
 *
 * Each file is {@code GET {endpoint}/{org}/{name}/resolve/{commit}/{path}} with
 * {@code Authorization: Bearer <token>} sent to the endpoint's origin only (redirects to a CDN
 * never carry it). A file streams into {@code <file>.part}; an interrupted transfer is resumed with
 * {@code Range: bytes=N-} (up to {@link Builder#maxAttempts(int)} tries per call, and again on the
 * next call); a server that ignores the range restarts the file. The size is checked against the
 * listing, {@code X-Linked-Size} or {@code Content-Length}, and the sha256 against the listing,
 * {@code X-Linked-Etag} or the hub's {@code ETag} when that is 64 hex digits (LFS files); on a
 * mismatch the part is deleted and the call fails. The part is then renamed atomically.
 *
 * <h2>Cache</h2>
 *
 * {@code <cacheDir>/<org>--<name>/<commit>/...} (the revision name when no commit is known),
 * {@code <cacheDir>/<org>--<name>/refs/<revision>} holding the commit the revision resolved to,
 * and a {@code .costgen-complete-<selection>.json} manifest in the model folder once every file is
 * in. Writers of one model are serialized by a lock file (threads and processes), so concurrent
 * downloads produce one intact copy. Offline mode, and an unreachable hub, use a complete cached
 * copy; a cached commit-sha revision is used without any network call.
 *
 * <p>Immutable and thread-safe; one instance can serve many threads.
 */
public final class HubDownloader {
  private static final Logger log = LoggerFactory.getLogger(HubDownloader.class);

  /** The public Hugging Face Hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  private final URI endpoint;
  private final boolean hasToken;
  private final CacheLayout cache;
  private final boolean offline;
  private final ProgressListener progress;
  private final String variant;
  private final String onnxFile;
  private final int maxAttempts;
  private final HubHttp http;

  private HubDownloader(Builder b, URI endpoint, String token, Path cacheDir, boolean offline) {
    this.endpoint = endpoint;
    this.hasToken = token != null;
    this.cache = new CacheLayout(cacheDir);
    this.offline = offline;
    this.progress = b.progress;
    this.variant = b.variant;
    this.onnxFile = b.onnxFile;
    this.maxAttempts = b.maxAttempts;
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER) // HubHttp follows them, minding the token
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.http = new HubHttp(client, endpoint, token, b.requestTimeout);
  }

  /** A builder whose unset values come from the environment (see each setter). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the local folder of {@code ref}, downloading what is missing. Blocks while another
   * thread or process downloads the same model.
   *
   * @throws HubUnavailableException offline and not cached
   * @throws HubUnreachableException the hub cannot be reached and the model is not cached
   * @throws HubException an HTTP error (401/403: set {@code HF_TOKEN}; 404: model or file not
   *     found), no matching ONNX file, a size/sha256 mismatch, or the cache cannot be written
   *     (the message names the cache folder, the {@link java.io.IOException} is the cause)
   */
  public Path download(HubModelRef ref) {
    Objects.requireNonNull(ref, "ref");
    String key = CacheLayout.selectionKey(variant, onnxFile);
    if (offline) {
      return cache
          .findComplete(ref, key)
          .orElseThrow(
              () ->
                  new HubUnavailableException(
                      ref
                          + " is not cached in "
                          + cache.repoDir(ref)
                          + " and offline mode is on (HF_HUB_OFFLINE / COSTGEN_OFFLINE);"
                          + " download it once online"));
    }
    if (ref.isCommitSha()) {
      Optional<Path> pinned = cache.findComplete(ref, key);
      if (pinned.isPresent()) {
        return pinned.get();
      }
    }
    try (ModelLock lock = ModelLock.acquire(cache.lockFile(ref))) {
      return new DownloadJob(ref, http, cache, progress, variant, onnxFile, maxAttempts).run();
    } catch (HubUnreachableException e) {
      Optional<Path> cached = cache.findComplete(ref, key);
      if (cached.isPresent()) {
        log.info("{}; using the cached copy of {} in {}", e.getMessage(), ref, cached.get());
        return cached.get();
      }
      throw e;
    } catch (InterruptedIOException e) {
      throw new HubException(ref + ": download interrupted (cache folder " + cache.repoDir(ref) + ")", e);
    } catch (IOException e) {
      // Local file system failures: the cache folder cannot be created, written or locked.
      throw new HubException(
          ref + ": cannot use the cache folder " + cache.repoDir(ref) + ": " + e, e);
    }
  }

  /**
   * The complete cached folder of {@code ref} for this downloader's variant, without touching the
   * network; empty when not cached. For a branch or tag, the commit it last resolved to.
   */
  public Optional<Path> findCached(HubModelRef ref) {
    Objects.requireNonNull(ref, "ref");
    return cache.findComplete(ref, CacheLayout.selectionKey(variant, onnxFile));
  }

  /** The hub base URL. */
  public URI endpoint() {
    return endpoint;
  }

  /** The cache root. */
  public Path cacheDir() {
    return cache.root();
  }

  /** Whether this downloader uses the cache only. */
  public boolean offline() {
    return offline;
  }

  /** Whether requests to the endpoint carry a token (the token itself is never exposed). */
  public boolean hasToken() {
    return hasToken;
  }

  /** Builds a {@link HubDownloader}. Not thread-safe. */
  public static final class Builder {
    private static final Pattern VARIANT = Pattern.compile("[A-Za-z0-9_]{1,32}");

    private URI endpoint;
    private String token;
    private boolean tokenSet;
    private Path cacheDir;
    private Boolean offline;
    private ProgressListener progress = ProgressListener.NONE;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private String variant;
    private String onnxFile;
    private int maxAttempts = 3;
    private Function<String, String> environment = System::getenv;

    private Builder() {}

    /**
     * The hub base URL, {@code http} or {@code https}, optionally with a path prefix. Default:
     * env {@code HF_ENDPOINT}, else {@link #DEFAULT_ENDPOINT}.
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = checkEndpoint("endpoint", Objects.requireNonNull(endpoint, "endpoint"));
      return this;
    }

    /**
     * A Hugging Face access token, sent as {@code Authorization: Bearer} to the endpoint only;
     * null or blank for none. Default: env {@code HF_TOKEN} (then {@code HUGGING_FACE_HUB_TOKEN}).
     */
    public Builder token(String token) {
      this.token = normalizeToken("token", token);
      this.tokenSet = true;
      return this;
    }

    /**
     * The cache root. Default: {@code $COSTGEN_CACHE/hub} when env {@code COSTGEN_CACHE} is set,
     * else {@code ~/.cache/costgen/hub} (independent of {@code HF_HOME}).
     */
    public Builder cacheDir(Path cacheDir) {
      this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
      return this;
    }

    /**
     * Use the cache only, never the network. Default: true when env {@code HF_HUB_OFFLINE} or
     * {@code COSTGEN_OFFLINE} is {@code 1}, {@code true}, {@code yes} or {@code on}.
     */
    public Builder offline(boolean offline) {
      this.offline = offline;
      return this;
    }

    /** Progress callbacks; default {@link ProgressListener#NONE}. See {@link ProgressListener#console()}. */
    public Builder progress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** Longest wait to open a connection; default 10 seconds. Must be positive. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = checkPositive("connectTimeout", timeout);
      return this;
    }

    /**
     * Longest wait for a response's status and headers (not the whole body); default 30 seconds.
     * Must be positive.
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = checkPositive("requestTimeout", timeout);
      return this;
    }

    /**
     * An ONNX variant suffix such as {@code fp16}, {@code quantized}, {@code q4}, {@code int8}:
     * 1-32 characters from {@code [A-Za-z0-9_]}; null for the default decoder.
     */
    public Builder variant(String variant) {
      if (variant != null && !VARIANT.matcher(variant).matches()) {
        throw new IllegalArgumentException(
            "variant '" + variant + "' is invalid: 1-32 characters from [A-Za-z0-9_], e.g. fp16");
      }
      this.variant = variant;
      return this;
    }

    /**
     * The repository path of the ONNX decoder to fetch, e.g. {@code onnx/decoder_model_merged.onnx},
     * overriding the search order; null to search.
     */
    public Builder onnxFile(String onnxFile) {
      if (onnxFile != null
          && (!FileSelection.isSafeRelativePath(onnxFile) || !onnxFile.endsWith(".onnx"))) {
        throw new IllegalArgumentException(
            "onnxFile '"
                + onnxFile
                + "' is invalid: a relative path inside the repository ending in .onnx,"
                + " without '.', '..' or empty segments");
      }
      this.onnxFile = onnxFile;
      return this;
    }

    /** Tries per file within one call when a transfer breaks off (each resumes); 1-100, default 3. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " must be in [1, 100]");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Where defaults are read from (tests). */
    Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Builds the downloader, reading unset values from the environment.
     *
     * @throws IllegalStateException when both {@link #variant} and {@link #onnxFile} are set
     * @throws IllegalArgumentException when {@code HF_ENDPOINT} or a token from the environment is
     *     malformed
     */
    public HubDownloader build() {
      if (variant != null && onnxFile != null) {
        throw new IllegalStateException(
            "variant ('" + variant + "') and onnxFile ('" + onnxFile + "') conflict; set one");
      }
      URI resolvedEndpoint = endpoint;
      if (resolvedEndpoint == null) {
        String env = blankToNull(environment.apply("HF_ENDPOINT"));
        if (env == null) {
          resolvedEndpoint = DEFAULT_ENDPOINT;
        } else {
          URI uri;
          try {
            uri = URI.create(env);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "HF_ENDPOINT '" + env + "' is invalid: not a URL (" + e.getMessage() + ")", e);
          }
          resolvedEndpoint = checkEndpoint("HF_ENDPOINT", uri);
        }
      }
      String resolvedToken = token;
      if (!tokenSet) {
        resolvedToken = normalizeToken("HF_TOKEN", environment.apply("HF_TOKEN"));
        if (resolvedToken == null) {
          resolvedToken =
              normalizeToken("HUGGING_FACE_HUB_TOKEN", environment.apply("HUGGING_FACE_HUB_TOKEN"));
        }
      }
      Path resolvedCache = cacheDir;
      if (resolvedCache == null) {
        String env = blankToNull(environment.apply("COSTGEN_CACHE"));
        resolvedCache =
            env != null
                ? Path.of(env).resolve("hub")
                : Path.of(System.getProperty("user.home"), ".cache", "costgen", "hub");
      }
      boolean resolvedOffline =
          offline != null
              ? offline
              : truthy(environment.apply("HF_HUB_OFFLINE"))
                  || truthy(environment.apply("COSTGEN_OFFLINE"));
      return new HubDownloader(
          this, resolvedEndpoint, resolvedToken, resolvedCache.toAbsolutePath(), resolvedOffline);
    }

    private static URI checkEndpoint(String field, URI uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            field
                + " '"
                + uri
                + "' is invalid: expected an http(s) URL with a host and no query, fragment or"
                + " user info, e.g. https://huggingface.co");
      }
      return uri;
    }

    private static String normalizeToken(String field, String value) {
      String t = blankToNull(value);
      if (t == null) {
        return null;
      }
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          throw new IllegalArgumentException(
              field + " is invalid: it contains whitespace, control or non-ASCII characters");
        }
      }
      return t;
    }

    private static Duration checkPositive(String field, Duration d) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + ": " + d + " must be positive");
      }
      return d;
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s.trim();
    }

    private static boolean truthy(String s) {
      if (s == null) {
        return false;
      }
      String v = s.trim().toLowerCase(Locale.ROOT);
      return v.equals("1") || v.equals("true") || v.equals("yes") || v.equals("on");
    }
  }
}

package io.costgen.onnx.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A fake Hugging Face Hub on 127.0.0.1: the listing API, {@code resolve} URLs (LFS files carry
 * {@code X-Linked-Size}/{@code X-Linked-Etag}, optionally redirected to a second "CDN" server on
 * another port), {@code Range} support, and knobs to drop connections, ignore ranges, lie about
 * sha256 or require a token. Records every request.
 */
final class FakeHub implements AutoCloseable {
  static final String COMMIT = "3f1c0de5a7b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8";

  /** One recorded request. {@code server} is "hub" or "cdn"; headers are null when absent. */
  record Request(String server, String method, String path, String authorization, String range) {}

  private static final Pattern API =
      Pattern.compile("/api/models/([^/]+)/([^/]+)/revision/([^/?]+)");
  private static final Pattern RESOLVE = Pattern.compile("/([^/]+)/([^/]+)/resolve/([^/]+)/(.+)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer hub;
  private final HttpServer cdn;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  volatile int listingStatus = 200;
  volatile boolean redirectLfsToCdn;
  volatile boolean ignoreRange;
  volatile boolean sendErrorCodes = true;
  volatile String requiredToken;
  /** path → bytes sent before the connection is dropped (once). */
  final Map<String, Integer> dropAfterBytes = new ConcurrentHashMap<>();
  /** path → size announced (listing, linked size) instead of the real one. */
  final Map<String, Long> announcedSize = new ConcurrentHashMap<>();
  /** path → bytes streamed (chunked, no length) instead of the stored content. */
  final Map<String, Long> streamBytes = new ConcurrentHashMap<>();
  /** path → bytes of a streamed body written so far (the client reads them or the socket buffers hold them). */
  final Map<String, Long> streamedBytes = new ConcurrentHashMap<>();
  /** path → sha256 announced instead of the real one. */
  final Map<String, String> announcedSha256 = new ConcurrentHashMap<>();

  FakeHub() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    hub = HttpServer.create(loopback, 0);
    cdn = HttpServer.create(loopback, 0);
    hub.createContext("/", this::handleHub);
    cdn.createContext("/", this::handleCdn);
    hub.setExecutor(executor);
    cdn.setExecutor(executor);
    hub.start();
    cdn.start();
  }

  FakeHub repo(String repoId, Map<String, byte[]> files) {
    repos.put(repoId, new LinkedHashMap<>(files));
    return this;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
  }

  URI cdnOrigin() {
    return URI.create("http://127.0.0.1:" + cdn.getAddress().getPort());
  }

  List<Request> requests(String server) {
    return requests.stream().filter(r -> r.server().equals(server)).collect(Collectors.toList());
  }

  /** GET requests (any server) whose path ends with {@code suffix}. */
  List<Request> gets(String suffix) {
    return requests.stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith(suffix))
        .collect(Collectors.toList());
  }

  static byte[] bytes(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static boolean isLfs(String path) {
    return path.endsWith(".onnx") || path.contains(".onnx_data") || path.contains(".onnx.data");
  }

  private void record(String server, HttpExchange ex) {
    requests.add(
        new Request(
            server,
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            ex.getRequestHeaders().getFirst("Authorization"),
            ex.getRequestHeaders().getFirst("Range")));
  }

  private void handleHub(HttpExchange ex) throws IOException {
    record("hub", ex);
    closeUnlessDropped(ex, () -> routeHub(ex));
  }

  private void routeHub(HttpExchange ex) throws IOException {
    {
      String path = ex.getRequestURI().getPath();
      if (requiredToken != null
          && !("Bearer " + requiredToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        error(ex, 401, "RepoNotFound", "Invalid credentials in Authorization header");
        return;
      }
      Matcher api = API.matcher(path);
      if (api.matches()) {
        listing(ex, api.group(1) + "/" + api.group(2), api.group(3));
        return;
      }
      Matcher resolve = RESOLVE.matcher(path);
      if (resolve.matches()) {
        resolve(ex, resolve.group(1) + "/" + resolve.group(2), resolve.group(3), resolve.group(4));
        return;
      }
      error(ex, 404, null, "no route");
    }
  }

  private void listing(HttpExchange ex, String repoId, String revision) throws IOException {
    if (listingStatus != 200) {
      error(ex, listingStatus, null, "listing disabled");
      return;
    }
    Map<String, byte[]> files = repos.get(repoId);
    if (files == null) {
      error(ex, 404, "RepoNotFound", "Repository not found");
      return;
    }
    if (!revision.equals("main") && !revision.equals(COMMIT)) {
      error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
      return;
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("id", repoId).put("sha", COMMIT);
    ArrayNode siblings = root.putArray("siblings");
    files.forEach(
        (name, data) -> {
          long size = announcedSize.getOrDefault(name, (long) data.length);
          ObjectNode s = siblings.addObject().put("rfilename", name).put("size", size);
          if (isLfs(name)) {
            s.putObject("lfs")
                .put("sha256", announcedSha256.getOrDefault(name, sha256(data)))
                .put("size", size);
          }
        });
    byte[] body = json.writeValueAsBytes(root);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
  }

  private void resolve(HttpExchange ex, String repoId, String revision, String file)
      throws IOException {
    Map<String, byte[]> files = repos.get(repoId);
    if (files == null) {
      error(ex, 404, "RepoNotFound", "Repository not found");
      return;
    }
    if (!revision.equals("main") && !revision.equals(COMMIT)) {
      error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
      return;
    }
    byte[] data = files.get(file);
    if (data == null) {
      error(ex, 404, "EntryNotFound", file + " does not exist on \"" + revision + "\"");
      return;
    }
    ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
    if (isLfs(file)) {
      String sha = announcedSha256.getOrDefault(file, sha256(data));
      ex.getResponseHeaders().add("ETag", "\"" + sha + "\"");
      ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
      ex.getResponseHeaders().add("X-Linked-Size", Long.toString(announcedSize.getOrDefault(file, (long) data.length)));
      if (redirectLfsToCdn && ex.getRequestMethod().equals("GET")) {
        ex.getResponseHeaders()
            .add("Location", cdnOrigin() + "/blobs/" + sha256(data) + "?X-Amz-Signature=secret");
        ex.sendResponseHeaders(302, -1);
        return;
      }
    } else {
      ex.getResponseHeaders().add("ETag", "\"" + sha256(data).substring(0, 40) + "\"");
    }
    serve(ex, file, data);
  }

  private void handleCdn(HttpExchange ex) throws IOException {
    record("cdn", ex);
    closeUnlessDropped(ex, () -> routeCdn(ex));
  }

  private void routeCdn(HttpExchange ex) throws IOException {
    {
      String path = ex.getRequestURI().getPath();
      String sha = path.substring(path.lastIndexOf('/') + 1);
      for (Map<String, byte[]> files : repos.values()) {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
          if (sha256(e.getValue()).equals(sha)) {
            ex.getResponseHeaders().add("ETag", "\"cdn-0123\"");
            serve(ex, e.getKey(), e.getValue());
            return;
          }
        }
      }
      error(ex, 404, null, "NoSuchKey");
    }
  }

  private void serve(HttpExchange ex, String file, byte[] data) throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(200, -1);
      return;
    }
    Long stream = streamBytes.get(file);
    if (stream != null) {
      ex.sendResponseHeaders(200, 0); // chunked: no length
      OutputStream out = ex.getResponseBody();
      byte[] chunk = new byte[64 * 1024];
      long sent = 0;
      streamedBytes.put(file, 0L);
      while (sent < stream) {
        int n = (int) Math.min(chunk.length, stream - sent);
        out.write(chunk, 0, n);
        sent += n;
        streamedBytes.put(file, sent); // what the client has been able to take so far
      }
      return;
    }
    int start = 0;
    int status = 200;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null && !ignoreRange) {
      Matcher m = RANGE.matcher(range);
      if (m.matches()) {
        start = Integer.parseInt(m.group(1));
        if (start >= data.length) {
          ex.getResponseHeaders().add("Content-Range", "bytes */" + data.length);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        status = 206;
        ex.getResponseHeaders()
            .add("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
      }
    }
    byte[] slice = Arrays.copyOfRange(data, start, data.length);
    Integer drop = dropAfterBytes.remove(file);
    ex.sendResponseHeaders(status, slice.length == 0 ? -1 : slice.length);
    OutputStream out = ex.getResponseBody();
    if (drop != null) {
      out.write(slice, 0, drop);
      out.flush();
      // Throwing from the handler (without closing the exchange) makes the server close the
      // connection mid-body.
      throw new Dropped();
    }
    out.write(slice);
  }

  private void error(HttpExchange ex, int status, String code, String message) throws IOException {
    if (sendErrorCodes && code != null) {
      ex.getResponseHeaders().add("X-Error-Code", code);
      ex.getResponseHeaders().add("X-Error-Message", message);
    }
    byte[] body = text("{\"error\":\"" + message.replace("\"", "'") + "\"}");
    ex.sendResponseHeaders(status, ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
    if (!ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseBody().write(body);
    }
  }

  private interface Route {
    void run() throws IOException;
  }

  private static final class Dropped extends IOException {
    private static final long serialVersionUID = 1L;

    Dropped() {
      super("simulated connection drop");
    }
  }

  private static void closeUnlessDropped(HttpExchange ex, Route route) throws IOException {
    try {
      route.run();
    } catch (Dropped e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      ex.close();
      throw e;
    }
    ex.close();
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
    executor.shutdownNow();
  }
}

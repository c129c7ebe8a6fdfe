package io.costgen.onnx.hub;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * HTTP to the hub: builds URLs, sends the token only to the endpoint's origin, follows redirects
 * itself (so {@code Authorization} never reaches a CDN on another host; the JDK's
 * {@code Redirect.NORMAL} would copy it), and turns failures into {@link HubException}s.
 * Thread-safe.
 */
final class HubHttp {
  static final int MAX_REDIRECTS = 10;
  private static final String USER_AGENT = "costgen-hub/0.1 (java)";
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private final HttpClient client;
  private final URI endpoint;
  private final String token;
  private final Duration requestTimeout;

  HubHttp(HttpClient client, URI endpoint, String token, Duration requestTimeout) {
    this.client = client;
    this.endpoint = endpoint;
    this.token = token;
    this.requestTimeout = requestTimeout;
  }

  boolean hasToken() {
    return token != null;
  }

  /** {@code {endpoint}/api/models/{org}/{name}/revision/{rev}?blobs=true}. */
  URI listingUri(HubModelRef ref) {
    return URI.create(
        base()
            + "/api/models/"
            + encode(ref.org())
            + "/"
            + encode(ref.name())
            + "/revision/"
            + encode(ref.revision())
            + "?blobs=true");
  }

  /** {@code {endpoint}/{org}/{name}/resolve/{rev}/{path}}, each segment percent-encoded. */
  URI resolveUri(HubModelRef ref, String revision, String path) {
    StringBuilder sb =
        new StringBuilder(base())
            .append('/')
            .append(encode(ref.org()))
            .append('/')
            .append(encode(ref.name()))
            .append("/resolve/")
            .append(encode(revision));
    for (String segment : path.split("/", -1)) {
      sb.append('/').append(encode(segment));
    }
    return URI.create(sb.toString());
  }

  private String base() {
    String s = endpoint.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * GETs {@code uri}, following up to {@value #MAX_REDIRECTS} redirects. The body is open only
   * for a 2xx final status; the caller closes the response.
   *
   * @param range a {@code Range} header value, or null
   * @throws HubUnreachableException when no response arrives
   */
  Response get(URI uri, String range) throws IOException {
    List<HttpHeaders> hops = new ArrayList<>(2);
    URI current = uri;
    for (int redirects = 0; ; redirects++) {
      HttpRequest.Builder request = request(current).GET();
      if (range != null) {
        request.header("Range", range);
      }
      HttpResponse<InputStream> response =
          send(
              request.build(),
              info ->
                  info.statusCode() / 100 == 2
                      ? HttpResponse.BodySubscribers.ofInputStream()
                      : HttpResponse.BodySubscribers.replacing(null));
      hops.add(response.headers());
      int status = response.statusCode();
      Optional<String> location = response.headers().firstValue("location");
      if (isRedirect(status) && location.isPresent()) {
        if (redirects >= MAX_REDIRECTS) {
          throw new HubException("too many redirects (> " + MAX_REDIRECTS + ") from " + redact(uri));
        }
        current = redirectTarget(current, location.get());
        continue;
      }
      return new Response(status, current, hops, response.body());
    }
  }

  /** HEADs {@code uri} without following redirects (the hub's own headers are what we want). */
  Response head(URI uri) throws IOException {
    HttpResponse<Void> response =
        send(
            request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
    return new Response(response.statusCode(), uri, List.of(response.headers()), null);
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).timeout(requestTimeout).header("User-Agent", USER_AGENT);
    if (token != null && sameOrigin(uri, endpoint)) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return client.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while requesting " + redact(request.uri()));
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new HubUnreachableException(
          "hub unreachable at " + origin(request.uri()) + ": " + reason(e), e);
    }
  }

  private static URI redirectTarget(URI from, String location) throws HubException {
    URI target;
    try {
      target = from.resolve(URI.create(location.trim()));
    } catch (IllegalArgumentException e) {
      throw new HubException("bad redirect from " + redact(from) + ": " + e.getMessage(), e);
    }
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new HubException("refusing a redirect from " + redact(from) + " to scheme " + scheme);
    }
    return target;
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** Same scheme, host and effective port. */
  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** {@code scheme://host[:port]}. */
  static String origin(URI u) {
    return u.getScheme() + "://" + u.getRawAuthority();
  }

  /** The URL without its query (CDN URLs carry signatures there) or user info. */
  static String redact(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "") + u.getRawPath();
  }

  /** A short, lower-case reason for a failed connection. */
  static String reason(Throwable e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    if (e instanceof HttpTimeoutException) {
      return "no response within the request timeout";
    }
    boolean connectFailed = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return "unknown host (DNS lookup failed)";
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
      if (t instanceof ConnectException) {
        if (t.getMessage() != null && !t.getMessage().isBlank()) {
          return oneLine(t.getMessage()).toLowerCase(Locale.ROOT);
        }
        connectFailed = true;
      }
    }
    if (connectFailed) {
      // The JDK client reports a refused connection as a ConnectException without a message.
      return "connection refused";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getClass().getSimpleName() + ": " + oneLine(t.getMessage());
      }
    }
    return e.getClass().getSimpleName();
  }

  /**
   * Maps a non-2xx status to a one-line {@link HubException}; {@code path} is the file asked for,
   * or null for the model listing. Never includes the token.
   */
  HubException statusError(HubModelRef ref, String path, Response r) {
    int status = r.status();
    String what = path == null ? ref.toString() : ref + " file " + path;
    String hubSays = r.header("x-error-message").map(m -> " (hub: " + oneLine(m) + ")").orElse("");
    String code = r.header("x-error-code").orElse("");
    String message;
    if (status == 401) {
      message =
          what
              + ": HTTP 401 Unauthorized"
              + hubSays
              + "; the model is private, gated or does not exist — "
              + (hasToken()
                  ? "the token (HF_TOKEN) was rejected or has no access to it"
                  : "set HF_TOKEN to a Hugging Face access token with read access");
    } else if (status == 403) {
      message =
          what
              + ": HTTP 403 Forbidden"
              + hubSays
              + "; access denied — if the model is gated, accept its terms on its Hub page and set"
              + " HF_TOKEN to a token of that account";
    } else if (status == 404) {
      String kind =
          code.equals("RevisionNotFound")
              ? "revision not found"
              : code.equals("RepoNotFound") ? "model not found" : "model or file not found";
      message = kind + ": " + what + " (HTTP 404 from " + redact(r.uri()) + ")" + hubSays;
    } else if (status == 429) {
      message = what + ": HTTP 429 Too Many Requests" + hubSays + "; wait and retry, or set HF_TOKEN";
    } else {
      message = what + ": HTTP " + status + " from " + redact(r.uri()) + hubSays;
    }
    return new HubException(message, status, null);
  }

  static String oneLine(String s) {
    String t = s.replaceAll("\\s+", " ").trim();
    return t.length() > 200 ? t.substring(0, 200) + "…" : t;
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  static String encode(String segment) {
    StringBuilder sb = new StringBuilder(segment.length() + 8);
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** The final response of a (possibly redirected) request, with the headers of every hop. */
  static final class Response implements Closeable {
    private final int status;
    private final URI uri;
    private final List<HttpHeaders> hops;
    private final InputStream body;

    Response(int status, URI uri, List<HttpHeaders> hops, InputStream body) {
      this.status = status;
      this.uri = uri;
      this.hops = List.copyOf(hops);
      this.body = body;
    }

    int status() {
      return status;
    }

    /** The URI that produced the final response. */
    URI uri() {
      return uri;
    }

    /** The body of a 2xx response; null otherwise. */
    InputStream body() {
      return body;
    }

    /** A header of the final response. */
    Optional<String> header(String name) {
      return hops.get(hops.size() - 1).firstValue(name);
    }

    /** A header from the first hop that has it (the hub's own response comes first). */
    Optional<String> anyHop(String name) {
      for (HttpHeaders h : hops) {
        Optional<String> v = h.firstValue(name);
        if (v.isPresent()) {
          return v;
        }
      }
      return Optional.empty();
    }

    /** {@code Content-Length} of the final response, or -1. */
    long contentLength() {
      return header("content-length").map(Response::parseLong).orElse(-1L);
    }

    /** {@code X-Linked-Size} (the LFS object size the hub announces before redirecting), or -1. */
    long linkedSize() {
      return anyHop("x-linked-size").map(Response::parseLong).orElse(-1L);
    }

    /**
     * The sha256 the hub announces for an LFS file: {@code X-Linked-Etag}, else the first hop's
     * {@code ETag}, when it is 64 hex digits; null otherwise (git blobs carry a 40-hex sha1, and
     * a CDN's ETag is not a sha256).
     */
    String linkedSha256() {
      Optional<String> linked = anyHop("x-linked-etag").map(Response::unquote);
      if (linked.isPresent() && SHA256_HEX.matcher(linked.get()).matches()) {
        return linked.get().toLowerCase(Locale.ROOT);
      }
      Optional<String> etag = hops.get(0).firstValue("etag").map(Response::unquote);
      if (etag.isPresent() && SHA256_HEX.matcher(etag.get()).matches()) {
        return etag.get().toLowerCase(Locale.ROOT);
      }
      return null;
    }

    /** {@code X-Repo-Commit} when it is a 40-hex sha; otherwise empty. */
    Optional<String> repoCommit() {
      return anyHop("x-repo-commit")
          .map(s -> s.trim().toLowerCase(Locale.ROOT))
          .filter(s -> s.matches("[0-9a-f]{40}"));
    }

    private static String unquote(String etag) {
      String s = etag.trim();
      if (s.startsWith("W/")) {
        s = s.substring(2);
      }
      if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
        s = s.substring(1, s.length() - 1);
      }
      return s;
    }

    private static long parseLong(String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return -1L;
      }
    }

    @Override
    public void close() throws IOException {
      if (body != null) {
        body.close();
      }
    }
  }
}

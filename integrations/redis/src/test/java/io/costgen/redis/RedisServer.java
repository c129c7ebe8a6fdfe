package io.costgen.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} for tests: started from {@code /usr/bin/redis-server} (or
 * {@code $REDIS_SERVER}, or the first {@code redis-server} on {@code PATH}) on a free port of
 * 127.0.0.1 with its own temporary directory, and stopped by {@link #close()}. Missing binary =
 * the test fails with how to install it (no skipping). {@link #kill()} and {@link #start()} simulate
 * a crash and a restart on the same port and directory.
 */
final class RedisServer implements AutoCloseable {

  private final Path binary;
  private final Path dir;
  private final int port;
  private final boolean durable;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, boolean durable) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.durable = durable;
  }

  /** A throwaway server (no persistence). */
  static RedisServer startEphemeral() {
    return create(false).start();
  }

  /**
   * A server whose data survives {@link #kill()}: append-only file with {@code appendfsync always},
   * so every acknowledged write is on disk before the reply.
   */
  static RedisServer startDurable() {
    return create(true).start();
  }

  /** A durable server that is not started yet (its port is chosen and free). */
  static RedisServer prepareDurable() {
    return create(true);
  }

  private static RedisServer create(boolean durable) {
    try {
      return new RedisServer(binary(), Files.createTempDirectory("costgen-redis-"), freePort(), durable);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare a redis-server directory", e);
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts (or restarts) the server and waits until it answers PING. */
  synchronized RedisServer start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--daemonize", "no",
        "--protected-mode", "yes", "--loglevel", "warning", "--logfile", dir.resolve("redis.log").toString()));
    if (durable) {
      cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    } else {
      cmd.addAll(List.of("--appendonly", "no"));
    }
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile())
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary, e);
    }
    for (int i = 0; i < 400; i++) { // bounded: up to about 20 s on a loaded machine
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + log());
      }
      if (ping()) {
        return this;
      }
      pause(50);
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING: " + log());
  }

  /** SIGKILL: the server dies without saving (durable servers keep what they acknowledged). */
  synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitFor(process);
    }
  }

  /** Sends one command in RESP and returns the raw reply (for tests that inspect keys). */
  String command(String... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      OutputStream out = s.getOutputStream();
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("redis command failed", e);
    }
  }

  private boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(1000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.read(buf);
      return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      process.destroy();
      waitFor(process);
      process = null;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log")) + Files.readString(dir.resolve("stdout.txt"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void waitFor(Process p) {
    try {
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static Path binary() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("REDIS_SERVER");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    candidates.add(Path.of("/usr/bin/redis-server"));
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, "redis-server"));
      }
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("redis-server not found (looked at $REDIS_SERVER, /usr/bin/redis-server and PATH; CI="
        + System.getenv("CI") + "). The Redis tests start their own server: install it, e.g. "
        + "'apt-get install redis-server' (Debian/Ubuntu) or 'brew install redis'.");
  }
}

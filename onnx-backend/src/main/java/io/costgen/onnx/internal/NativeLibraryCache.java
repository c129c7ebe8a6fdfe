package io.costgen.onnx.internal;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts ONNX Runtime's native libraries once into a versioned cache folder and points ONNX
 * Runtime's loader at it ({@code onnxruntime.native.path}), instead of letting every JVM copy
 * ~28 MB into a fresh {@code onnxruntime-java*} folder of the system temp directory (which it
 * cannot delete while the libraries are loaded, so one is left behind per run).
 *
 * <p>Layout: {@code <root>/native/<ort-version>[-gpu]/<os-arch>/}, root
 * {@code -Dcostgen.native.cache}, else {@code $COSTGEN_CACHE}, else {@code ~/.cache/costgen}.
 * Each file is written to a temporary name in that folder and renamed atomically, so JVMs
 * starting together never load a half-written library; a file already there with the size of
 * the bundled one is reused. Nothing is done when the user already set
 * {@code onnxruntime.native.path}, when {@code costgen.native.cache=off}, when the ONNX Runtime
 * jar carries no library for this platform, or when the cache cannot be written (then ONNX
 * Runtime's own temp-folder extraction applies, with a WARN).
 *
 * <p>Thread-safe: all methods synchronize on the class.
 */
public final class NativeLibraryCache {
  /** System property: the cache root folder, or {@code off} to keep ONNX Runtime's own extraction. */
  public static final String CACHE_PROPERTY = "costgen.native.cache";
  /** ONNX Runtime's property naming the folder it loads its native libraries from. */
  public static final String ORT_NATIVE_PATH = "onnxruntime.native.path";

  private static final Logger LOG = LoggerFactory.getLogger(NativeLibraryCache.class);
  private static final String RESOURCE_ROOT = "/ai/onnxruntime/native/";
  /** Loaded by ONNX Runtime's Java loader at start-up (the provider bridge only when bundled). */
  static final List<String> CORE = List.of("onnxruntime", "onnxruntime4j_jni", "onnxruntime_providers_shared");
  /** Loaded by ONNX Runtime's native code when the CUDA provider is added. */
  static final List<String> CUDA = List.of("onnxruntime_providers_cuda", "onnxruntime_providers_tensorrt");

  private static Path activeDir;
  private static boolean decided;

  private NativeLibraryCache() {}

  /**
   * Makes sure the core libraries are in the cache and ONNX Runtime will load them from there;
   * call before the first use of any ONNX Runtime class that loads the natives.
   *
   * @return the folder ONNX Runtime loads from, or empty when its default extraction applies
   */
  public static synchronized Optional<Path> prepare() {
    if (decided) {
      return Optional.ofNullable(activeDir);
    }
    decided = true;
    if (System.getProperty(ORT_NATIVE_PATH) != null) {
      return Optional.empty();
    }
    String root = System.getProperty(CACHE_PROPERTY);
    if ("off".equalsIgnoreCase(root)) {
      return Optional.empty();
    }
    String osArch = osArch();
    if (osArch == null || resource(osArch, "onnxruntime") == null) {
      return Optional.empty();
    }
    String version = ortVersion();
    if (version.equals("unknown")) {
      // Never share one folder between different builds: key it by the bundled library's size.
      version += "-" + contentLength(resource(osArch, "onnxruntime"));
    }
    Path dir = cacheRoot(root).resolve("native").resolve(version).resolve(osArch);
    try {
      Files.createDirectories(dir);
      for (String lib : CORE) {
        extract(dir, osArch, lib);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot cache ONNX Runtime's native libraries in {} ({}); ONNX Runtime extracts them to the"
          + " temp directory instead", dir, e.toString());
      return Optional.empty();
    }
    System.setProperty(ORT_NATIVE_PATH, dir.toString());
    activeDir = dir;
    return Optional.of(dir);
  }

  /**
   * Adds the CUDA provider libraries (when the jar bundles them) to the active cache folder; call
   * before adding the CUDA provider to session options.
   *
   * @throws IllegalStateException if the cache is active but a bundled library cannot be written
   *     there (ONNX Runtime would otherwise fail to find it)
   */
  public static synchronized void prepareCuda() {
    if (prepare().isEmpty()) {
      return;
    }
    try {
      for (String lib : CUDA) {
        extract(activeDir, osArch(), lib);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write the CUDA provider library into the native cache "
          + activeDir + ": " + e.getMessage() + " (free disk space, or run with -D" + CACHE_PROPERTY + "=off)", e);
    }
  }

  private static void extract(Path dir, String osArch, String lib) throws IOException {
    URL url = resource(osArch, lib);
    if (url == null) {
      return;
    }
    Path target = dir.resolve(fileName(lib));
    URLConnection connection = url.openConnection();
    long size = connection.getContentLengthLong();
    if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
      connection.getInputStream().close();
      return;
    }
    Path tmp = Files.createTempFile(dir, "." + fileName(lib) + ".", ".part");
    try {
      try (InputStream in = connection.getInputStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        // Another JVM may hold the file open (Windows); a complete copy is as good as ours.
        if (!(Files.isRegularFile(target) && Files.size(target) == Files.size(tmp))) {
          throw e;
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static URL resource(String osArch, String lib) {
    return OrtEnvironment.class.getResource(RESOURCE_ROOT + osArch + '/' + fileName(lib));
  }

  private static String fileName(String lib) {
    return System.mapLibraryName(lib).replace("jnilib", "dylib");
  }

  static Path cacheRoot(String property) {
    if (property != null && !property.isBlank()) {
      return Paths.get(property);
    }
    String env = System.getenv("COSTGEN_CACHE");
    if (env != null && !env.isBlank()) {
      return Paths.get(env);
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "costgen");
  }

  /**
   * The bundled ONNX Runtime's version and flavour ({@code 1.28.0}, {@code 1.28.0-gpu}), from its
   * Maven metadata (present in shaded jars too) or its jar manifest.
   */
  /** The ONNX Runtime version on the class path, e.g. {@code 1.28.0}. */
  public static String ortVersion() {
    for (String artifact : List.of("onnxruntime_gpu", "onnxruntime")) {
      String props = "/META-INF/maven/com.microsoft.onnxruntime/" + artifact + "/pom.properties";
      try (InputStream in = OrtEnvironment.class.getResourceAsStream(props)) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          String v = p.getProperty("version");
          if (v != null && !v.isBlank()) {
            return safe(v) + (artifact.endsWith("_gpu") ? "-gpu" : "");
          }
        }
      } catch (IOException e) {
        // fall through to pom.xml and the manifest
      }
      // Shaded jars (the costgen CLI) keep ONNX Runtime's pom.xml but neither pom.properties nor its manifest.
      String xml = "/META-INF/maven/com.microsoft.onnxruntime/" + artifact + "/pom.xml";
      try (InputStream in = OrtEnvironment.class.getResourceAsStream(xml)) {
        String v = in == null ? null : versionFromPomXml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        if (v != null) {
          return safe(v) + (artifact.endsWith("_gpu") ? "-gpu" : "");
        }
      } catch (IOException e) {
        // fall through to the manifest
      }
    }
    Package pkg = OrtEnvironment.class.getPackage();
    String v = pkg == null ? null : pkg.getImplementationVersion();
    String title = pkg == null ? null : pkg.getImplementationTitle();
    if (v == null || title == null || !title.startsWith("onnxruntime")) {
      return "unknown";
    }
    return safe(v) + (title.endsWith("_gpu") ? "-gpu" : "");
  }

  /**
   * The project's own {@code <version>} in a pom.xml (the first one outside {@code <parent>}), or
   * null when there is none.
   */
  static String versionFromPomXml(String pom) {
    String body = pom.replaceAll("(?s)<!--.*?-->", "").replaceAll("(?s)<parent>.*?</parent>", "");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<version>\\s*([^<\\s]+)\\s*</version>").matcher(body);
    return m.find() ? m.group(1) : null;
  }

  private static long contentLength(URL url) {
    try {
      URLConnection c = url.openConnection();
      long n = c.getContentLengthLong();
      c.getInputStream().close();
      return n;
    } catch (IOException e) {
      return -1;
    }
  }

  private static String safe(String v) {
    return v.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** ONNX Runtime's platform folder name ({@code linux-x64}, {@code osx-aarch64}, …), or null. */
  static String osArch() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o;
    if (os.contains("mac") || os.contains("darwin")) {
      o = "osx";
    } else if (os.contains("win")) {
      o = "win";
    } else if (os.contains("nux")) {
      o = "linux";
    } else {
      return null;
    }
    String a;
    if (arch.startsWith("amd64") || arch.startsWith("x86_64")) {
      a = "x64";
    } else if (arch.startsWith("aarch64") || arch.startsWith("arm64")) {
      a = "aarch64";
    } else {
      return null;
    }
    return o + '-' + a;
  }
}

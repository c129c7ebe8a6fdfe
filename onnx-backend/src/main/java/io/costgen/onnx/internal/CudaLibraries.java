package io.costgen.onnx.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Which shared libraries ONNX Runtime's CUDA provider needs and whether this machine has them,
 * checked before the provider is loaded (a failed load prints a native error log and surfaces as
 * an unrelated "could not be loaded" error). Linux only: elsewhere nothing is reported missing.
 * Thread-safe (stateless).
 */
public final class CudaLibraries {

  /**
   * What {@code libonnxruntime_providers_cuda.so} of ONNX Runtime 1.28.0 links against (readelf
   * NEEDED: the NVIDIA driver's {@code libcuda.so.1}, CUDA 12 runtime, cuBLAS, cuBLASLt, cuRAND)
   * plus cuDNN 9, which it opens at session creation.
   */
  public static final List<String> REQUIRED = List.of("libcuda.so.1", "libcudart.so.12", "libcublas.so.12",
      "libcublasLt.so.12", "libcurand.so.10", "libcudnn.so.9");

  /** Set to {@code true} to skip the check (libraries found by a mechanism it does not see). */
  public static final String SKIP_PROPERTY = "costgen.cuda.skipLibraryCheck";

  private CudaLibraries() {}

  /** The entries of {@code required} that {@code present} does not find, in order. */
  public static List<String> missing(List<String> required, Predicate<String> present) {
    List<String> out = new ArrayList<>();
    for (String lib : required) {
      if (!present.test(lib)) {
        out.add(lib);
      }
    }
    return out;
  }

  /** {@link #REQUIRED} libraries this machine lacks; empty off Linux or when the check is skipped. */
  public static List<String> missingOnThisMachine() {
    if (Boolean.getBoolean(SKIP_PROPERTY)
        || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return List.of();
    }
    return missing(REQUIRED, systemFinder());
  }

  /**
   * Finds a library file the way the dynamic loader would: {@code LD_LIBRARY_PATH}, the JVM's
   * {@code java.library.path}, the usual CUDA and system folders, and the loader cache
   * ({@code ldconfig -p}).
   */
  public static Predicate<String> systemFinder() {
    Set<Path> dirs = new LinkedHashSet<>();
    addPath(dirs, System.getenv("LD_LIBRARY_PATH"));
    addPath(dirs, System.getProperty("java.library.path"));
    for (String d : List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
        "/usr/local/cuda-12/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64",
        "/lib64", "/usr/lib", "/lib", "/usr/lib/wsl/lib")) {
      dirs.add(Path.of(d));
    }
    Set<String> cached = loaderCache();
    return lib -> cached.contains(lib) || dirs.stream().anyMatch(d -> Files.exists(d.resolve(lib)));
  }

  private static void addPath(Set<Path> dirs, String path) {
    if (path == null || path.isBlank()) {
      return;
    }
    for (String p : path.split(File.pathSeparator)) {
      if (!p.isBlank()) {
        try {
          dirs.add(Path.of(p));
        } catch (RuntimeException e) {
          // not a path: ignore
        }
      }
    }
  }

  /** Library file names in the dynamic loader's cache; empty when ldconfig cannot be run. */
  static Set<String> loaderCache() {
    Set<String> names = new LinkedHashSet<>();
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
      if (ldconfig.startsWith("/") && !Files.isExecutable(Path.of(ldconfig))) {
        continue;
      }
      try {
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out;
        try (InputStream in = p.getInputStream()) {
          out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          continue;
        }
        for (String line : out.split("\n")) {
          String t = line.strip();
          int space = t.indexOf(' ');
          if (t.startsWith("lib") && space > 0) {
            names.add(t.substring(0, space));
          }
        }
        return names;
      } catch (IOException e) {
        // try the next location
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return names;
      }
    }
    return names;
  }
}

package io.costgen.testkit;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for synthetic decoder models: ONNX graphs of GPT-2 or Llama shape with seeded
 * random weights, for tests, demos and benchmarks that must not download anything.
 *
 * <pre>{@code
 * SyntheticModel model = SyntheticModels.gpt2().layers(2).hidden(64).heads(4)
 *     .vocab(512).context(128).seed(42).build();
 * Path dir = SyntheticModels.cached(cacheDir, model, Layout.WITH_PAST);
 * // the int4 (MatMulNBits, block 32) twin of the same weights:
 * SyntheticModel int4 = model.toBuilder().weightFormat(WeightFormat.INT4).build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class SyntheticModels {

  private static final Logger LOG = LoggerFactory.getLogger(SyntheticModels.class);
  private static final ConcurrentMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

  private SyntheticModels() {}

  /** A GPT-2 style builder (2 layers, hidden 64, 4 heads, vocab 512, context 128, seed 42). */
  public static DecoderModelBuilder gpt2() {
    return DecoderModelBuilder.gpt2();
  }

  /**
   * A Llama style builder (2 layers, hidden 64, 4 heads, 2 KV heads, vocab 512, context 128,
   * untied head, seed 42).
   */
  public static DecoderModelBuilder llama() {
    return DecoderModelBuilder.llama();
  }

  /** Tiny GPT-2 style preset ({@code tiny-gpt2}): the {@link #gpt2()} defaults, ~0.2 MB. */
  public static DecoderModelBuilder tiny() {
    return gpt2().name("tiny-gpt2");
  }

  /** Tiny Llama style preset ({@code tiny-llama}) with grouped-query attention (4 heads, 2 KV). */
  public static DecoderModelBuilder tinyLlama() {
    return llama().name("tiny-llama");
  }

  /**
   * The GPT-2 small (124M) shape: 12 layers, hidden 768, 12 heads, vocab 50257, context 1024,
   * tied embeddings, GPT-2's init (std 0.02). 124,439,808 parameters, ~498 MB of fp32 weights
   * (written as external data). Radford et al. 2019, Table 2 (smallest model); parameter count
   * of the released {@code gpt2} checkpoint.
   */
  public static DecoderModelBuilder gpt2Small() {
    return gpt2().name("gpt2-small").layers(12).hidden(768).heads(12).vocab(50257).context(1024);
  }

  /**
   * A Llama-style model of GPT-2 small's size ({@code llama-small}): 12 layers, hidden 768, 12
   * query heads sharing 4 KV heads (grouped-query attention), SwiGLU width 2048, vocab 32000
   * (Llama 2's), untied head, context 1024: 124.7M parameters, ~499 MB in fp32. The benchmarks'
   * Llama model; {@code llamaSmall().weightFormat(WeightFormat.INT4)} is its int4
   * ({@code MatMulNBits}) twin, {@code WeightFormat.INT8} its QDQ int8 twin.
   */
  public static DecoderModelBuilder llamaSmall() {
    return llama().name("llama-small").layers(12).hidden(768).heads(12).kvHeads(4)
        .vocab(32000).context(1024);
  }

  /**
   * Returns a folder under {@code cacheDir} holding {@code model} written in {@code layout},
   * writing it on first use. The folder name carries {@link SyntheticModel#cacheKey(Layout)}
   * (a hash of every field, the seed, the layout and the generator version), so a changed spec
   * gets a new folder. The model is written into a temporary folder beside it and renamed into
   * place, so a folder that exists is complete, even after a crash or when several processes
   * race (the loser's copy is deleted). Large models take a while the first time (the GPT-2
   * small shape: ~500 MB).
   *
   * @return the model folder (pass it to the backend)
   */
  public static Path cached(Path cacheDir, SyntheticModel model, Layout layout)
      throws IOException {
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(layout, "layout");
    return cachedFolder(cacheDir, model, model.cacheFolderName(layout), tmp -> model.writeTo(tmp, layout));
  }

  /**
   * Writes {@code model} into {@code dir} as a Hugging Face safetensors folder:
   * {@code model.safetensors} (fp32, the same seeded weights as the ONNX file, Llama projections
   * in PyTorch's {@code [out, in]} layout), {@code config.json}, {@code generation_config.json},
   * {@code tokenizer.json}, {@code tokenizer_config.json}, {@code special_tokens_map.json} and a
   * {@code README.md}. This is the form Java engines that read Hugging Face checkpoints (Jlama)
   * load; the benchmarks compare them with costgen on the same weights. Only
   * {@link WeightFormat#FP32} models ({@link IllegalArgumentException} otherwise). Memory: the largest
   * tensor is held as a {@code float[]} while it is written (the GPT-2 small shape: ~150 MB).
   * Not atomic: use {@link #cachedSafetensors}.
   */
  public static void writeSafetensors(SyntheticModel model, Path dir) throws IOException {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(dir, "dir");
    requireFp32(model);
    SafetensorsFolder.write(model, dir);
  }

  /**
   * Like {@link #cached}, for the safetensors folder of {@link #writeSafetensors}: a folder under
   * {@code cacheDir} named after the model's cache key, written on first use, complete whenever it
   * exists.
   */
  public static Path cachedSafetensors(Path cacheDir, SyntheticModel model) throws IOException {
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(model, "model");
    requireFp32(model);
    return cachedFolder(cacheDir, model, model.cacheFolderName(Layout.WITH_PAST)
        .replace("-with_past-", "-safetensors-"), tmp -> SafetensorsFolder.write(model, tmp));
  }

  private static void requireFp32(SyntheticModel model) {
    if (model.weightFormat() != WeightFormat.FP32) {
      throw new IllegalArgumentException("weightFormat: " + model.weightFormat() + " is not supported by the"
          + " safetensors folder, which holds the fp32 weights (allowed: FP32); quantize them with the"
          + " engine that loads the folder");
    }
  }

  private interface FolderWriter {
    void write(Path dir) throws IOException;
  }

  private static Path cachedFolder(Path cacheDir, SyntheticModel model, String folderName,
      FolderWriter writer) throws IOException {
    Path target = cacheDir.toAbsolutePath().normalize().resolve(folderName);
    if (Files.isDirectory(target)) {
      return target;
    }
    synchronized (LOCKS.computeIfAbsent(target, k -> new Object())) {
      if (Files.isDirectory(target)) {
        return target;
      }
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempDirectory(target.getParent(), ".tmp-" + target.getFileName() + "-");
      try {
        LOG.info("Writing synthetic model {} ({} parameters, ~{} MiB) to {}", model.name(),
            model.parameterCount(), model.estimatedBytes() >> 20, target);
        writer.write(tmp);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException("cannot rename " + tmp + " to " + target + " atomically", e);
        } catch (IOException e) {
          if (!Files.isDirectory(target)) {
            throw e;
          }
          // Another process renamed its complete copy into place first; keep that one.
          LOG.debug("{} was written concurrently by another process", target);
        }
      } finally {
        if (Files.exists(tmp)) {
          deleteRecursively(tmp);
        }
      }
    }
    return target;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}

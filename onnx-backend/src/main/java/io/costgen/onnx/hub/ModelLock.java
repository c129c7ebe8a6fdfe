package io.costgen.onnx.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive right to write one model's cache folder: a JVM-wide lock per lock file (a
 * {@link FileLock} cannot be held twice in one JVM) plus an OS file lock against other processes.
 * Close it on the thread that acquired it.
 */
final class ModelLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelLock.class);
  private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final ReentrantLock jvmLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private ModelLock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
    this.jvmLock = jvmLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /** Blocks until this JVM and every other process have released {@code lockFile}. */
  static ModelLock acquire(Path lockFile) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock jvmLock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
    if (!jvmLock.tryLock()) {
      log.info("waiting for another download into {}", key.getParent());
      try {
        jvmLock.lockInterruptibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for " + key);
      }
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(key.getParent());
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock;
      try {
        fileLock = channel.tryLock();
        if (fileLock == null) {
          log.info("waiting for another process downloading into {}", key.getParent());
          fileLock = channel.lock();
        }
      } catch (UnsupportedOperationException | IOException e) {
        if (!channel.isOpen() || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        log.warn(
            "cannot lock {} ({}); concurrent downloads from other processes are not excluded",
            key,
            e.toString());
        fileLock = null;
      }
      return new ModelLock(jvmLock, channel, fileLock);
    } catch (IOException | RuntimeException | Error e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      jvmLock.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (fileLock != null && fileLock.isValid()) {
        fileLock.release();
      }
    } finally {
      try {
        channel.close();
      } finally {
        jvmLock.unlock();
      }
    }
  }
}

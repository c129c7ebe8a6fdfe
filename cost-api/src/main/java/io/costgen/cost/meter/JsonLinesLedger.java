package io.costgen.cost.meter;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable, append-only usage ledger: one JSON object per line in
 * {@code <dir>/usage-YYYY-MM-DD.jsonl}, the date being the record's end time in the ledger's zone
 * (UTC by default). When {@link #record} returns, the line has been written with one
 * {@code write} call and, under {@link FsyncPolicy#EVERY_RECORD}, forced to the device; see
 * {@link FsyncPolicy} for the loss window of {@code EVERY_N_MILLIS}.
 *
 * <p>Several writers, in one process or many, may share a directory: files are opened in append
 * mode ({@code O_APPEND}: every write lands at the current end of the file, never over another
 * writer's record) and each record is written under an exclusive lock on {@code <dir>/.ledger.lock}
 * (a {@link java.nio.channels.FileLock} between processes, a lock per directory within one JVM),
 * so records never interleave. The lock is held only for the write itself (not the fsync), and the
 * operating system drops it when a holder dies.
 *
 * <p>Crash safety: a kill during a write can leave a torn last line. Before each record, under the
 * lock, the ledger checks that the file ends in a newline and, if not, starts the record on a new
 * line, so a fragment stays a line of its own; {@link LedgerReader} skips such lines with a WARN
 * and counts a record id written twice once. New files are made durable by forcing the directory
 * too.
 *
 * <p>Text: {@code promptText}/{@code completionText} are written only if built with
 * {@code includeText(true)}. Thread-safe.
 */
public final class JsonLinesLedger implements Meter, Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesLedger.class);
  /** The file whose lock serialises appends by every writer of a directory. */
  static final String LOCK_FILE = ".ledger.lock";
  /** One lock per lock file in this JVM: a FileLock cannot be taken twice by one process. */
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path dir;
  private final ZoneId zone;
  private final FsyncPolicy fsync;
  private final boolean includeText;
  private final Object lock = new Object();
  private final ScheduledExecutorService flusher;
  private final Path lockPath;
  private final ReentrantLock jvmLock;
  private FileChannel lockChannel; // guarded by jvmLock
  private FileChannel channel; // guarded by lock
  private FileChannel reader; // guarded by lock: reads the last byte of the current file
  private LocalDate channelDate; // guarded by lock
  private Path channelPath; // guarded by lock
  private boolean closed; // guarded by lock
  private volatile boolean dirty;

  private JsonLinesLedger(Builder b) {
    this.dir = b.dir;
    this.zone = b.zone;
    this.fsync = b.fsync;
    this.includeText = b.includeText;
    Path lockFile = dir.resolve(LOCK_FILE);
    try {
      Files.createDirectories(dir);
      try {
        Files.createFile(lockFile);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // another writer made it
      }
      this.lockPath = lockFile.toRealPath();
      this.lockChannel = FileChannel.open(lockPath, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new MeterException("ledger: cannot open " + dir + " for writing: " + e, e);
    }
    this.jvmLock = JVM_LOCKS.computeIfAbsent(lockPath, k -> new ReentrantLock());
    if (fsync.everyRecord()) {
      flusher = null;
    } else {
      flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "costgen-ledger-fsync");
        t.setDaemon(true);
        return t;
      });
      flusher.scheduleWithFixedDelay(this::forceIfDirty, fsync.everyMillis(), fsync.everyMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A ledger in {@code dir} (created if missing), UTC days, {@link FsyncPolicy#EVERY_RECORD}, no
   * text. Close it when done (try-with-resources) so the last records are forced to the device.
   *
   * @throws MeterException (unchecked; the {@link IOException} as its cause) when the directory
   *     cannot be created or its lock file cannot be written; the message names the directory
   */
  public static JsonLinesLedger open(Path dir) {
    return builder(dir).build();
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** The file holding records whose end date (in the ledger's zone) is {@code date}. */
  public static String fileName(LocalDate date) {
    return "usage-" + date + ".jsonl";
  }

  public Path directory() {
    return dir;
  }

  /**
   * Appends {@code r}; returns once it is written per the fsync policy.
   *
   * @throws MeterException if it could not be written (the record is not acknowledged; the
   *     exception holds it)
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public void record(UsageRecord r) {
    Objects.requireNonNull(r, "record");
    byte[] line = UsageRecordJson.toLine(r, includeText);
    LocalDate date = r.end().atZone(zone).toLocalDate();
    FileChannel ch;
    Path file;
    try {
      synchronized (lock) {
        if (closed) {
          throw new IllegalStateException("ledger " + dir + " is closed");
        }
        ch = channelFor(date);
        file = channelPath;
        appendLocked(ch, line);
        dirty = true;
      }
      if (fsync.everyRecord()) {
        force(ch, file); // outside the lock: concurrent writers share device flushes
      }
    } catch (IOException e) {
      throw new MeterException("ledger " + dir + ": could not write record " + r.id() + " (" + e + ")", r, e);
    }
  }

  /**
   * Opens (creating if needed) the file for today's records in append mode, so that a ledger
   * that cannot be written fails a call before it does any work.
   *
   * @throws MeterException naming the directory and the cause
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public void checkReady() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("ledger " + dir + " is closed");
      }
      try {
        if (!lockChannel.isOpen()) {
          jvmLock.lock();
          try {
            lockChannel = FileChannel.open(lockPath, StandardOpenOption.WRITE);
          } finally {
            jvmLock.unlock();
          }
        }
        channelFor(LocalDate.now(zone));
      } catch (IOException e) {
        throw new MeterException("ledger " + dir + " cannot be written (" + e + ")", e);
      }
    }
  }

  /**
   * Appends {@code line} under the directory lock, first ending a torn line (a writer killed
   * mid-write) with a newline so that the fragment stays a line of its own.
   */
  private void appendLocked(FileChannel ch, byte[] line) throws IOException {
    jvmLock.lock();
    try {
      if (!lockChannel.isOpen()) {
        lockChannel = FileChannel.open(lockPath, StandardOpenOption.WRITE); // closed by an interrupt
      }
      try (FileLock held = lockChannel.lock()) {
        long size = ch.size();
        ByteBuffer buf = ByteBuffer.wrap(line);
        if (size > 0) {
          ByteBuffer last = ByteBuffer.allocate(1);
          reader.read(last, size - 1);
          if (last.get(0) != '\n') {
            LOG.warn("ledger file {} ends in a torn line (a writer killed during a write?); starting a new line",
                channelPath);
            byte[] withNewline = new byte[line.length + 1];
            withNewline[0] = '\n';
            System.arraycopy(line, 0, withNewline, 1, line.length);
            buf = ByteBuffer.wrap(withNewline);
          }
        }
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * Forces {@code file}'s data. If {@code ch} was closed meanwhile (a roll, or another thread
   * interrupted inside a channel call, which closes the channel), forces the file through a fresh
   * channel: fsync applies to the file, not to one descriptor.
   */
  private static void force(FileChannel ch, Path file) throws IOException {
    try {
      ch.force(false);
    } catch (java.nio.channels.ClosedByInterruptException e) {
      throw e; // this thread was interrupted: not acknowledged
    } catch (ClosedChannelException closed) {
      try (FileChannel again = FileChannel.open(file, StandardOpenOption.WRITE)) {
        again.force(false);
      }
    }
  }

  /** Forces everything written so far to the device. */
  public void flush() {
    forceIfDirty();
  }

  /**
   * Forces and closes the current file and stops the background flusher. Idempotent.
   *
   * @throws MeterException (unchecked) when the last records cannot be forced or a file cannot be
   *     closed; the message names the directory
   */
  @Override
  public void close() {
    if (flusher != null) {
      flusher.shutdown(); // no interrupt: an interrupted force would close the channel
      try {
        flusher.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        closeFiles();
      } catch (IOException e) {
        throw new MeterException("ledger: cannot close " + dir + ": " + e, e);
      }
    }
  }

  /** Caller holds {@code lock}. */
  private void closeFiles() throws IOException {
    try {
      if (channel != null) {
        try {
          force(channel, channelPath);
        } finally {
          channel.close();
          reader.close();
          channel = null;
        }
      }
    } finally {
      // Closing a descriptor of the lock file drops this process's locks on it: only while no
      // other ledger of this JVM holds it.
      jvmLock.lock();
      try {
        lockChannel.close();
      } finally {
        jvmLock.unlock();
      }
    }
  }

  private FileChannel channelFor(LocalDate date) throws IOException {
    if (channel != null && channel.isOpen() && date.equals(channelDate)) {
      return channel;
    }
    if (channel != null) {
      try {
        force(channel, channelPath);
      } finally {
        channel.close(); // also when an interrupt closed it: reopened below
        reader.close();
        channel = null;
      }
    }
    Path file = dir.resolve(fileName(date));
    boolean existed = Files.exists(file);
    // APPEND = O_APPEND: each write goes to the end of the file as it is then, whoever else appends.
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    FileChannel rd;
    try {
      rd = FileChannel.open(file, StandardOpenOption.READ);
      if (!existed) {
        ch.force(true);
        forceDirectory();
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    channel = ch;
    reader = rd;
    channelDate = date;
    channelPath = file;
    return ch;
  }

  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not fsync directory {} ({}); file creation may not be durable on power loss", dir, e.toString());
    }
  }

  private void forceIfDirty() {
    FileChannel ch;
    Path file;
    synchronized (lock) {
      if (!dirty || channel == null) {
        return;
      }
      dirty = false;
      ch = channel;
      file = channelPath;
    }
    try {
      force(ch, file);
    } catch (IOException e) {
      dirty = true;
      LOG.warn("ledger {}: fsync failed; will retry", dir, e);
    }
  }

  /** Builder for {@link JsonLinesLedger}. Not thread-safe. */
  public static final class Builder {
    private final Path dir;
    private ZoneId zone = ZoneOffset.UTC;
    private FsyncPolicy fsync = FsyncPolicy.EVERY_RECORD;
    private boolean includeText;

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** Zone of the daily file boundary (default UTC). */
    public Builder zone(ZoneId v) { this.zone = Objects.requireNonNull(v, "zone"); return this; }
    public Builder fsync(FsyncPolicy v) { this.fsync = Objects.requireNonNull(v, "fsync"); return this; }
    /** Whether to keep prompt/completion text present on records (default false: stripped). */
    public Builder includeText(boolean v) { this.includeText = v; return this; }

    /**
     * Opens the ledger (creates the directory).
     *
     * @throws MeterException (unchecked) when the directory cannot be created or written
     */
    public JsonLinesLedger build() {
      return new JsonLinesLedger(this);
    }
  }
}

package io.costgen.onnx.graph;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * A buffered little-endian byte sink over a channel, counting the bytes written. Used for the
 * ONNX protobuf file and for external-data files. Not thread-safe; closing closes the channel.
 */
public final class ProtoOutput implements Closeable {

  private static final int BUFFER_BYTES = 1 << 20;

  private final WritableByteChannel channel;
  private final ByteBuffer buffer =
      ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private long flushed;

  public ProtoOutput(WritableByteChannel channel) {
    this.channel = channel;
  }

  /** Bytes written so far. */
  public long position() {
    return flushed + buffer.position();
  }

  public void write(byte[] bytes, int offset, int length) throws IOException {
    while (length > 0) {
      ensure(1);
      int n = Math.min(length, buffer.remaining());
      buffer.put(bytes, offset, n);
      offset += n;
      length -= n;
    }
  }

  public void writeFloat(float value) throws IOException {
    ensure(Float.BYTES);
    buffer.putFloat(value);
  }

  public void writeLong(long value) throws IOException {
    ensure(Long.BYTES);
    buffer.putLong(value);
  }

  public void writeByte(int value) throws IOException {
    ensure(1);
    buffer.put((byte) value);
  }

  /** Writes {@code count} zero bytes (alignment padding). */
  public void writeZeros(long count) throws IOException {
    for (long i = 0; i < count; i++) {
      writeByte(0);
    }
  }

  private void ensure(int bytes) throws IOException {
    if (buffer.remaining() < bytes) {
      drain();
    }
  }

  private void drain() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      flushed += channel.write(buffer);
    }
    buffer.clear();
  }

  @Override
  public void close() throws IOException {
    try {
      drain();
    } finally {
      channel.close();
    }
  }

  /** An in-memory channel for small messages and tests. */
  public static final class ByteArraySink implements WritableByteChannel {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean open = true;

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      byte[] chunk = new byte[n];
      src.get(chunk);
      bytes.write(chunk, 0, n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }

    byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }
}

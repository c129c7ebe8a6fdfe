package io.costgen.onnx.graph;

import io.costgen.onnx.graph.ProtoOutput;
import io.costgen.onnx.graph.TensorSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic weight values: the same seed and tensor name give the same bytes on every JVM
 * and platform.
 *
 * <p>Each tensor has its own stream, seeded from the model seed and a 64-bit FNV-1a hash of the
 * tensor name, so values never depend on the order tensors are written in. The stream is
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
 * 2014; constants as published). A "normal-ish" value is the Irwin-Hall sum of four uniforms,
 * centred and scaled to unit variance ({@code (u1+u2+u3+u4-2)·√3}, variance of U(0,1) is 1/12),
 * then multiplied by the standard deviation: bell-shaped, bounded by ±2√3·σ, made only of exact
 * integer and IEEE double arithmetic (no {@code Math.log}/{@code cos}, whose last bit may vary).
 */
public final class SeededWeights {

  private static final double SQRT3 = Math.sqrt(3.0);

  private SeededWeights() {}

  /** Streams the raw little-endian bytes of {@code tensor}. */
  public static void write(TensorSpec tensor, long seed, ProtoOutput out) throws IOException {
    long n = tensor.elementCount();
    TensorSpec.Values values = tensor.values();
    if (values instanceof TensorSpec.Bytes raw) {
      out.write(raw.data(), 0, raw.data().length);
    } else if (values instanceof TensorSpec.Normal normal) {
      Stream stream = new Stream(seed, tensor.name());
      for (long i = 0; i < n; i++) {
        out.writeFloat(stream.nextNormal(normal.std()));
      }
    } else if (values instanceof TensorSpec.Fill fill) {
      for (long i = 0; i < n; i++) {
        out.writeFloat(fill.value());
      }
    } else if (values instanceof TensorSpec.Floats floats) {
      for (float f : floats.data()) {
        out.writeFloat(f);
      }
    } else if (tensor.type() == TensorSpec.ElementType.BOOL) {
      for (long v : ((TensorSpec.Longs) values).data()) {
        out.writeByte(v != 0 ? 1 : 0);
      }
    } else {
      for (long v : ((TensorSpec.Longs) values).data()) {
        out.writeLong(v);
      }
    }
  }

  /** The values of a float tensor as an array (small models: the reference forward pass). */
  public static float[] floats(TensorSpec tensor, long seed) {
    long n = tensor.elementCount();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "tensor " + tensor.name() + ": " + n + " elements do not fit in a float[]");
    }
    float[] out = new float[(int) n];
    TensorSpec.Values values = tensor.values();
    if (values instanceof TensorSpec.Normal normal) {
      Stream stream = new Stream(seed, tensor.name());
      for (int i = 0; i < out.length; i++) {
        out[i] = stream.nextNormal(normal.std());
      }
    } else if (values instanceof TensorSpec.Fill fill) {
      java.util.Arrays.fill(out, fill.value());
    } else if (values instanceof TensorSpec.Floats floats) {
      System.arraycopy(floats.data(), 0, out, 0, out.length);
    } else {
      throw new IllegalArgumentException("tensor " + tensor.name() + " is not a float tensor");
    }
    return out;
  }

  /** 64-bit FNV-1a over the UTF-8 bytes (offset basis and prime as published by Fowler/Noll/Vo). */
  public static long fnv1a64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xFF);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64 stream for one tensor. */
  public static final class Stream {
    private long state;

    Stream(long seed, String tensorName) {
      this.state = mix(seed) ^ fnv1a64(tensorName);
    }

    long nextLong() {
      state += 0x9E3779B97F4A7C15L;
      return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextUniform() {
      return (nextLong() >>> 11) * 0x1.0p-53;
    }

    float nextNormal(double std) {
      double sum = nextUniform() + nextUniform() + nextUniform() + nextUniform();
      return (float) ((sum - 2.0) * SQRT3 * std);
    }

    private static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }
}

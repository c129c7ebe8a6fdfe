package io.costgen.onnx.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way costgen reaches ONNX Runtime's process-wide state: native libraries from the
 * {@link NativeLibraryCache}, then the shared {@link OrtEnvironment} with telemetry turned off.
 *
 * <p>Telemetry: the pinned ONNX Runtime (1.28.0) has no telemetry client on Linux or macOS; on
 * Windows its ETW events are switched off here right after the environment exists. A user who
 * wants to send ONNX Runtime's usage telemetry opts in with {@code -Dcostgen.onnxruntime.telemetry=true}.
 * (ONNX Runtime 1.29.0's POSIX client starts inside environment creation, before any API call
 * could stop it: users who override the version must set {@code ORT_DISABLE_TELEMETRY=1} in the
 * process environment themselves.)
 *
 * <p>Thread-safe.
 */
public final class OrtRuntime {
  /** System property: {@code true} leaves ONNX Runtime's telemetry as ONNX Runtime sets it. */
  public static final String TELEMETRY_PROPERTY = "costgen.onnxruntime.telemetry";

  private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);
  private static volatile OrtEnvironment environment;

  private OrtRuntime() {}

  /** The process's ONNX Runtime environment (created on first use, telemetry off unless opted in). */
  public static OrtEnvironment environment() {
    OrtEnvironment env = environment;
    if (env != null) {
      return env;
    }
    synchronized (OrtRuntime.class) {
      if (environment == null) {
        NativeLibraryCache.prepare();
        OrtEnvironment created = OrtEnvironment.getEnvironment();
        if (!Boolean.getBoolean(TELEMETRY_PROPERTY)) {
          try {
            created.setTelemetry(false);
          } catch (OrtException e) {
            LOG.warn("Could not switch ONNX Runtime telemetry off: {}", e.getMessage());
          }
        }
        environment = created;
      }
      return environment;
    }
  }

  /** The execution providers this ONNX Runtime build offers. */
  public static EnumSet<OrtProvider> availableProviders() {
    environment();
    return OrtEnvironment.getAvailableProviders();
  }
}

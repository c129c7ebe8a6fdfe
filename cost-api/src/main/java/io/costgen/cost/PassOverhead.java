package io.costgen.cost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The fixed time one model's forward pass takes beyond its matmuls and KV-cache reads, measured on
 * the model itself (ONNX backend: {@code OnnxCalibration.measurePassOverhead}): graph dispatch,
 * small element-wise operators, tensor set-up and the generation loop's own work. It dominates
 * tiny models (stories260k: ~0.5 ms of a ~0.6 ms step); on larger ones it is what the model's
 * own operators cost beyond the calibrated matmuls (attention, norms, activations, KV-cache
 * copies, matmul shapes slower than the calibration's). It grows with the rows a pass processes
 * (prompt passes: batch × prompt tokens; decode steps: batch), so it is kept per phase and row
 * count and interpolated linearly between the measured points; below the first point it is the
 * first point's, beyond the last it grows in proportion to the pass's predicted matmul time (the
 * measurement stops where passes get long, and there the residual scales with the work).
 *
 * <p>Immutable and thread-safe.
 *
 * @param model the {@link ModelShape#name()} it was measured on (it applies to that model only)
 * @param prefill measured overheads of prompt passes, by rows, at least one
 * @param decode measured overheads of decode steps, by rows (batch), at least one
 */
public record PassOverhead(String model, List<Point> prefill, List<Point> decode) {

  /**
   * The overhead of a pass over {@code rows} rows (batch × tokens per row).
   *
   * @param rows rows of the pass, ≥ 1
   * @param seconds overhead, seconds ≥ 0
   * @param predictedSeconds the calibrated prediction of the same pass without overhead, seconds
   *     ≥ 0 (scales the overhead beyond the last point)
   */
  public record Point(int rows, double seconds, double predictedSeconds) {
    /** Validates the fields. */
    public Point {
      if (rows < 1) {
        throw new IllegalArgumentException("rows: " + rows + " must be >= 1");
      }
      nonNegative("seconds", seconds);
      nonNegative("predictedSeconds", predictedSeconds);
    }
  }

  private static void nonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value >= 0");
    }
  }

  /** Validates and sorts the points. */
  public PassOverhead {
    Objects.requireNonNull(model, "model");
    prefill = sorted("prefill", prefill);
    decode = sorted("decode", decode);
  }

  private static List<Point> sorted(String field, List<Point> points) {
    Objects.requireNonNull(points, field);
    if (points.isEmpty()) {
      throw new IllegalArgumentException(field + ": empty; allowed: at least one measured point");
    }
    List<Point> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingInt(Point::rows));
    return List.copyOf(sorted);
  }

  /**
   * The overhead of a prompt pass over {@code rows} rows (batch × tokens), seconds, for a pass
   * whose predicted time without overhead is {@code predictedSeconds}.
   */
  public double prefillSeconds(double rows, double predictedSeconds) {
    return interpolate(prefill, rows, predictedSeconds);
  }

  /**
   * The overhead of a decode step over {@code rows} rows (the batch), seconds, for a step whose
   * predicted time without overhead is {@code predictedSeconds}.
   */
  public double decodeSeconds(double rows, double predictedSeconds) {
    return interpolate(decode, rows, predictedSeconds);
  }

  private static double interpolate(List<Point> points, double rows, double predictedSeconds) {
    Point last = points.get(points.size() - 1);
    if (rows > last.rows()) {
      return last.predictedSeconds() > 0 && predictedSeconds > last.predictedSeconds()
          ? last.seconds() * predictedSeconds / last.predictedSeconds() : last.seconds();
    }
    Point first = points.get(0);
    if (rows <= first.rows()) {
      return first.seconds();
    }
    for (int i = 1; i < points.size(); i++) {
      Point hi = points.get(i);
      if (rows <= hi.rows()) {
        Point lo = points.get(i - 1);
        double t = (rows - lo.rows()) / (hi.rows() - lo.rows());
        return lo.seconds() + t * (hi.seconds() - lo.seconds());
      }
    }
    return last.seconds();
  }

  /** Whether it was measured on {@code shape}'s model. */
  public boolean appliesTo(ModelShape shape) {
    return shape.name().equals(model);
  }
}

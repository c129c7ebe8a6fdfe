package io.costgen.cost;

/**
 * Time of a call on a calibrated device ({@link DeviceCalibration#predict}); formulas in
 * {@code docs/cost-model.md}, "Calibrated time".
 */
final class CalibratedTime {

  private CalibratedTime() {}

  static LatencyEstimate predict(DeviceCalibration c, ModelShape model, DType weights,
      long promptTokensPerRow, long newTokensPerRow, int batch, PassOverhead overhead) {
    java.util.Objects.requireNonNull(model, "model");
    java.util.Objects.requireNonNull(weights, "weights");
    if (promptTokensPerRow < 0) {
      throw new IllegalArgumentException(
          "promptTokensPerRow: " + promptTokensPerRow + " must be >= 0");
    }
    if (newTokensPerRow < 0) {
      throw new IllegalArgumentException("newTokensPerRow: " + newTokensPerRow + " must be >= 0");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " must be >= 1");
    }
    PassOverhead ovh = overhead != null && overhead.appliesTo(model) ? overhead : null;
    if (weights != DType.FP32 || c.fp32RowRates().isEmpty()) {
      RooflineModel r = c.roofline(weights);
      if (ovh == null) {
        return r.predict(model, promptTokensPerRow, newTokensPerRow, batch);
      }
      LatencyEstimate e = r.toBuilder().passOverheadSeconds(0).build()
          .predict(model, promptTokensPerRow, newTokensPerRow, batch);
      double prefill = promptTokensPerRow > 0
          ? e.prefillSeconds() + ovh.prefillSeconds((double) batch * promptTokensPerRow, e.prefillSeconds()) : 0;
      double decode = e.decodeSeconds() + ovh.decodeSeconds(batch, e.decodeSecondsPerToken()) * newTokensPerRow;
      return new LatencyEstimate(prefill, decode, newTokensPerRow == 0 ? 0 : decode / newTokensPerRow,
          prefill + decode, newTokensPerRow, 1, e.prefillBound(), e.decodeBound());
    }
    double bandwidth = c.bandwidthBytesPerSecond();
    // Weights a pass streams: every matmul of the layers plus the LM head (tied or not); an
    // untied input embedding and learned positions are only gathered, one row per token.
    double body = model.nonEmbeddingParameters();
    double head = (double) model.vocabSize() * model.hiddenSize();
    double streamedBytes = (body + head) * DType.FP32.bytesPerElement();
    double kvPerToken = model.kvCacheBytesPerToken(DType.FP32);
    double attention = 2.0 * model.attentionFlopsPerContextToken(); // QKᵀ and AV
    double p = promptTokensPerRow;
    long n = newTokensPerRow;

    double prefill = 0;
    LatencyEstimate.Bound prefillBound = LatencyEstimate.Bound.MEMORY;
    if (promptTokensPerRow > 0) {
      double rows = batch * p;
      double rate = c.fp32FlopsPerSecond(rows);
      double matmuls = 2.0 * rows * body / rate
          + 2.0 * batch * head / c.fp32FlopsPerSecond(batch)
          + batch * attention * p * (p + 1) / 2.0 / rate;
      prefillBound = matmuls > streamedBytes / bandwidth
          ? LatencyEstimate.Bound.COMPUTE : LatencyEstimate.Bound.MEMORY;
      prefill = matmuls + passOverhead(c, ovh == null ? -1 : ovh.prefillSeconds(rows, matmuls));
    }
    // Decode step i (1..n) at context p + i: a + b·i.
    double rate = c.fp32FlopsPerSecond(batch);
    double weightsTime = 2.0 * batch * (body + head) / rate;
    double a = weightsTime + batch * kvPerToken * p / bandwidth;
    double b = batch * kvPerToken / bandwidth;
    double meanStep = a + b * (n + 1) / 2.0;
    a += passOverhead(c, ovh == null ? -1 : ovh.decodeSeconds(batch, meanStep));
    double decode = RooflineModel.arithmeticSum(a, b, 1, n);
    LatencyEstimate.Bound decodeBound = weightsTime > streamedBytes / bandwidth
        ? LatencyEstimate.Bound.COMPUTE : LatencyEstimate.Bound.MEMORY;
    return new LatencyEstimate(prefill, decode, n == 0 ? 0 : decode / n, prefill + decode, n, 1,
        prefillBound, decodeBound);
  }

  /** The model's measured overhead ({@code < 0}: none), at least the device's warm pass. */
  private static double passOverhead(DeviceCalibration c, double measured) {
    return Math.max(c.passOverheadSeconds(), measured);
  }
}

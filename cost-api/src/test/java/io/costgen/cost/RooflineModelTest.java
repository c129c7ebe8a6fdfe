package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RooflineModelTest {

  private static final ModelShape LLAMA2_7B = ModelShape.preset("llama-2-7b");

  /** Exact roofline: efficiencies 1, so times are bytes/BW and FLOPs/peak. */
  private static RooflineModel ideal(HardwareProfile hw) {
    return RooflineModel.builder(hw).computeEfficiency(1).bandwidthEfficiency(1).build();
  }

  @Test
  void decodeAtBatchOne_isMemoryBound_onEveryCatalogGpu() {
    for (HardwareProfile hw : HardwareProfile.catalog()) {
      for (int context : new int[] {1, 512, 4000}) {
        LatencyEstimate e = RooflineModel.of(hw).predict(LLAMA2_7B, context, 16, 1);
        assertThat(e.decodeBound()).as(hw.name() + " @ " + context)
            .isEqualTo(LatencyEstimate.Bound.MEMORY);
      }
    }
  }

  @Test
  void decodeAtLargeBatch_becomesComputeBound() {
    LatencyEstimate e = RooflineModel.of(HardwareProfile.A100_80GB_SXM).predict(LLAMA2_7B, 16, 16, 512);
    assertThat(e.decodeBound()).isEqualTo(LatencyEstimate.Bound.COMPUTE);
  }

  @Test
  void decodeStepAtBatchOne_readsAllWeightsPlusTheKvCache() {
    HardwareProfile hw = HardwareProfile.A100_80GB_SXM;
    LatencyEstimate e = ideal(hw).predict(LLAMA2_7B, 99, 1, 1);
    double bytes = LLAMA2_7B.weightBytes(DType.FP16) + 100 * LLAMA2_7B.kvCacheBytesPerToken(DType.FP16);
    assertThat(e.decodeSecondsPerToken())
        .isCloseTo(bytes / hw.memoryBandwidthBytesPerSecond(), withinPercentage(1e-9));
    // kipply: small-batch decode ≈ 2·P / bandwidth for fp16 weights (6.6 ms here)
    assertThat(e.decodeSecondsPerToken())
        .isCloseTo(2.0 * LLAMA2_7B.parameters() / hw.memoryBandwidthBytesPerSecond(), withinPercentage(1));
  }

  @Test
  void prefill_crossesFromMemoryToComputeBound_nearTheRidgePoint() {
    // kipply: prompts shorter than peak/bandwidth (≈200 tokens on an A100 40GB with fp16
    // weights, 2 bytes per parameter and 2 FLOPs per parameter per token) take about the time of
    // one token.
    RooflineModel r = ideal(HardwareProfile.A100_40GB);
    double ridge = HardwareProfile.A100_40GB.ridgePointFlopsPerByte(DType.FP16);
    assertThat(r.predict(LLAMA2_7B, (long) (0.75 * ridge), 0, 1).prefillBound())
        .isEqualTo(LatencyEstimate.Bound.MEMORY);
    assertThat(r.predict(LLAMA2_7B, (long) (1.3 * ridge), 0, 1).prefillBound())
        .isEqualTo(LatencyEstimate.Bound.COMPUTE);
    assertThat(r.predict(LLAMA2_7B, 10, 0, 1).prefillSeconds())
        .isEqualTo(r.predict(LLAMA2_7B, 100, 0, 1).prefillSeconds());
  }

  @Test
  void longPrompt_prefillIsComputeBound_andMatchesFlopsOverPeak() {
    HardwareProfile hw = HardwareProfile.H100_SXM;
    LatencyEstimate e = RooflineModel.of(hw).predict(LLAMA2_7B, 2048, 0, 4);
    assertThat(e.prefillBound()).isEqualTo(LatencyEstimate.Bound.COMPUTE);
    assertThat(e.prefillSeconds()).isCloseTo(
        LLAMA2_7B.prefillFlops(2048, 4) / (989.4e12 * RooflineModel.DEFAULT_COMPUTE_EFFICIENCY),
        withinPercentage(1e-9));
    assertThat(e.decodeSeconds()).isZero();
    assertThat(e.decodeSecondsPerToken()).isZero();
  }

  @Test
  void totalSeconds_isPrefillPlusDecode_andDecodeSumsEveryStep() {
    RooflineModel r = RooflineModel.of(HardwareProfile.L4);
    LatencyEstimate e = r.predict(LLAMA2_7B, 300, 200, 3);
    double steps = 0;
    for (int i = 1; i <= 200; i++) {
      steps += r.predict(LLAMA2_7B, 300 + i - 1, 1, 3).decodeSeconds();
    }
    assertThat(e.decodeSeconds()).isCloseTo(steps, withinPercentage(1e-6));
    assertThat(e.totalSeconds()).isEqualTo(e.prefillSeconds() + e.decodeSeconds());
    assertThat(e.decodeSecondsPerToken()).isCloseTo(e.decodeSeconds() / 200, withinPercentage(1e-9));
  }

  @Test
  void sumOfMax_closedForm_matchesALoop() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 2000; trial++) {
      double a1 = rnd.nextDouble() * 10;
      double b1 = rnd.nextDouble() * (rnd.nextBoolean() ? 1 : 0.01);
      double a2 = rnd.nextDouble() * 10;
      double b2 = rnd.nextDouble() * (rnd.nextBoolean() ? 1 : 0.01);
      long n = rnd.nextInt(500);
      double loop = 0;
      for (long i = 1; i <= n; i++) {
        loop += Math.max(a1 + b1 * i, a2 + b2 * i);
      }
      assertThat(RooflineModel.sumOfMax(a1, b1, a2, b2, n)).isCloseTo(loop, withinPercentage(1e-9));
    }
  }

  @Test
  void moreDevices_divideTheTime_butNotTheDeviceSeconds() {
    RooflineModel one = RooflineModel.of(HardwareProfile.H100_SXM);
    RooflineModel four = one.toBuilder().devices(4).build();
    LatencyEstimate e1 = one.predict(LLAMA2_7B, 500, 100, 2);
    LatencyEstimate e4 = four.predict(LLAMA2_7B, 500, 100, 2);
    assertThat(e4.totalSeconds()).isCloseTo(e1.totalSeconds() / 4, withinPercentage(1e-9));
    assertThat(e4.deviceSeconds()).isCloseTo(e1.deviceSeconds(), withinPercentage(1e-9));
    assertThat(e4.devices()).isEqualTo(4);
  }

  @Test
  void passOverhead_isAddedOncePerForwardPass() {
    RooflineModel r = RooflineModel.of(HardwareProfile.T4);
    RooflineModel slow = r.toBuilder().passOverheadSeconds(0.01).build();
    double diff = slow.predict(LLAMA2_7B, 10, 20, 1).totalSeconds()
        - r.predict(LLAMA2_7B, 10, 20, 1).totalSeconds();
    assertThat(diff).isCloseTo(0.01 * 21, withinPercentage(1e-6));
  }

  @Test
  void timeGrowsWithNewTokens() {
    RooflineModel r = RooflineModel.of(HardwareProfile.A10G);
    double last = -1;
    for (int n = 0; n <= 64; n += 8) {
      double t = r.predict(LLAMA2_7B, 32, n, 2).totalSeconds();
      assertThat(t).isGreaterThan(last);
      last = t;
    }
  }

  @Test
  void defaults_pickFp16OnGpusAndFp32OnAnFp32OnlyDevice() {
    RooflineModel gpu = RooflineModel.of(HardwareProfile.T4);
    assertThat(gpu.weightDtype()).isEqualTo(DType.FP16);
    assertThat(gpu.kvCacheDtype()).isEqualTo(DType.FP16);
    assertThat(gpu.computeDtype()).isEqualTo(DType.FP16);
    assertThat(gpu.computeEfficiency()).isEqualTo(0.5);
    assertThat(gpu.bandwidthEfficiency()).isEqualTo(0.8);

    HardwareProfile fp32Only = HardwareProfile.builder("cpu-like").peakFlops(DType.FP32, 1e11)
        .memoryBandwidth(2e10).memoryBytes(1L << 34).tdpWatts(65).build();
    RooflineModel cpu = RooflineModel.of(fp32Only);
    assertThat(cpu.weightDtype()).isEqualTo(DType.FP32);
    assertThat(cpu.computeDtype()).isEqualTo(DType.FP32);

    RooflineModel int4 = RooflineModel.builder(HardwareProfile.L4).weightDtype(DType.INT4).build();
    assertThat(int4.kvCacheDtype()).isEqualTo(DType.FP16);
    assertThat(int4.computeDtype()).isEqualTo(DType.FP16);
  }

  @Test
  void fitsInMemory_llama2_70bFp16_needsTwoH100s() {
    RooflineModel one = RooflineModel.of(HardwareProfile.H100_SXM);
    assertThat(one.fitsInMemory(ModelShape.preset("llama-2-70b"), 4096, 1)).isFalse();
    assertThat(one.toBuilder().devices(2).build()
        .fitsInMemory(ModelShape.preset("llama-2-70b"), 4096, 1)).isTrue();
    assertThat(one.fitsInMemory(LLAMA2_7B, 4096, 1)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, -0.1, 1.0001, 1.5, Double.NaN})
  void computeEfficiencyOutsideZeroOne_isRejected(double mfu) {
    assertThatThrownBy(() -> RooflineModel.builder(HardwareProfile.H100_SXM).computeEfficiency(mfu).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("computeEfficiency (MFU)")
        .hasMessageContaining("(0, 1]");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 2.0, Double.NaN})
  void bandwidthEfficiencyOutsideZeroOne_isRejected(double eta) {
    assertThatThrownBy(() -> RooflineModel.builder(HardwareProfile.H100_SXM).bandwidthEfficiency(eta).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bandwidthEfficiency");
  }

  @Test
  void badSettingsAndInputs_areRejected_namingTheField() {
    assertThatThrownBy(() -> RooflineModel.builder(HardwareProfile.T4).devices(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("devices");
    assertThatThrownBy(() -> RooflineModel.builder(HardwareProfile.T4).computeDtype(DType.BF16).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("computeDtype")
        .hasMessageContaining("T4");
    assertThatThrownBy(() -> RooflineModel.builder(HardwareProfile.T4).passOverheadSeconds(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("passOverheadSeconds");
    RooflineModel r = RooflineModel.of(HardwareProfile.T4);
    assertThatThrownBy(() -> r.predict(LLAMA2_7B, -1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("promptTokensPerSequence");
    assertThatThrownBy(() -> r.predict(LLAMA2_7B, 1, -1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newTokensPerSequence");
    assertThatThrownBy(() -> r.predict(LLAMA2_7B, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch");
  }

  /**
   * The per-step spend check's allocation-free decode step is bit-identical to
   * {@code predict(model, context, 1, batch).decodeSeconds()} on every catalog device, over
   * contexts either side of the compute/memory crossover, batches and pass overheads.
   */
  @Test
  void decodeStepSeconds_equalsPredictOfOneStep_exactly() {
    Random rnd = new Random(17);
    ModelShape[] shapes = {LLAMA2_7B, ModelShape.preset("gpt2")};
    for (HardwareProfile hw : HardwareProfile.catalog()) {
      for (double overhead : new double[] {0, 1e-4}) {
        RooflineModel m = RooflineModel.builder(hw).passOverheadSeconds(overhead).build();
        for (ModelShape shape : shapes) {
          for (int k = 0; k < 200; k++) {
            long context = k < 5 ? k : rnd.nextInt(1 << (1 + rnd.nextInt(17)));
            int batch = 1 + rnd.nextInt(k % 2 == 0 ? 4 : 512);
            assertThat(m.decodeStepSeconds(shape, context, batch))
                .as(hw.name() + " " + shape.name() + " context " + context + " batch " + batch)
                .isEqualTo(m.predict(shape, context, 1, batch).decodeSeconds());
          }
        }
      }
    }
    RooflineModel m = RooflineModel.of(HardwareProfile.A100_80GB_SXM);
    assertThatThrownBy(() -> m.decodeStepSeconds(LLAMA2_7B, -1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> m.decodeStepSeconds(LLAMA2_7B, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch");
  }
}

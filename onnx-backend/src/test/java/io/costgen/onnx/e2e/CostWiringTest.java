package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.CostListener;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.ModelShape;
import io.costgen.cost.Money;
import io.costgen.cost.Usage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Cost wiring on a real model: per-token prices give the exact decimal formula over the counted
 * tokens, and FLOPs are {@code ModelShape.forwardFlopsPerToken(p + 1)} summed over every real
 * token processed at position {@code p} (prompts prefilled once, padding and each sequence's
 * last token never fed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CostWiringTest {

  private static final Money IN = Money.usd("0.5");
  private static final Money OUT = Money.usd("1.5");

  private E2eModel model;
  private TextGenerator priced;
  private ModelShape shape;
  private final List<CostReport> estimates = new ArrayList<>();

  @BeforeAll
  void open() {
    model = E2eModel.open(Stories260kReference.dir());
    priced = TextGenerator.builder(model.backend).tokenizer(model.tokenizer)
        .costModel(CostModel.builder().perMillionTokens(IN, OUT).build())
        .addListener(new CostListener() {
          @Override
          public void onStart(CallContext context, CostReport estimate) {
            estimates.add(estimate);
          }
        })
        .build();
    shape = model.backend.modelInfo().shape();
  }

  @AfterAll
  void close() {
    model.close();
  }

  /** {@code in × prompt / 1e6 + out × completion / 1e6}, exactly. */
  private static Money expectedMoney(long promptTokens, long completionTokens) {
    BigDecimal in = new BigDecimal("0.5").multiply(BigDecimal.valueOf(promptTokens))
        .divide(BigDecimal.valueOf(1_000_000));
    BigDecimal out = new BigDecimal("1.5").multiply(BigDecimal.valueOf(completionTokens))
        .divide(BigDecimal.valueOf(1_000_000));
    return Money.usd(in.add(out));
  }

  /** FLOPs of feeding tokens at 0-based positions {@code [from, to)}. */
  private double flops(int from, int to) {
    double sum = 0;
    for (int p = from; p < to; p++) {
      sum += shape.forwardFlopsPerToken(p + 1);
    }
    return sum;
  }

  private void assertPricedExactly(GenerationResult r, long promptTokens, long completionTokens) {
    Usage u = r.usage();
    assertThat(u.promptTokens()).isEqualTo(promptTokens);
    assertThat(u.completionTokens()).isEqualTo(completionTokens);
    assertThat(r.cost().usage()).isEqualTo(u);
    assertThat(r.cost().money()).isEqualTo(expectedMoney(promptTokens, completionTokens));
    assertThat(u.model()).hasValue(shape);
    CostReport estimate = estimates.get(estimates.size() - 1);
    assertThat(estimate.money().compareTo(r.cost().money())).as("estimate never below the price").isGreaterThanOrEqualTo(0);
  }

  @Test
  void greedy_oneTextPrompt_pricesCountedTokensExactly_andChargesEachFedToken() {
    GenerationResult r = priced.generate("Once upon a time", GenerationConfig.builder().maxNewTokens(10).build());
    GeneratedSequence s = r.first();
    assertThat(s.promptLength()).isEqualTo(5);
    assertThat(s.generatedLength()).isEqualTo(10);
    assertPricedExactly(r, 5, 10);
    assertThat(r.cost().money()).isEqualTo(Money.usd("0.0000175")); // 5 × 0.5e-6 + 10 × 1.5e-6

    Usage u = r.usage();
    assertThat(u.sequences()).isEqualTo(1);
    assertThat(u.decodeSteps()).isEqualTo(9);
    assertThat(u.prefillFlops()).isPositive().isCloseTo(flops(0, 5), within(1e-6 * flops(0, 5)));
    assertThat(u.decodeFlops()).isPositive().isCloseTo(flops(5, 14), within(1e-6 * flops(5, 14)));
    assertThat(u.totalFlops()).isCloseTo(flops(0, 14), within(1e-6 * flops(0, 14)));
    // bytes: all weights per pass (1 prefill + 9 steps), plus the cache each step reads
    double kv = 0;
    for (int context = 6; context <= 14; context++) {
      kv += shape.kvCacheBytesPerToken(model.backend.modelInfo().kvCacheDtype()) * (context - 1);
    }
    double weights = 10 * shape.weightBytes(model.backend.modelInfo().weightDtype());
    assertThat(u.bytesMoved()).isCloseTo(weights + kv, within(1e-6 * (weights + kv)));
    assertThat(u.wallSeconds()).isPositive();
    assertThat(u.deviceSeconds()).isEqualTo(u.wallSeconds());
  }

  @Test
  void leftPaddedBatch_withOneRowStoppedByEos_chargesNoPaddingAndNoFinishedRow() {
    long[] a = {1, 403, 407, 261, 378};   // greedy: 432 383 286 261 376 ...
    long[] b = {1, 291, 280, 294};        // never emits 286 in 12 tokens
    GenerationResult r = priced.generate(new long[][] {a, b},
        GenerationConfig.builder().maxNewTokens(12).eosTokenId(286).build());
    GeneratedSequence rowA = r.sequences().get(0);
    GeneratedSequence rowB = r.sequences().get(1);
    assertThat(rowA.generatedLength()).isEqualTo(3); // ", there was"
    assertThat(rowB.generatedLength()).isEqualTo(12);
    assertPricedExactly(r, 9, 15);
    Usage u = r.usage();
    double prefill = flops(0, 5) + flops(0, 4);
    double decode = flops(5, 5 + 2) + flops(4, 4 + 11);
    assertThat(u.prefillFlops()).isCloseTo(prefill, within(1e-6 * prefill));
    assertThat(u.decodeFlops()).isCloseTo(decode, within(1e-6 * decode));
    assertThat(u.decodeSteps()).isEqualTo(11);
  }

  @Test
  void sampledCopies_prefillThePromptOnce_andChargeEveryCopysTokens() {
    GenerationResult r = priced.generate("The cat", GenerationConfig.builder().maxNewTokens(8)
        .doSample(true).seed(1).numReturnSequences(3).build());
    assertThat(r.sequences()).hasSize(3);
    long completion = 0;
    double decode = 0;
    int prompt = r.first().promptLength();
    for (GeneratedSequence s : r.sequences()) {
      completion += s.generatedLength();
      decode += flops(prompt, prompt + s.generatedLength() - 1);
    }
    assertPricedExactly(r, prompt, completion);
    assertThat(r.usage().sequences()).isEqualTo(3);
    assertThat(r.usage().prefillFlops()).isCloseTo(flops(0, prompt), within(1e-6 * flops(0, prompt)));
    assertThat(r.usage().decodeFlops()).isCloseTo(decode, within(1e-6 * decode));
  }

  @Test
  void beamSearch_chargesEveryBeamsTokens_andReturnedSequencesAsCompletion() {
    GenerationResult r = priced.generate("Once upon a time", GenerationConfig.builder().maxNewTokens(8)
        .numBeams(3).numReturnSequences(2).build());
    assertThat(r.sequences()).hasSize(2).allSatisfy(s -> assertThat(s.generatedLength()).isEqualTo(8));
    assertPricedExactly(r, 5, 16);
    // one prefill row, then 3 beams per step for 7 steps
    assertThat(r.usage().prefillFlops()).isCloseTo(flops(0, 5), within(1e-6 * flops(0, 5)));
    double decode = 3 * flops(5, 12);
    assertThat(r.usage().decodeFlops()).isCloseTo(decode, within(1e-6 * decode));
    assertThat(r.usage().decodeSteps()).isEqualTo(7);
  }
}

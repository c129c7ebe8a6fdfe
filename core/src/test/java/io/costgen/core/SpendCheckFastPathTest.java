package io.costgen.core;

import static io.costgen.core.TextGeneratorTest.successor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostModel;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.ModelShape;
import io.costgen.cost.Money;
import io.costgen.cost.Usage;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.Budgets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-step spend check answers "within the worst case the reservation holds" from the
 * projected fields, without building a {@link Usage} per step
 * ({@link CallAccounting#coveredWithoutPricing}). It must admit every projection inside that
 * worst case (else each step builds and compares a Usage again: the waste it removed) and only
 * those ({@link CallAccounting#atMost} on the built Usage), and leave invalid projections to the
 * slow path, which refuses them as before.
 */
class SpendCheckFastPathTest {

  private static final int PROMPT = 3;
  private static final int MAX_NEW = 40;

  private final ToyBackend backend = ToyBackend.builder().vocabSize(64).logits(successor(64)).build();
  private final ModelInfo info = backend.modelInfo();
  private final CostModel costModel = CostModel.builder()
      .perMillionTokens(Money.usd("1"), Money.usd("1"))
      .perDeviceHour(Money.usd("3600")).localHardware(HardwareProfile.H100_SXM).build();
  private final TextGenerator generator = TextGenerator.builder(backend).costModel(costModel)
      .budgets(Budgets.inMemory().register(Budget.parse("money:1000000/day,id=m"))).build();
  private final Usage bound = costModel.bound(info.shape(), PROMPT, MAX_NEW, 1, true).usage();

  private CallAccounting open() {
    return CallAccounting.open(generator, CallContext.forTenant("acme"), info, PROMPT, MAX_NEW, 0, 1, true);
  }

  /** The fields of {@code u}, asked through the fast path. */
  private static boolean fast(CallAccounting a, ModelShape shape, Usage u) {
    return a.coveredWithoutPricing(shape, u.promptTokens(), u.completionTokens(), u.sequences(),
        u.decodeSteps(), u.prefillFlops(), u.decodeFlops(), u.bytesMoved(), u.wallSeconds(),
        u.deviceSeconds(), u.devices());
  }

  @Test
  void everyStepOfACallWithinItsBound_isAdmittedWithoutBuildingAUsage() {
    CallAccounting a = open();
    for (int step = 1; step <= MAX_NEW; step++) {
      double f = (double) step / MAX_NEW;
      Usage u = bound.toBuilder().completionTokens(step).decodeSteps(step)
          .decodeFlops(bound.decodeFlops() * f).wallSeconds(bound.wallSeconds() * f)
          .deviceSeconds(bound.deviceSeconds() * f).build();
      assertThat(fast(a, info.shape(), u)).as("step " + step).isTrue();
      assertThat(a.admitsNextStep(u)).isTrue();
    }
    assertThat(fast(a, info.shape(), bound)).as("the bound itself").isTrue();
  }

  @Test
  void anyFieldPastTheBound_isLeftToTheSlowPath() {
    CallAccounting a = open();
    Usage[] past = {
        bound.toBuilder().promptTokens(bound.promptTokens() + 1).build(),
        bound.toBuilder().completionTokens(bound.completionTokens() + 1).build(),
        bound.toBuilder().sequences(bound.sequences() + 1).build(),
        bound.toBuilder().decodeSteps(bound.decodeSteps() + 1).build(),
        bound.toBuilder().prefillFlops(Math.nextUp(bound.prefillFlops())).build(),
        bound.toBuilder().decodeFlops(Math.nextUp(bound.decodeFlops())).build(),
        bound.toBuilder().wallSeconds(Math.nextUp(bound.wallSeconds())).build(),
        bound.toBuilder().deviceSeconds(Math.nextUp(bound.deviceSeconds())).build(),
        bound.toBuilder().devices(bound.devices() + 1).build(),
    };
    for (Usage u : past) {
      assertThat(CallAccounting.atMost(u, bound)).isFalse();
      assertThat(fast(a, info.shape(), u)).as(u.toString()).isFalse();
    }
    ModelShape other = ModelShape.preset("gpt2");
    assertThat(fast(a, other, bound)).as("another model").isFalse();
  }

  @Test
  void randomProjections_fastPathAdmitsExactlyWhatTheBuiltUsageIsAtMost() {
    CallAccounting a = open();
    Random rnd = new Random(5);
    int admitted = 0;
    for (int k = 0; k < 5000; k++) {
      // each field somewhere in [0.9, 1.1] × its bound
      Usage u = Usage.builder().model(info.shape())
          .promptTokens(around(rnd, bound.promptTokens()))
          .completionTokens(around(rnd, bound.completionTokens()))
          .sequences((int) around(rnd, bound.sequences()))
          .decodeSteps(around(rnd, bound.decodeSteps()))
          .prefillFlops(bound.prefillFlops() * (0.9 + 0.2 * rnd.nextDouble()))
          .decodeFlops(bound.decodeFlops() * (0.9 + 0.2 * rnd.nextDouble()))
          .wallSeconds(bound.wallSeconds() * (0.9 + 0.2 * rnd.nextDouble()))
          .deviceSeconds(bound.deviceSeconds() * (0.9 + 0.2 * rnd.nextDouble()))
          .devices(rnd.nextInt(8) == 0 ? 2 : 1).build();
      boolean fast = fast(a, info.shape(), u);
      assertThat(fast).as(u.toString()).isEqualTo(CallAccounting.atMost(u, bound));
      admitted += fast ? 1 : 0;
    }
    assertThat(admitted).as("some projections inside, some outside").isBetween(1, 4999);
  }

  @Test
  void invalidProjections_areLeftToTheSlowPath_whichRefusesThem() {
    CallAccounting a = open();
    assertThat(a.coveredWithoutPricing(info.shape(), PROMPT, 1, 1, 1, 0, 0, 0, -1e-9, 0, 1)).isFalse();
    assertThat(a.coveredWithoutPricing(info.shape(), PROMPT, 1, 1, 1, Double.NaN, 0, 0, 0, 0, 1)).isFalse();
    assertThat(a.coveredWithoutPricing(info.shape(), PROMPT, 1, 1, 1, 0, 0, Double.POSITIVE_INFINITY, 0, 0, 1))
        .isFalse();
    assertThat(a.coveredWithoutPricing(info.shape(), PROMPT, -1, 1, 1, 0, 0, 0, 0, 0, 1)).isFalse();
    assertThat(a.coveredWithoutPricing(info.shape(), PROMPT, 1, 1, 1, 0, 0, 0, 0, 0, 0)).isFalse();
    assertThatThrownBy(() -> Usage.builder().wallSeconds(-1e-9).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wallSeconds");
  }

  @Test
  void withoutABudget_nothingIsCovered() {
    TextGenerator plain = TextGenerator.builder(backend).costModel(costModel).build();
    CallAccounting a = CallAccounting.open(plain, CallContext.forTenant("acme"), info, PROMPT, MAX_NEW, 0, 1, true);
    assertThat(fast(a, info.shape(), Usage.builder().model(info.shape()).build())).isFalse();
  }

  private static long around(Random rnd, long v) {
    return Math.max(0, Math.round(v * (0.9 + 0.2 * rnd.nextDouble())));
  }
}

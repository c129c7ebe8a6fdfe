package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OnlineCorrection}: median correction, learned margin, persistence per scope. */
class OnlineCorrectionTest {

  static final String KEY = OnlineCorrection.key("m", OnlineCorrection.Phase.DECODE, 8, 1);

  @Test
  void correctionIsTheMedian_andTheMarginIsLearnedAfterFiveObservations() {
    OnlineCorrection c = new OnlineCorrection();
    assertThat(c.correction(KEY)).isEmpty();
    double[] ratios = {1.0, 1.2, 0.9, 5.0, 1.1};
    for (int i = 0; i < ratios.length; i++) {
      assertThat(c.margin(KEY, 2.0)).isEqualTo(2.0); // cold start until 5 observations
      c.observe(KEY, 0.1, 0.1 * ratios[i]);
    }
    assertThat(c.correction(KEY)).hasValueSatisfying(v -> assertThat(v).isCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-12)));
    assertThat(c.margin(KEY, 2.0)).isCloseTo(5.0 / 1.1 * 1.25, org.assertj.core.data.Offset.offset(1e-12));
    c.observe(KEY, 0.1, 1e9); // a clock glitch: ignored
    assertThat(c.count(KEY)).isEqualTo(5);
    assertThat(OnlineCorrection.key("m", OnlineCorrection.Phase.DECODE, 5, 1)).isEqualTo(KEY);
  }

  @Test
  void scopedFile_keepsOtherScopes_andRoundTrips(@TempDir Path dir) {
    Path file = dir.resolve("corrections.json");
    OnlineCorrection a = new OnlineCorrection();
    a.observe(KEY, 1, 2);
    a.save(file, "machine A");
    OnlineCorrection b = new OnlineCorrection();
    b.observe(KEY, 1, 3);
    b.observe(KEY, 1, 5);
    b.save(file, "machine B");

    assertThat(OnlineCorrection.load(file, "machine A").correction(KEY)).contains(2.0);
    assertThat(OnlineCorrection.load(file, "machine B").count(KEY)).isEqualTo(2);
    assertThat(OnlineCorrection.load(file, "machine C").count(KEY)).isZero();
    assertThat(OnlineCorrection.load(dir.resolve("missing.json"), "machine A").count(KEY)).isZero();
  }

  @Test
  void corruptFile_failsToLoad_butIsReplacedBySave(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("corrections.json");
    Files.writeString(file, "{\"scopes\": {\"x\": [truncated");
    assertThatThrownBy(() -> OnlineCorrection.load(file, "x"))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining(file.toString());
    OnlineCorrection c = new OnlineCorrection();
    c.observe(KEY, 1, 1.5);
    c.save(file, "x");
    assertThat(OnlineCorrection.load(file, "x").correction(KEY)).contains(1.5);
  }
}

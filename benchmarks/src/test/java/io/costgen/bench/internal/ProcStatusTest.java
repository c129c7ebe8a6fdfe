package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcStatusTest {

  private static final List<String> STATUS = List.of(
      "Name:\tjava",
      "VmPeak:\t 5000000 kB",
      "VmHWM:\t  734512 kB",
      "VmRSS:\t  700000 kB");

  @Test
  void parseKib_readsTheNamedFieldOnly() {
    assertThat(ProcStatus.parseKib(STATUS, "VmHWM")).hasValue(734_512);
    assertThat(ProcStatus.parseKib(STATUS, "VmRSS")).hasValue(700_000);
  }

  @Test
  void parseKib_isEmpty_whenTheFieldIsMissing() {
    assertThat(ProcStatus.parseKib(STATUS, "VmSwap")).isEmpty();
  }

  @Test
  void peakRss_ofThisProcess_isAtLeastItsCurrentRss() {
    // CI runs on Linux, where /proc/self/status exists.
    long rss = ProcStatus.rssKib().orElseThrow();
    long peak = ProcStatus.peakRssKib().orElseThrow();
    assertThat(rss).isPositive();
    assertThat(peak).isGreaterThanOrEqualTo(rss);
  }
}

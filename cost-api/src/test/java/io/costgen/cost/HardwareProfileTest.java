package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HardwareProfileTest {

  @Test
  void h100Sxm_fp16Peak_isTheDenseValue_notTheSparseOne() {
    assertThat(HardwareProfile.H100_SXM.peakFlopsPerSecond(DType.FP16)).isEqualTo(989.4e12);
    assertThat(HardwareProfile.H100_SXM.peakFlopsPerSecond(DType.BF16)).isEqualTo(989.4e12);
  }

  /** NVIDIA's printed Tensor-Core FP16 figures carry 2:4 sparsity ('*'); dense is half. */
  @ParameterizedTest
  @CsvSource({
      "L4,            242e12",
      "A100-40GB,     624e12",
      "A100-80GB-SXM, 624e12",
      "H100-SXM,      1979e12",
      "H100-PCIe,     1513e12",
      "H200,          1979e12",
      "B200,          4500e12",
      "MI300X,        2614.9e12"})
  void fp16Peaks_areHalfTheSparseDatasheetFigure(String name, double sparse) {
    assertThat(HardwareProfile.named(name).peakFlopsPerSecond(DType.FP16))
        .isCloseTo(sparse / 2, withinPercentage(0.1));
  }

  @Test
  void catalog_holdsTenDistinctProfiles_eachResolvableByName() {
    Set<String> names = new HashSet<>();
    for (HardwareProfile h : HardwareProfile.catalog()) {
      assertThat(names.add(h.name())).as(h.name()).isTrue();
      assertThat(HardwareProfile.named(h.name())).isSameAs(h);
      assertThat(h.source()).as(h.name()).isNotBlank();
    }
    assertThat(HardwareProfile.catalog()).containsExactly(HardwareProfile.T4, HardwareProfile.L4,
        HardwareProfile.A10G, HardwareProfile.A100_40GB, HardwareProfile.A100_80GB_SXM,
        HardwareProfile.H100_SXM, HardwareProfile.H100_PCIE, HardwareProfile.H200,
        HardwareProfile.B200, HardwareProfile.MI300X);
  }

  @Test
  void catalogPrices_areDatedAndSourced() {
    for (HardwareProfile h : HardwareProfile.catalog()) {
      HardwareProfile.Price p = h.price().orElseThrow();
      assertThat(p.perDeviceHour().currency()).isEqualTo(Money.USD);
      assertThat(p.perDeviceHour().amount().signum()).as(h.name()).isPositive();
      assertThat(p.source()).as(h.name()).isNotBlank();
      assertThat(p.asOf()).as(h.name()).matches("20\\d\\d.*");
    }
    assertThat(HardwareProfile.A100_80GB_SXM.price().orElseThrow().perDeviceHour())
        .isEqualTo(Money.usd("2.79"));
    assertThat(HardwareProfile.H100_SXM.price().orElseThrow().perDeviceHour())
        .isEqualTo(Money.usd("3.99"));
  }

  @Test
  void catalogBandwidthAndMemory_matchDatasheets() {
    assertThat(HardwareProfile.A100_40GB.memoryBandwidthBytesPerSecond()).isEqualTo(1555e9);
    assertThat(HardwareProfile.A100_80GB_SXM.memoryBandwidthBytesPerSecond()).isEqualTo(2039e9);
    assertThat(HardwareProfile.H100_SXM.memoryBandwidthBytesPerSecond()).isEqualTo(3.35e12);
    assertThat(HardwareProfile.H200.memoryBytes()).isEqualTo(141_000_000_000L);
    assertThat(HardwareProfile.MI300X.memoryBytes()).isEqualTo(192_000_000_000L);
    assertThat(HardwareProfile.B200.tdpWatts()).isEqualTo(1000);
  }

  @ParameterizedTest
  @CsvSource({
      "h100-sxm,      H100-SXM",
      "H100_SXM,      H100-SXM",
      "h100,          H100-SXM",
      "a100-80gb,     A100-80GB-SXM",
      "A100 80GB SXM, A100-80GB-SXM",
      "a100-40gb,     A100-40GB",
      "h100-pcie,     H100-PCIe",
      "' h200 ',      H200",
      "Mi300X,        MI300X",
      "t4,            T4"})
  void named_acceptsCommonSpellings(String input, String expected) {
    assertThat(HardwareProfile.named(input).name()).isEqualTo(expected);
  }

  @Test
  void named_unknown_listsTheAllowedNames() {
    assertThatThrownBy(() -> HardwareProfile.named("v100"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'v100'")
        .hasMessageContaining("H100-SXM")
        .hasMessageContaining("MI300X")
        .hasMessageContaining("cpu");
    assertThatThrownBy(() -> HardwareProfile.named(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed");
  }

  @Test
  void ridgePoint_a100_isAbout200FlopsPerByte() {
    // kipply: compute/bandwidth crossover = peak / bandwidth = 312e12 / 1.555e12
    assertThat(HardwareProfile.A100_40GB.ridgePointFlopsPerByte(DType.FP16))
        .isCloseTo(200.6, withinPercentage(0.5));
  }

  @Test
  void peakForMissingDtype_namesDtypeAndAvailableOnes() {
    assertThat(HardwareProfile.T4.supports(DType.BF16)).isFalse();
    assertThatThrownBy(() -> HardwareProfile.T4.peakFlopsPerSecond(DType.BF16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BF16")
        .hasMessageContaining("FP16");
  }

  @Test
  void builder_rejectsZeroOrNegativeBandwidth() {
    assertThatThrownBy(() -> custom().memoryBandwidth(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memoryBandwidthBytesPerSecond").hasMessageContaining("> 0");
    assertThatThrownBy(() -> custom().memoryBandwidth(-1e9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memoryBandwidthBytesPerSecond");
  }

  @Test
  void builder_rejectsBadFields_namingThem() {
    assertThatThrownBy(() -> HardwareProfile.builder("x").memoryBandwidth(1e9).memoryBytes(1)
        .tdpWatts(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peakFlopsPerSecond");
    assertThatThrownBy(() -> custom().peakFlops(DType.INT8, 0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peakFlopsPerSecond[INT8]");
    assertThatThrownBy(() -> custom().memoryBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryBytes");
    assertThatThrownBy(() -> custom().tdpWatts(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tdpWatts");
    assertThatThrownBy(() -> custom().price(Money.usd("-1"), "s", "2026").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perDeviceHour");
  }

  @Test
  void userDefinedProfile_isImmutableAndRoundTripsThroughToBuilder() {
    HardwareProfile p = custom().price(Money.usd("1.25"), "my rack", "2026-11-01").build();
    assertThat(p.toBuilder().build()).isEqualTo(p);
    assertThatThrownBy(() -> p.peakFlopsPerSecond().put(DType.FP32, 1.0))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(p.toBuilder().noPrice().build().price()).isEmpty();
  }

  private static HardwareProfile.Builder custom() {
    return HardwareProfile.builder("my-gpu").peakFlops(DType.FP16, 100e12)
        .memoryBandwidth(1e12).memoryBytes(16_000_000_000L).tdpWatts(300);
  }
}

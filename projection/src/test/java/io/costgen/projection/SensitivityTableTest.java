package io.costgen.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.costgen.cost.DType;
import io.costgen.cost.HardwareProfile;
import io.costgen.cost.Money;
import java.util.List;
import org.junit.jupiter.api.Test;

class SensitivityTableTest {

  static DailyCostProjection semiAnalysisRoofline() {
    return Scenario.load("chatgpt-semianalysis-2023").firstPrinciples();
  }

  static double cost(ProjectionResult r) {
    return r.costPerDay().amount().doubleValue();
  }

  @Test
  void spec_trafficRange_stepsGeometricallyByDefault() {
    SensitivitySpec s = SensitivitySpec.parse("traffic=1e6..1e8");
    assertThat(s.variable()).isEqualTo(SensitivitySpec.Variable.TRAFFIC);
    assertThat(s.logScale()).isTrue();
    assertThat(s.values()).containsExactly("1000000", "3160000", "10000000", "31600000", "100000000");
    assertThat(SensitivitySpec.parse("requests=1M..100M:3").values())
        .containsExactly("1000000", "10000000", "100000000");
  }

  @Test
  void spec_batchRange_isWholeNumbers_andLinearOnRequest() {
    assertThat(SensitivitySpec.parse("batch=1..256:9").values())
        .containsExactly("1", "2", "4", "8", "16", "32", "64", "128", "256");
    assertThat(SensitivitySpec.parse("batch=1..9:5:lin").values())
        .containsExactly("1", "3", "5", "7", "9");
    assertThat(SensitivitySpec.parse("batch=1..3:10:lin").values()).containsExactly("1", "2", "3");
  }

  @Test
  void spec_otherRanges_stepLinearly_andListsKeepTheirOrder() {
    SensitivitySpec price = SensitivitySpec.parse("price=1..3");
    assertThat(price.logScale()).isFalse();
    assertThat(price.values()).containsExactly("1", "1.5", "2", "2.5", "3");
    assertThat(SensitivitySpec.parse("utilization=0.2..1:5:log").logScale()).isTrue();
    assertThat(SensitivitySpec.parse("hardware=h100,a100-80gb,H200").values())
        .containsExactly("H100-SXM", "A100-80GB-SXM", "H200");
    assertThat(SensitivitySpec.parse("dtype=fp16,int8,int4").values())
        .containsExactly("FP16", "INT8", "INT4");
    assertThat(SensitivitySpec.parse("price=2,1,3").values()).containsExactly("2", "1", "3");
  }

  @Test
  void spec_badText_isRejectedWithTheAcceptedForms() {
    assertThatThrownBy(() -> SensitivitySpec.parse("speed=1..2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown input 'speed'").hasMessageContaining("traffic");
    assertThatThrownBy(() -> SensitivitySpec.parse("traffic")).hasMessageContaining("NAME=FROM..TO");
    assertThatThrownBy(() -> SensitivitySpec.parse("traffic=1e6..lots"))
        .hasMessageContaining("'lots' is not a number");
    assertThatThrownBy(() -> SensitivitySpec.parse("hardware=a..b"))
        .hasMessageContaining("hardware takes a list");
    assertThatThrownBy(() -> SensitivitySpec.parse("traffic=0..1e6"))
        .hasMessageContaining("log range needs FROM and TO > 0");
    assertThatThrownBy(() -> SensitivitySpec.parse("traffic=1..2:0"))
        .hasMessageContaining("points: 0");
    assertThatThrownBy(() -> SensitivitySpec.parse("hardware=h100,tpu"))
        .hasMessageContaining("unknown name 'tpu'");
    assertThatThrownBy(() -> SensitivitySpec.parse("dtype=fp8")).hasMessageContaining("fp8");
  }

  @Test
  void traffic_costAndDevicesRiseMonotonically_costPerRequestStaysFlat() {
    SensitivityTable t = semiAnalysisRoofline().vary("traffic=1e6..1e9:7");
    List<ProjectionResult> rs = t.results();
    assertThat(rs).hasSize(7);
    for (int i = 1; i < rs.size(); i++) {
      assertThat(rs.get(i).costPerDay()).isGreaterThan(rs.get(i - 1).costPerDay());
      assertThat(rs.get(i).devices().peak()).isGreaterThanOrEqualTo(rs.get(i - 1).devices().peak());
      assertThat(rs.get(i).costPerRequest().amount().doubleValue())
          .isCloseTo(rs.get(0).costPerRequest().amount().doubleValue(), withinPercentage(1e-6));
    }
  }

  @Test
  void batch_costPerRequestFallsMonotonically_untilTheReplicaIsFull() {
    SensitivityTable t = semiAnalysisRoofline().vary("batch=1..256:9");
    List<SensitivityTable.Row> rows = t.rows();
    assertThat(rows).hasSize(9);
    // 8 A100-80GB hold batch 64 of 2,500-token int8 contexts, not 128
    assertThat(rows.get(6).result()).isPresent();
    assertThat(rows.get(7).infeasible()).hasValueSatisfying(
        m -> assertThat(m).contains("devicesPerReplica: 8 is too few").contains("needs >= "));
    List<ProjectionResult> rs = t.results();
    for (int i = 1; i < rs.size(); i++) {
      assertThat(rs.get(i).costPerDay()).isLessThan(rs.get(i - 1).costPerDay());
      assertThat(rs.get(i).latencySeconds().getAsDouble())
          .isGreaterThanOrEqualTo(rs.get(i - 1).latencySeconds().getAsDouble());
    }
    // with replicas sized to fit, every batch runs and cost keeps falling
    SensitivityTable auto = semiAnalysisRoofline().toBuilder().autoDevicesPerReplica().build()
        .vary("batch=1..256:9");
    assertThat(auto.results()).hasSize(9);
    for (int i = 1; i < 9; i++) {
      assertThat(auto.results().get(i).deviceSecondsPerRequest())
          .isLessThan(auto.results().get(i - 1).deviceSecondsPerRequest());
    }
  }

  @Test
  void price_costRisesLinearly() {
    SensitivityTable t = semiAnalysisRoofline().vary("price=0.5..4:8");
    List<ProjectionResult> rs = t.results();
    for (int i = 1; i < rs.size(); i++) {
      assertThat(rs.get(i).costPerDay()).isGreaterThan(rs.get(i - 1).costPerDay());
      assertThat(cost(rs.get(i)) / t.rows().get(i).numericValue().getAsDouble())
          .isCloseTo(cost(rs.get(0)) / 0.5, withinPercentage(1e-9));
    }
    assertThat(rs.get(0).projection().pricePerDeviceHour()).isEqualTo(Money.usd("0.5"));
  }

  @Test
  void dtype_narrowerWeightsCostLess_whenDecodeIsMemoryBound() {
    DailyCostProjection base = DailyCostProjection.builder().requestsPerDay(1e6).promptTokens(200)
        .outputTokens(200).model("llama-2-13b").hardware(HardwareProfile.A100_80GB_SXM)
        .kvCacheDtype(DType.FP16).computeDtype(DType.FP16).batch(1).build();
    List<ProjectionResult> rs = base.vary("dtype=fp32,fp16,int8,int4").results();
    assertThat(rs).hasSize(4);
    for (int i = 1; i < rs.size(); i++) {
      assertThat(rs.get(i).costPerDay()).isLessThan(rs.get(i - 1).costPerDay());
    }
  }

  @Test
  void utilization_higherUtilisationCostsLess_andPeakFactorRaisesOnlyThePeak() {
    List<ProjectionResult> u = semiAnalysisRoofline().vary("utilization=0.25..1:4").results();
    for (int i = 1; i < u.size(); i++) {
      assertThat(u.get(i).costPerDay()).isLessThan(u.get(i - 1).costPerDay());
    }
    List<ProjectionResult> p = semiAnalysisRoofline().vary("peak=1..3:3").results();
    assertThat(p.get(2).devices().peak()).isGreaterThan(p.get(0).devices().peak());
    assertThat(p.get(2).costPerDay()).isEqualTo(p.get(0).costPerDay());
  }

  @Test
  void hardware_usesEachProfilesCatalogPriceAndSizesReplicas() {
    SensitivityTable t = semiAnalysisRoofline().vary("hardware=a100-80gb,h100,h200,a100-40gb");
    assertThat(t.results()).hasSize(4);
    assertThat(t.results()).extracting(r -> r.projection().pricePerDeviceHour())
        .containsExactly(Money.usd("2.79"), Money.usd("3.99"), Money.usd("6.305"),
            Money.usd("2.744705"));
    // B200 has no INT8 peak in the catalog: the int8 compute dtype is not available there
    SensitivityTable int8 = semiAnalysisRoofline().vary("hardware=a100-80gb,b200");
    assertThat(int8.rows().get(1).infeasible()).isPresent();
    assertThat(t.rows().get(0).numericValue()).isEmpty();
    // faster memory, less device time per request
    assertThat(t.results().get(2).deviceSecondsPerRequest())
        .isLessThan(t.results().get(1).deviceSecondsPerRequest());
  }

  @Test
  void measuredThroughput_refusesInputsItIgnores() {
    DailyCostProjection stated = Scenario.load("chatgpt-semianalysis-2023").projection();
    assertThatThrownBy(() -> stated.vary("batch=1..8"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("measured throughput");
    assertThat(stated.vary("traffic=1e6..1e8:3").results()).hasSize(3);
  }
}

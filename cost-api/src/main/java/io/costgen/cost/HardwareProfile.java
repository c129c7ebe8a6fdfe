package io.costgen.cost;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One accelerator (or the host CPU) as the roofline sees it: dense peak FLOP/s per
 * {@link DType}, memory bandwidth (bytes/s), memory capacity (bytes), board power (watts) and an
 * optional dated on-demand price per device-hour.
 *
 * <p><b>Dense, not sparse.</b> NVIDIA prints Ampere/Hopper/Blackwell Tensor-Core peaks with 2:4
 * structured sparsity (footnote "*"); dense is half. The catalog holds dense values (H100 SXM
 * FP16/BF16 = 989.4e12 FLOP/s, not 1,979e12). {@link DType#FP32} is the non-tensor FP32 peak.
 * {@link DType#INT8} is present only where a dense INT8 figure is published. Memory is the
 * datasheet's decimal GB (10⁹ bytes). Figures and sources: {@code docs/cost-model.md} §Hardware
 * and {@link #source()}.
 *
 * <p>Catalog prices are single dated on-demand points ({@link Price#source()}), not forecasts;
 * the market range is wide (A100 80GB ≈ $1.4–3.4, H100 SXM ≈ $2.7–12.3 per GPU-hour in the
 * sources). Pass your own price to {@link CostModel.Builder#perDeviceHour(Money)}.
 *
 * <p>Define your own with {@link #builder(String)}. Immutable and thread-safe.
 *
 * @param name display name, e.g. {@code "H100-SXM"}
 * @param peakFlopsPerSecond dense peak per dtype, FLOP/s (immutable, ordered by dtype)
 * @param memoryBandwidthBytesPerSecond peak memory bandwidth, bytes/s
 * @param memoryBytes device memory, bytes
 * @param tdpWatts board power (TDP/TBP), watts
 * @param price on-demand price per device-hour with its source and date, if known
 * @param source where the specification figures come from
 */
public record HardwareProfile(
    String name,
    Map<DType, Double> peakFlopsPerSecond,
    double memoryBandwidthBytesPerSecond,
    long memoryBytes,
    double tdpWatts,
    Optional<Price> price,
    String source) {

  /**
   * A dated price per device-hour.
   *
   * @param perDeviceHour money per device-hour (instance price ÷ devices)
   * @param source provider, instance and where the figure was read
   * @param asOf when the figure was observed (ISO date or month as printed by the source)
   */
  public record Price(Money perDeviceHour, String source, String asOf) {
    public Price {
      Objects.requireNonNull(perDeviceHour, "perDeviceHour");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(asOf, "asOf");
      if (perDeviceHour.isNegative()) {
        throw new IllegalArgumentException(
            "price.perDeviceHour: " + perDeviceHour + " must be >= 0");
      }
    }
  }

  private static final String NVIDIA_SPARSITY_NOTE =
      "dense Tensor-Core values (NVIDIA prints sparse '*'; dense is half)";

  /**
   * NVIDIA T4 (Turing): FP32 8.1 TF, FP16 65 TF (mixed precision; Turing has no sparsity), INT8
   * 130 TOPS, 16 GB GDDR6, 300 GB/s, 70 W (T4 datasheet 951643). Price: AWS g4dn.xlarge on-demand
   * Linux $0.526/h (1 × T4).
   */
  public static final HardwareProfile T4 = builder("T4")
      .peakFlops(DType.FP32, 8.1e12).peakFlops(DType.FP16, 65e12).peakFlops(DType.INT8, 130e12)
      .memoryBandwidth(300e9).memoryBytes(16_000_000_000L).tdpWatts(70)
      .price(Money.usd("0.526"), "AWS g4dn.xlarge on-demand Linux, us-east-1 (1 x T4), "
          + "public transcription of the AWS console price list", "2026")
      .source("NVIDIA T4 datasheet (t4-tensor-core-datasheet-951643)")
      .build();

  /**
   * NVIDIA L4 (Ada): FP32 30.3 TF, FP16/BF16 121 TF dense (242* sparse), 24 GB GDDR6, 300 GB/s,
   * 72 W (L4 product page: "Specifications are one-half lower without sparsity"). Price: AWS
   * g6.xlarge $0.8048/h (1 × L4).
   */
  public static final HardwareProfile L4 = builder("L4")
      .peakFlops(DType.FP32, 30.3e12).peakFlops(DType.FP16, 121e12).peakFlops(DType.BF16, 121e12)
      .memoryBandwidth(300e9).memoryBytes(24_000_000_000L).tdpWatts(72)
      .price(Money.usd("0.8048"), "AWS g6.xlarge on-demand Linux, us-east-1 (1 x L4), "
          + "public transcription of the AWS console price list", "2026")
      .source("NVIDIA L4 product page and Cisco/NVIDIA L4 datasheet; " + NVIDIA_SPARSITY_NOTE)
      .build();

  /**
   * NVIDIA A10G (AWS G5 only; no NVIDIA datasheet): FP16 70 TF and 600 GB/s from
   * {@code cli99/llm-analysis} {@code a10g-pcie-24gb.json}, 24 GB. TDP is not published; the
   * A10's 150 W is used as a stand-in (an assumption, see docs). Price: AWS g5.xlarge $1.006/h.
   */
  public static final HardwareProfile A10G = builder("A10G")
      .peakFlops(DType.FP16, 70e12)
      .memoryBandwidth(600e9).memoryBytes(24_000_000_000L).tdpWatts(150)
      .price(Money.usd("1.006"), "AWS g5.xlarge on-demand Linux, us-east-1 (1 x A10G), "
          + "factualminds.com EC2 pricing article", "2026-06-17")
      .source("cli99/llm-analysis gpu_configs/a10g-pcie-24gb.json; Baseten 'NVIDIA A10 vs A10G';"
          + " TDP: A10 datasheet 150 W used as a stand-in (no A10G figure published)")
      .build();

  /**
   * NVIDIA A100 40GB SXM: FP32 19.5 TF, FP16/BF16 312 TF, INT8 624 TOPS (dense), 40 GB HBM2,
   * 1,555 GB/s, 400 W. Price: AWS p4d.24xlarge $21.95764/h ÷ 8.
   */
  public static final HardwareProfile A100_40GB = builder("A100-40GB")
      .peakFlops(DType.FP32, 19.5e12).peakFlops(DType.FP16, 312e12)
      .peakFlops(DType.BF16, 312e12).peakFlops(DType.INT8, 624e12)
      .memoryBandwidth(1555e9).memoryBytes(40_000_000_000L).tdpWatts(400)
      .price(Money.usd("2.744705"), "AWS p4d.24xlarge on-demand Linux $21.95764/h / 8 GPUs, "
          + "public transcription of the AWS console price list", "2026")
      .source("NVIDIA A100 datasheet; hahnyuan/LLM-Viewer and cli99/llm-analysis a100-sxm-40gb "
          + "(1,555 GB/s, 312 TF); " + NVIDIA_SPARSITY_NOTE)
      .build();

  /**
   * NVIDIA A100 80GB SXM: as {@link #A100_40GB} with 80 GB HBM2e and 2,039 GB/s, 400 W (A100
   * 80GB datasheet). Price: Lambda 8× A100 SXM 80GB, $2.79 per GPU-hour (2026-09-20).
   */
  public static final HardwareProfile A100_80GB_SXM = builder("A100-80GB-SXM")
      .peakFlops(DType.FP32, 19.5e12).peakFlops(DType.FP16, 312e12)
      .peakFlops(DType.BF16, 312e12).peakFlops(DType.INT8, 624e12)
      .memoryBandwidth(2039e9).memoryBytes(80_000_000_000L).tdpWatts(400)
      .price(Money.usd("2.79"), "Lambda 8x A100 SXM 80GB on-demand, per GPU "
          + "(api-evangelist/lambda-labs plans/lambda-labs-plans-pricing.yml)", "2026-09-20")
      .source("NVIDIA A100 80GB datasheet; " + NVIDIA_SPARSITY_NOTE)
      .build();

  /**
   * NVIDIA H100 SXM: FP32 67 TF, FP16/BF16 989.4 TF dense (1,979* sparse), INT8 1,978.9 TOPS
   * dense, 80 GB HBM3, 3.35 TB/s, up to 700 W. Price: Lambda 8× H100 SXM $3.99 per GPU-hour
   * (2026-09-20).
   */
  public static final HardwareProfile H100_SXM = builder("H100-SXM")
      .peakFlops(DType.FP32, 67e12).peakFlops(DType.FP16, 989.4e12)
      .peakFlops(DType.BF16, 989.4e12).peakFlops(DType.INT8, 1978.9e12)
      .memoryBandwidth(3.35e12).memoryBytes(80_000_000_000L).tdpWatts(700)
      .price(Money.usd("3.99"), "Lambda 8x H100 SXM on-demand, per GPU "
          + "(api-evangelist/lambda-labs plans/lambda-labs-plans-pricing.yml)", "2026-09-20")
      .source("NVIDIA H100 product page; glennklockwood.com/garden/processors/h100 (989.4 dense);"
          + " cli99/llm-analysis h100-sxm (INT8 1979); " + NVIDIA_SPARSITY_NOTE)
      .build();

  /**
   * NVIDIA H100 PCIe: FP32 51 TF, FP16/BF16 756.5 TF dense (1,513* sparse), 80 GB HBM2e,
   * 2.0 TB/s, 350 W (product brief PB-11133-001). Price: RunPod Secure Cloud H100 PCIe
   * ≈ $2.79/h (spheron.network, 2026-05-22).
   */
  public static final HardwareProfile H100_PCIE = builder("H100-PCIe")
      .peakFlops(DType.FP32, 51e12).peakFlops(DType.FP16, 756.5e12)
      .peakFlops(DType.BF16, 756.5e12)
      .memoryBandwidth(2.0e12).memoryBytes(80_000_000_000L).tdpWatts(350)
      .price(Money.usd("2.79"), "RunPod Secure Cloud H100 80GB PCIe on-demand "
          + "(spheron.network 'RunPod H100 Pricing 2026')", "2026-05-22")
      .source("NVIDIA H100 PCIe datasheet; product brief PB-11133-001 (350 W); "
          + NVIDIA_SPARSITY_NOTE)
      .build();

  /**
   * NVIDIA H200 SXM: H100 SXM compute (FP16/BF16 989.4 TF dense), 141 GB HBM3e, 4.8 TB/s, up to
   * 700 W. Price: CoreWeave HGX H200 $50.44/h ÷ 8 (2026-09-20).
   */
  public static final HardwareProfile H200 = builder("H200")
      .peakFlops(DType.FP32, 67e12).peakFlops(DType.FP16, 989.4e12)
      .peakFlops(DType.BF16, 989.4e12).peakFlops(DType.INT8, 1978.9e12)
      .memoryBandwidth(4.8e12).memoryBytes(141_000_000_000L).tdpWatts(700)
      .price(Money.usd("6.305"), "CoreWeave HGX H200 on-demand $50.44/h / 8 GPUs "
          + "(api-evangelist/coreweave plans/coreweave-plans-pricing.yml)", "2026-09-20")
      .source("NVIDIA H200 product page; " + NVIDIA_SPARSITY_NOTE)
      .build();

  /**
   * NVIDIA B200 (HGX, per GPU): FP32 75 TF, FP16/BF16 2,250 TF dense (4.5 PF sparse), 180 GB
   * HBM3e, 7.7 TB/s, up to 1,000 W. Price: Lambda 8× B200 $6.69 per GPU-hour (2026-09-20).
   */
  public static final HardwareProfile B200 = builder("B200")
      .peakFlops(DType.FP32, 75e12).peakFlops(DType.FP16, 2250e12)
      .peakFlops(DType.BF16, 2250e12)
      .memoryBandwidth(7.7e12).memoryBytes(180_000_000_000L).tdpWatts(1000)
      .price(Money.usd("6.69"), "Lambda 8x B200 on-demand, per GPU "
          + "(api-evangelist/lambda-labs plans/lambda-labs-plans-pricing.yml)", "2026-09-20")
      .source("NVIDIA HGX B200 per-GPU table ('All other Tensor Core specs are sparse; dense is "
          + "one-half of the sparse value')")
      .build();

  /**
   * AMD Instinct MI300X: FP32 163.4 TF, FP16/BF16 1,307.4 TF dense, 192 GB HBM3, 5.3 TB/s,
   * 750 W. Price: Vultr $1.85 per GPU-hour (cliffcenter.com research note, 2026-05-18; Azure and
   * Oracle list $6).
   */
  public static final HardwareProfile MI300X = builder("MI300X")
      .peakFlops(DType.FP32, 163.4e12).peakFlops(DType.FP16, 1307.4e12)
      .peakFlops(DType.BF16, 1307.4e12)
      .memoryBandwidth(5.3e12).memoryBytes(192_000_000_000L).tdpWatts(750)
      .price(Money.usd("1.85"), "Vultr MI300X on-demand per GPU "
          + "(cliffcenter.com 'AMD inference economics')", "2026-05-18")
      .source("alpharomercoma/MI300X-vs-H200 METHODOLOGY.md (BF16 dense 1307.4, 5.3 TB/s, "
          + "192 GB, 750 W); FP32 from a secondary AMD spec table")
      .build();

  private static final List<HardwareProfile> CATALOG = List.of(
      T4, L4, A10G, A100_40GB, A100_80GB_SXM, H100_SXM, H100_PCIE, H200, B200, MI300X);

  private static final Map<String, HardwareProfile> BY_KEY = keys();

  /**
   * Validates and copies: every peak, the bandwidth, memory and TDP must be positive and finite.
   *
   * @throws IllegalArgumentException naming the first bad field
   */
  public HardwareProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(peakFlopsPerSecond, "peakFlopsPerSecond");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(source, "source");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank");
    }
    if (peakFlopsPerSecond.isEmpty()) {
      throw new IllegalArgumentException(
          "peakFlopsPerSecond: at least one dtype needs a peak (FLOP/s > 0)");
    }
    EnumMap<DType, Double> copy = new EnumMap<>(DType.class);
    peakFlopsPerSecond.forEach((dtype, flops) -> {
      Objects.requireNonNull(dtype, "peakFlopsPerSecond key");
      requirePositive("peakFlopsPerSecond[" + dtype + "]", flops == null ? Double.NaN : flops);
      copy.put(dtype, flops);
    });
    peakFlopsPerSecond = Collections.unmodifiableMap(copy);
    requirePositive("memoryBandwidthBytesPerSecond", memoryBandwidthBytesPerSecond);
    if (memoryBytes <= 0) {
      throw new IllegalArgumentException("memoryBytes: " + memoryBytes + " must be > 0");
    }
    requirePositive("tdpWatts", tdpWatts);
  }

  /** The built-in accelerators, in catalog order (the host CPU is {@link #cpu()}). */
  public static List<HardwareProfile> catalog() {
    return CATALOG;
  }

  /**
   * A catalog profile by name, case-insensitive, ignoring {@code -}, {@code _}, {@code .} and
   * spaces: {@code "h100-sxm"}, {@code "H100_SXM"}, {@code "a100-80gb"}, {@code "a100-40gb"},
   * {@code "h100"} (= SXM), {@code "mi300x"}; {@code "cpu"} returns {@link #cpu()}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the allowed names
   */
  public static HardwareProfile named(String name) {
    String key = name == null ? "" : normalize(name);
    if (key.equals("cpu")) {
      return cpu();
    }
    HardwareProfile p = BY_KEY.get(key);
    if (p == null) {
      StringBuilder allowed = new StringBuilder();
      for (HardwareProfile h : CATALOG) {
        allowed.append(h.name()).append(", ");
      }
      allowed.append("cpu");
      throw new IllegalArgumentException("hardware: unknown name '" + name + "'; allowed: "
          + allowed + " (case-insensitive; '-', '_', '.' and spaces ignored)");
    }
    return p;
  }

  /**
   * The host CPU <b>uncalibrated</b>: conservative generic figures (fp32
   * {@value #UNCALIBRATED_CPU_FLOPS_PER_LOGICAL_CPU} FLOP/s per logical CPU, memory bandwidth
   * {@value #UNCALIBRATED_CPU_BANDWIDTH} bytes/s, physical memory, TDP
   * {@link CpuCalibration#WATTS_PER_LOGICAL_CPU} W per logical CPU). Pure: it runs no benchmark
   * and reads or writes no file. Calibration is an explicit call: {@code costgen calibrate}, the
   * ONNX backend's {@code OnnxCalibration.loadOrMeasure(...)} (whose {@link DeviceCalibration}
   * gives {@link DeviceCalibration#toProfile()}), or {@link CpuCalibration#loadOrMeasure}.
   * Thread-safe.
   */
  public static HardwareProfile cpu() {
    return CpuHolder.CPU;
  }

  /** Uncalibrated fp32 rate assumed per logical CPU by {@link #cpu()}, FLOP/s. */
  public static final double UNCALIBRATED_CPU_FLOPS_PER_LOGICAL_CPU = 4e9;

  /** Uncalibrated memory bandwidth assumed by {@link #cpu()}, bytes/s. */
  public static final double UNCALIBRATED_CPU_BANDWIDTH = 8e9;

  /**
   * Dense peak for {@code dtype}, FLOP/s.
   *
   * @throws IllegalArgumentException if this profile has no peak for {@code dtype}
   */
  public double peakFlopsPerSecond(DType dtype) {
    Double v = peakFlopsPerSecond.get(Objects.requireNonNull(dtype, "dtype"));
    if (v == null) {
      throw new IllegalArgumentException("dtype: " + name + " has no peak for " + dtype
          + "; available: " + peakFlopsPerSecond.keySet());
    }
    return v;
  }

  /** Whether a peak is known for {@code dtype}. */
  public boolean supports(DType dtype) {
    return peakFlopsPerSecond.containsKey(dtype);
  }

  /**
   * Roofline ridge point {@code peak / bandwidth} in FLOPs per byte: below this arithmetic
   * intensity a kernel is memory-bound (kipply, "Transformer Inference Arithmetic"; LLM-Viewer's
   * {@code turning_point}). A100 40GB FP16: 312e12 / 1.555e12 ≈ 200.
   */
  public double ridgePointFlopsPerByte(DType dtype) {
    return peakFlopsPerSecond(dtype) / memoryBandwidthBytesPerSecond;
  }

  /** A builder starting from this profile (e.g. to change its price or power). */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.peaks.putAll(peakFlopsPerSecond);
    b.memoryBandwidth = memoryBandwidthBytesPerSecond;
    b.memoryBytes = memoryBytes;
    b.tdpWatts = tdpWatts;
    b.price = price.orElse(null);
    b.source = source;
    return b;
  }

  /** A builder for a profile named {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.\\s]", "");
  }

  private static Map<String, HardwareProfile> keys() {
    Map<String, HardwareProfile> m = new LinkedHashMap<>();
    for (HardwareProfile h : CATALOG) {
      m.put(normalize(h.name()), h);
    }
    m.put("a10040gbsxm", A100_40GB);
    m.put("a100sxm40gb", A100_40GB);
    m.put("a10080gb", A100_80GB_SXM);
    m.put("a100sxm80gb", A100_80GB_SXM);
    m.put("h100", H100_SXM);
    m.put("h100sxm5", H100_SXM);
    m.put("h100sxm80gb", H100_SXM);
    m.put("h10080gbsxm", H100_SXM);
    m.put("h200sxm", H200);
    m.put("amdmi300x", MI300X);
    m.put("instinctmi300x", MI300X);
    return Map.copyOf(m);
  }

  private static void requirePositive(String field, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value > 0");
    }
  }

  /** Lazy, thread-safe holder for the uncalibrated host CPU profile (no I/O, no benchmark). */
  private static final class CpuHolder {
    static final HardwareProfile CPU = uncalibratedCpu();

    private static HardwareProfile uncalibratedCpu() {
      int cpus = Runtime.getRuntime().availableProcessors();
      long memory = CpuCalibration.physicalMemoryBytes();
      return builder("cpu")
          .peakFlops(DType.FP32, UNCALIBRATED_CPU_FLOPS_PER_LOGICAL_CPU * cpus)
          .memoryBandwidth(UNCALIBRATED_CPU_BANDWIDTH)
          .memoryBytes(memory)
          .tdpWatts(CpuCalibration.WATTS_PER_LOGICAL_CPU * cpus)
          .source("uncalibrated host CPU (" + cpus + " logical CPUs): generic "
              + (UNCALIBRATED_CPU_FLOPS_PER_LOGICAL_CPU / 1e9) + " GFLOP/s per logical CPU, "
              + (UNCALIBRATED_CPU_BANDWIDTH / 1e9) + " GB/s; run `costgen calibrate` to measure")
          .build();
    }
  }

  /** Builder for {@link HardwareProfile}; validation happens in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final EnumMap<DType, Double> peaks = new EnumMap<>(DType.class);
    private double memoryBandwidth;
    private long memoryBytes;
    private double tdpWatts;
    private Price price;
    private String source = "user-defined";

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Dense peak for {@code dtype}, FLOP/s (must be > 0). */
    public Builder peakFlops(DType dtype, double flopsPerSecond) {
      peaks.put(Objects.requireNonNull(dtype, "dtype"), flopsPerSecond);
      return this;
    }

    /** Peak memory bandwidth, bytes/s (must be > 0). */
    public Builder memoryBandwidth(double bytesPerSecond) {
      this.memoryBandwidth = bytesPerSecond;
      return this;
    }

    /** Device memory, bytes (must be > 0). */
    public Builder memoryBytes(long bytes) {
      this.memoryBytes = bytes;
      return this;
    }

    /** Board power (TDP), watts (must be > 0). */
    public Builder tdpWatts(double watts) {
      this.tdpWatts = watts;
      return this;
    }

    /** Price per device-hour with its source and the date it was observed. */
    public Builder price(Money perDeviceHour, String source, String asOf) {
      this.price = new Price(perDeviceHour, source, asOf);
      return this;
    }

    /** Removes the price. */
    public Builder noPrice() {
      this.price = null;
      return this;
    }

    /** Where the specification figures come from. */
    public Builder source(String source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Builds the profile.
     *
     * @throws IllegalArgumentException naming the first bad field
     */
    public HardwareProfile build() {
      return new HardwareProfile(name, peaks, memoryBandwidth, memoryBytes, tdpWatts,
          Optional.ofNullable(price), source);
    }
  }
}

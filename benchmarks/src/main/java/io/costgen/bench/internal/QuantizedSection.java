package io.costgen.bench.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code quant} suite's table: the synthetic GPT-2 small and Llama small models in fp32, int8
 * (QDQ) and int4 ({@code MatMulNBits}, block 32), each run by costgen (cost on) in its own fresh
 * JVM at batch 1: decode tok/s, TTFT, peak RSS, and the bytes a decode step reads (weights as
 * counted from the file, scales and zero points included, plus the KV cache at the mean context)
 * next to the fp32 twin's. Not thread-safe.
 */
public final class QuantizedSection {

  /** One model in one weight format. */
  public record Row(String model, String format, RunResult result) {}

  private final List<Row> rows = new ArrayList<>();

  public void add(String model, String format, RunResult result) {
    rows.add(new Row(model, format, result));
  }

  public int size() {
    return rows.size();
  }

  /** The section body (markdown), or a line saying the suite did not run. */
  public String render() {
    if (rows.isEmpty()) {
      return "Not run (suite `quant` not selected).\n";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("Synthetic models (seeded random weights) whose linear layers are stored as int8 (QDQ:"
        + " per-column `DequantizeLinear` → `MatMul`) or int4 (`com.microsoft.MatMulNBits`, block 32,"
        + " symmetric); embeddings and norms stay fp32 (docs/cost-model.md, \"Quantized models\")."
        + " One fresh JVM per row, costgen with cost on, batch 1, one warm-up, median of the runs."
        + " \"bytes / step\" is what the cost model charges a decode step: the weight bytes counted"
        + " from the file (scales and zero points included) + KV cache at the mean context."
        + " Rows of one model run one after the other, not interleaved.\n\n");
    MarkdownTable t = new MarkdownTable("model", "weights", "parameters", "weight bytes",
        "bytes / step", "÷ fp32", "decode tok/s (batch 1)", "÷ fp32", "TTFT", "peak RSS");
    for (Row row : rows) {
      RunResult r = row.result();
      Row base = fp32(row.model());
      RunResult.DecodeSeries s = series(r);
      RunResult.DecodeSeries bs = base == null ? null : series(base.result());
      Double bytes = bytesPerStep(r, s);
      Double baseBytes = base == null ? null : bytesPerStep(base.result(), bs);
      Double tps = s == null ? null : Stats.summarize(s.tokensPerSecond()).median();
      Double baseTps = bs == null ? null : Stats.summarize(bs.tokensPerSecond()).median();
      RunResult.TtftSeries ttft = r.loops().isEmpty() || r.loops().get(0).ttft().isEmpty() ? null
          : r.loops().get(0).ttft().get(0);
      t.row(row.model(), row.format(),
          r.facts() == null ? null : Report.fmt(r.facts().shape().parameters(), 0),
          r.facts() == null ? null : Report.mib(r.facts().weightBytes()),
          bytes == null ? null : Report.mib(bytes),
          bytes == null || baseBytes == null ? null : Report.fmt(bytes / baseBytes, 3),
          Report.tps(s),
          tps == null || baseTps == null ? null : Report.fmt(tps / baseTps, 2),
          ttft == null ? null : String.format(Locale.ROOT, "%s ms (%d tokens)",
              Report.fmt(Stats.summarize(ttft.seconds()).median() * 1e3, 0), ttft.promptTokens()),
          Report.mib(r.peakRssKib() * 1024.0));
    }
    sb.append(t.render());
    return sb.toString();
  }

  private Row fp32(String model) {
    for (Row r : rows) {
      if (r.model().equals(model) && r.format().equals("fp32")) {
        return r;
      }
    }
    return null;
  }

  private static RunResult.DecodeSeries series(RunResult r) {
    if (r.loops().isEmpty()) {
      return null;
    }
    for (RunResult.DecodeSeries s : r.loops().get(0).decode()) {
      if (s.batch() == 1) {
        return s;
      }
    }
    return null;
  }

  /** Weight bytes + KV bytes at the mean context of the decode steps, or null. */
  static Double bytesPerStep(RunResult r, RunResult.DecodeSeries s) {
    if (r.facts() == null || s == null) {
      return null;
    }
    double ctx = s.promptTokens() + s.newTokens() / 2.0;
    return r.facts().weightBytes() + r.facts().kvBytesPerToken() * ctx;
  }
}

package io.costgen.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressListenerTest {
  private static final HubModelRef REF = HubModelRef.parse("hf:acme/tiny");

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong clock = new AtomicLong();

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static DownloadProgress p(String file, long done, long total) {
    return new DownloadProgress(REF, file, 1, 2, done, total, done, total < 0 ? -1 : total * 2);
  }

  @Test
  void console_redrawsOneLineWithCarriageReturns_andEndsItWithANewline() {
    ConsoleProgressBar bar = new ConsoleProgressBar(out, true, clock::get);

    bar.onProgress(p("model.onnx", 0, 4096));
    clock.addAndGet(200_000_000L);
    bar.onProgress(p("model.onnx", 2048, 4096));
    clock.addAndGet(200_000_000L);
    bar.onFileComplete(p("model.onnx", 4096, 4096));

    String s = printed();
    assertThat(s.chars().filter(c -> c == '\r').count()).isEqualTo(3);
    assertThat(s).contains("[1/2] model.onnx   0% [").contains(" 50% [").contains("100% [");
    assertThat(s).contains("2.0 KiB / 4.0 KiB").contains("total 50%");
    assertThat(s).endsWith("\n");
    assertThat(s.chars().filter(c -> c == '\n').count()).isEqualTo(1);
  }

  @Test
  void console_skipsRedrawsCloserThan100Milliseconds() {
    ConsoleProgressBar bar = new ConsoleProgressBar(out, true, clock::get);

    bar.onProgress(p("a.bin", 0, 100));
    clock.addAndGet(10_000_000L);
    bar.onProgress(p("a.bin", 50, 100));

    assertThat(printed().chars().filter(c -> c == '\r').count()).isEqualTo(1);
  }

  @Test
  void console_showsBytesOnly_whenTheTotalIsUnknown() {
    ConsoleProgressBar bar = new ConsoleProgressBar(out, true, clock::get);

    bar.onProgress(p("config.json", 0, -1));
    clock.addAndGet(1_000_000_000L);
    bar.onFileComplete(p("config.json", 3 * 1024 * 1024, -1));

    String s = printed();
    assertThat(s).contains("config.json 3.0 MiB").doesNotContain("%");
    assertThat(s).contains("3.0 MiB/s");
  }

  @Test
  void console_padsAShorterRedraw_soNoOldCharactersRemain() {
    ConsoleProgressBar bar = new ConsoleProgressBar(out, true, clock::get);

    bar.onProgress(p("x", 0, -1));
    clock.addAndGet(1_000_000_000L);
    bar.onProgress(p("x", 1000, -1));
    clock.addAndGet(1_000_000_000L);
    bar.onProgress(p("x", 1001, -1));

    String[] draws = printed().split("\r", -1);
    assertThat(draws[3].length()).isGreaterThanOrEqualTo(draws[2].length());
  }

  @Test
  void console_printsOneLinePerFile_whenNotInteractive() {
    ConsoleProgressBar bar = new ConsoleProgressBar(out, false, clock::get);

    bar.onProgress(p("a.bin", 0, 10));
    bar.onProgress(p("a.bin", 5, 10));
    bar.onFileComplete(p("a.bin", 10, 10));
    bar.onFileComplete(p("b.bin", 10, 10));

    assertThat(printed()).doesNotContain("\r");
    assertThat(printed().lines()).hasSize(2);
  }

  @Test
  void none_ignoresEverything() {
    ProgressListener.NONE.onProgress(p("a", 1, 2));
    ProgressListener.NONE.onFileComplete(p("a", 2, 2));

    assertThat(ProgressListener.console(out)).isInstanceOf(ConsoleProgressBar.class);
  }

  @Test
  void bytes_usesBinaryUnits() {
    assertThat(ConsoleProgressBar.bytes(1023)).isEqualTo("1023 B");
    assertThat(ConsoleProgressBar.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(ConsoleProgressBar.bytes(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GiB");
  }
}

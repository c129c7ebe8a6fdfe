package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.testing.ChildJvm;
import io.costgen.core.testing.SharedModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a real process: what in-process runs cannot show (the command line's length, exit status). */
class CliProcessTest {

  @TempDir Path work;

  /**
   * 200,000 prompt characters on the JVM's command line (Linux caps one argument at 128 KiB, so a
   * 120,000-character prompt plus an 80,000-character one): ONNX Runtime 1.29.0's telemetry
   * client crashed such JVMs with SIGSEGV before costgen ran at all.
   */
  @Test
  void generate_200kCharacterPrompt_exits2WithContextLengthError() throws Exception {
    String words = "Once upon a time there was a little girl. ";
    ChildJvm.Result r = ChildJvm.of(CostgenCli.class)
        .args("generate", "--model", SharedModels.model(SharedModels.STORIES_260K).toString(),
            "--prompt", repeat(words, 120_000), "--prompt", repeat(words, 80_000), "--max-new-tokens", "4")
        .run(work);
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
    assertThat(r.err().lines()).as(r.describe()).hasSize(1);
    assertThat(r.err()).contains("exceeds the model's context length").doesNotContain("\tat ");
  }

  /**
   * Bad input in a real process: exit 2 and exactly one line on stderr (no library log line, no
   * native ONNX Runtime message, no stack trace), for a broken model file and a huge decimal.
   */
  @Test
  void badInput_inARealProcess_exits2WithOneLine() throws Exception {
    assertBadInputGivesOneLine(Path.of(System.getProperty("java.home")));
  }

  /**
   * The same on a JDK that restricts native access (24+; Java 25 when this JVM is older): loading
   * ONNX Runtime prints no "WARNING: A restricted method ..." lines. The child runs with
   * {@code -cp}, so the option that README tells hosts to pass does this (the {@code costgen.jar}
   * manifest's {@code Enable-Native-Access} only counts for {@code java -jar}).
   */
  @Test
  void badInput_onJdk24Plus_exits2WithOneLineAndNoRestrictedMethodWarning() throws Exception {
    assertBadInputGivesOneLine(ChildJvm.restrictedNativeAccessJdk());
  }

  private void assertBadInputGivesOneLine(Path javaHome) throws Exception {
    Path bad = java.nio.file.Files.createDirectories(work.resolve("bad-model"));
    java.nio.file.Files.writeString(bad.resolve("model.onnx"), "this is not an ONNX model");
    for (String[] args : new String[][] {
        {"generate", "--model", bad.toString(), "--input-ids", "1,2", "--max-new-tokens", "2"},
        {"generate", "--price-per-hour", "1e999999999", "--prompt", "hi"},
        {"generate", "--threads", "100000", "--prompt", "hi"}}) {
      ChildJvm.Result r = ChildJvm.of(CostgenCli.class).javaHome(javaHome).args(args).run(work);
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
      assertThat(r.err().lines()).as(r.describe()).hasSize(1);
      assertThat(r.err()).startsWith("costgen: ").contains("--").contains("allowed").doesNotContain("\tat ")
          .doesNotContain("WARNING");
      assertThat(r.out()).as(r.describe()).isEmpty();
    }
  }

  private static String repeat(String s, int chars) {
    return s.repeat(chars / s.length() + 1).substring(0, chars);
  }
}

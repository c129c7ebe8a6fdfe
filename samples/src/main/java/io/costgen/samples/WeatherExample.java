package io.costgen.samples;

import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import io.costgen.cost.CostModel;
import io.costgen.cost.HardwareProfile;
import io.costgen.onnx.OnnxBackend;
import java.nio.file.Path;

/**
 * The seed example: a GPT-2 style model continues "The weather today is" to 50 tokens in all,
 * one sequence, never repeating a 2-gram, and prints what the call would cost on an H100.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp samples/target/costgen.jar
 * io.costgen.samples.WeatherExample MODEL_DIR} (the option: JDK 24+ otherwise warns about ONNX
 * Runtime's {@code System.load}; the jar's {@code Enable-Native-Access} counts only for
 * {@code java -jar}).
 */
public final class WeatherExample {
  private WeatherExample() {}

  public static void main(String[] args) {
    Path modelDir = Path.of(args.length > 0 ? args[0] : "model");
    GenerationResult result = run(modelDir);
    System.out.println(result.text());
    System.out.println("cost on H100-SXM: " + result.cost().money() + " for " + result.usage().totalTokens() + " tokens");
  }

  /** Generates the continuation and returns the result (text, usage, cost). */
  public static GenerationResult run(Path modelDir) {
    try (OnnxBackend backend = OnnxBackend.open(modelDir);
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.open(modelDir)) {
      TextGenerator generator = TextGenerator.builder(backend)
          .tokenizer(tokenizer)
          .costModel(CostModel.builder().targetHardware(HardwareProfile.H100_SXM).perDeviceHour().energy().build())
          .build();
      GenerationConfig config = GenerationConfig.builder()
          .maxLength(50)
          .numReturnSequences(1)
          .noRepeatNgramSize(2)
          .build();
      return generator.generate("The weather today is", config);
    }
  }
}

package io.costgen.bench.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandWrittenGreedyTest {

  @Test
  void source_importsOnlyOnnxRuntimeAndTheJdk() throws Exception {
    // The ceiling must contain no costgen code (the module's tests run in benchmarks/).
    Path source = Path.of("src/main/java/io/costgen/bench/baseline/HandWrittenGreedy.java");
    List<String> imports = Files.readAllLines(source).stream().filter(l -> l.startsWith("import ")).toList();

    assertThat(imports).isNotEmpty().allSatisfy(l -> assertThat(l).matches("import (ai\\.onnxruntime|java)\\..*;"));
  }
}

package io.costgen.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NativeLibraryCacheTest {

  /**
   * The shaded CLI jar keeps only ONNX Runtime's pom.xml (no pom.properties, and its manifest is
   * costgen's): the version must still be read, or every build shares one "unknown" folder and a
   * stale JNI library from another ONNX Runtime version fails to link.
   */
  @Test
  void versionFromPomXml_readsTheBundledOnnxRuntimePom() throws IOException {
    String pom;
    try (InputStream in = OrtEnvironment.class.getResourceAsStream(
        "/META-INF/maven/com.microsoft.onnxruntime/onnxruntime/pom.xml")) {
      assertThat(in).as("ONNX Runtime's jar carries its pom.xml").isNotNull();
      pom = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(NativeLibraryCache.versionFromPomXml(pom))
        .isEqualTo(OrtEnvironment.class.getPackage().getImplementationVersion())
        .isEqualTo(NativeLibraryCache.ortVersion());
  }

  @Test
  void versionFromPomXml_skipsTheParentAndComments() {
    String pom = "<project><!-- <version>9</version> --><parent><version>1.0</version></parent>"
        + "<artifactId>x</artifactId><version> 2.3.4 </version></project>";
    assertThat(NativeLibraryCache.versionFromPomXml(pom)).isEqualTo("2.3.4");
    assertThat(NativeLibraryCache.versionFromPomXml("<project/>")).isNull();
  }
}

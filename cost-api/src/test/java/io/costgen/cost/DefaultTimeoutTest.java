package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The parent pom gives every test a default timeout, so a hung latch fails instead of hanging CI. */
class DefaultTimeoutTest {

  private String configured;

  @RegisterExtension
  final BeforeEachCallback reader = context -> configured = context
      .getConfigurationParameter("junit.jupiter.execution.timeout.default").orElse(null);

  @Test
  void everyTestRunsUnderADefaultTimeout() {
    assertThat(configured).as("junit.jupiter.execution.timeout.default from the surefire configuration")
        .isEqualTo("5 m");
  }
}

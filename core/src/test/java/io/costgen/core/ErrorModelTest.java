package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.chat.ChatTemplateException;
import io.costgen.cost.CostgenException;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetStoreUnavailableException;
import io.costgen.cost.meter.MeterException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One error model: every exception costgen defines is an unchecked {@link CostgenException}. */
class ErrorModelTest {

  @Test
  void everyCostgenFailureIsACostgenException() {
    List<Class<?>> failures = List.of(BackendException.class, ModelLoadException.class,
        GenerationCancelledException.class, ChatTemplateException.class, BudgetExceededException.class,
        BudgetStoreUnavailableException.class, MeterException.class);
    for (Class<?> c : failures) {
      assertThat(CostgenException.class).as(c.getName()).isAssignableFrom(c);
    }
    assertThat(RuntimeException.class).isAssignableFrom(CostgenException.class);
  }

  @Test
  void oneCatchClauseCatchesABackendFailure() {
    RuntimeException thrown = new BackendException("ONNX Runtime failed running model.onnx");
    try {
      throw thrown;
    } catch (CostgenException e) {
      assertThat(e).isSameAs(thrown).hasMessageContaining("model.onnx");
    }
  }
}

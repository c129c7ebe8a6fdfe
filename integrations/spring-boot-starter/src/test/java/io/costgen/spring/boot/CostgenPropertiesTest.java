package io.costgen.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.cost.budget.Budgets;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Auto-configuration without a local model, and bad properties. */
class CostgenPropertiesTest {

  final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CostgenAutoConfiguration.class));

  @Test
  void withoutAModel_budgetsAndTheGuardAreConfigured_butNoChatModel() {
    runner.withPropertyValues("costgen.budgets[0]=money:5/day", "costgen.budgets[1]=tokens:1000/call,shrink")
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(Budgets.class).hasSingleBean(RemoteCallGuard.class).doesNotHaveBean(ChatModel.class);
          assertThat(ctx.getBean(Budgets.class).budgets()).hasSize(2);
        });
  }

  @Test
  void aBadBudgetSpec_failsStartup_namingTheProperty() {
    runner.withPropertyValues("costgen.budgets[0]=money:5/fortnight").run(ctx -> assertThat(ctx).getFailure()
        .hasStackTraceContaining("costgen.budgets[0]").hasStackTraceContaining("fortnight"));
  }

  @Test
  void aMissingModelDirectory_failsStartup_namingTheProperty() {
    runner.withPropertyValues("costgen.model=/nonexistent/model").run(ctx -> assertThat(ctx).getFailure()
        .hasStackTraceContaining("costgen.model: ").hasStackTraceContaining("/nonexistent/model is not a directory"));
  }

  @Test
  void anApplicationBudgetsBean_winsOverTheProperties() {
    Budgets own = Budgets.inMemory();
    runner.withBean(Budgets.class, () -> own).withPropertyValues("costgen.budgets[0]=money:5/day")
        .run(ctx -> assertThat(ctx.getBean(Budgets.class)).isSameAs(own));
  }
}

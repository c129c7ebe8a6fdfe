package io.costgen.cost.budget;

/** Runs the {@link BudgetStore} contract against {@link BudgetStore#inMemory()}. */
class InMemoryBudgetStoreTest extends BudgetStoreContractTest {
  @Override
  protected BudgetStore newStore() {
    return BudgetStore.inMemory();
  }
}
